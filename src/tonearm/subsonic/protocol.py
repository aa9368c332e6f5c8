"""The Subsonic wire format: parameters in, ``subsonic-response`` out, error codes.

A method answers a *payload*: the members of ``subsonic-response`` as plain Python
values, written once and rendered as XML (the default), JSON or JSONP. The mapping is
the one every Subsonic server uses:

- a scalar (str, int, float, bool) is an XML attribute and a JSON member;
- a dict is a child element / a JSON object;
- a list is repeated child elements / a JSON array (a list of scalars is repeated
  elements holding text);
- the key ``value`` is the element's text in XML (``<lyrics>words</lyrics>``) and a
  ``value`` member in JSON;
- ``None`` is left out.
"""

from __future__ import annotations

import enum
import json
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeAlias
from xml.etree import ElementTree as ET  # building only; parsing would need defusedxml

from starlette.requests import Request
from starlette.responses import Response

import tonearm
from tonearm.accounts.principal import Viewer

API_VERSION = "1.16.1"
SERVER_TYPE = "tonearm"
NAMESPACE = "http://subsonic.org/restapi"

Payload: TypeAlias = dict[str, Any]


class Code(enum.IntEnum):
    GENERIC = 0
    MISSING_PARAMETER = 10
    CLIENT_TOO_OLD = 20
    SERVER_TOO_OLD = 30
    WRONG_CREDENTIALS = 40
    TOKEN_NOT_SUPPORTED = 41
    AUTH_NOT_SUPPORTED = 42
    CONFLICTING_AUTH = 43
    INVALID_API_KEY = 44
    NOT_AUTHORIZED = 50
    NOT_FOUND = 70


class SubsonicError(Exception):
    """An error the client is told in the response body (HTTP 200, as the spec says)."""

    def __init__(self, code: Code, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class Params:
    """A request's parameters: the query string and, for POST, the form body (``formPost``).

    Subsonic repeats a name for lists (``id=1&id=2``), so every name keeps all its values.
    """

    def __init__(self, items: Sequence[tuple[str, str]]) -> None:
        self._values: dict[str, list[str]] = {}
        for name, value in items:
            self._values.setdefault(name, []).append(value)

    def __contains__(self, name: str) -> bool:
        return name in self._values

    def get(self, name: str) -> str | None:
        values = self._values.get(name)
        return values[0] if values else None

    def required(self, name: str) -> str:
        value = self.get(name)
        if value is None or value == "":
            raise SubsonicError(Code.MISSING_PARAMETER, f"Required parameter '{name}' is missing.")
        return value

    def all(self, name: str) -> list[str]:
        return [v for v in self._values.get(name, []) if v != ""]

    def integer(self, name: str, default: int, *, lo: int, hi: int) -> int:
        """A whole number clamped to ``lo..hi``; absent: ``default``; not a number: error 10."""
        value = self.get(name)
        if value is None or value == "":
            return default
        return max(lo, min(hi, self._number(name, value)))

    def optional_int(self, name: str) -> int | None:
        value = self.get(name)
        return None if value is None or value == "" else self._number(name, value)

    def required_int(self, name: str) -> int:
        return self._number(name, self.required(name))

    def number(self, name: str, default: float, *, lo: float, hi: float) -> float:
        value = self.get(name)
        if value is None or value == "":
            return default
        try:
            number = float(value)
        except ValueError:
            raise SubsonicError(
                Code.MISSING_PARAMETER, f"Parameter '{name}' must be a number, not {value!r}."
            ) from None
        if math.isnan(number):
            return default
        return max(lo, min(hi, number))

    def flag(self, name: str, default: bool) -> bool:
        value = self.get(name)
        if value is None or value == "":
            return default
        return value.lower() in ("true", "1", "yes")

    @staticmethod
    def _number(name: str, value: str) -> int:
        try:
            return int(value.strip())
        except ValueError:
            raise SubsonicError(
                Code.MISSING_PARAMETER,
                f"Parameter '{name}' must be a whole number, not {value[:40]!r}.",
            ) from None


@dataclass(frozen=True)
class Call:
    """One authenticated method call."""

    viewer: Viewer
    username: str
    params: Params
    request: Request
    client: str = ""
    """The ``c`` parameter: which app is calling (shown in now-playing and history)."""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def user_id(self) -> str:
        return self.viewer.require_user()


Handler: TypeAlias = Callable[[Call], "Payload | Response"]
"""A method: runs in a worker thread (it may open database sessions), answers a payload
or, for media, a ready response."""

Methods: TypeAlias = Mapping[str, Handler]


def iso(moment: datetime | None) -> str | None:
    """The spec's date-time form (ISO 8601, UTC, milliseconds)."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


# ---- rendering -------------------------------------------------------------------

_CALLBACK = re.compile(r"^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$")


class Format(enum.StrEnum):
    XML = "xml"
    JSON = "json"
    JSONP = "jsonp"


def envelope(payload: Payload | None = None, error: SubsonicError | None = None) -> Payload:
    body: Payload = {
        "status": "failed" if error else "ok",
        "version": API_VERSION,
        "type": SERVER_TYPE,
        "serverVersion": _server_version(),
        "openSubsonic": True,
    }
    if error is not None:
        body["error"] = {"code": int(error.code), "message": error.message}
    if payload:
        body.update(payload)
    return body


def _server_version() -> str:
    return tonearm.__version__


def render(body: Payload, fmt: str | None, callback: str | None) -> Response:
    """``subsonic-response`` in the asked format; an unknown ``f`` falls back to XML."""
    if fmt == Format.JSON or (fmt == Format.JSONP and not _valid_callback(callback)):
        return Response(_json(body), media_type="application/json")
    if fmt == Format.JSONP and callback:
        return Response(f"{callback}({_json(body)});", media_type="application/javascript")
    root = ET.Element("subsonic-response", {"xmlns": NAMESPACE})
    _fill(root, body)
    xml = ET.tostring(root, encoding="unicode", xml_declaration=False)
    return Response('<?xml version="1.0" encoding="UTF-8"?>\n' + xml, media_type="application/xml")


def _valid_callback(callback: str | None) -> bool:
    return bool(callback) and len(callback or "") <= 100 and bool(_CALLBACK.match(callback or ""))


def _json(body: Payload) -> str:
    return json.dumps(
        {"subsonic-response": _prune(body)}, ensure_ascii=False, separators=(",", ":")
    )


def _prune(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _prune(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [_prune(v) for v in value if v is not None]
    return value


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(value)
    return str(value)


def _fill(element: ET.Element, members: Mapping[str, Any]) -> None:
    for name, value in members.items():
        if value is None:
            continue
        if name == "value" and not isinstance(value, Mapping | list | tuple):
            element.text = _scalar(value)
        elif isinstance(value, Mapping):
            _fill(ET.SubElement(element, name), value)
        elif isinstance(value, list | tuple):
            for item in value:
                if item is None:
                    continue
                child = ET.SubElement(element, name)
                if isinstance(item, Mapping):
                    _fill(child, item)
                else:
                    child.text = _scalar(item)
        else:
            element.set(name, _scalar(value))
