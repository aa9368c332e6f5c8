"""RFC 9110 conditional requests and byte ranges, without a web framework.

The segment fast path and the file routes both answer through ``evaluate``, so a
player sees the same rules everywhere:

- ``If-None-Match`` compares entity tags weakly (``W/"x"`` matches ``"x"``) and
  answers 304; ``If-Modified-Since`` is read only when there is no
  ``If-None-Match`` (section 13.2.2) and only for GET and HEAD.
- ``Range`` is honoured for GET only (HEAD and other methods ignore it, 14.2), and
  only a single ``bytes`` range: a request for several ranges gets the whole
  representation (200), which 14.2 allows and no audio player needs otherwise.
  An unknown unit or a malformed or backwards range (``items=0-5``, ``bytes=5-2``)
  is ignored, also a 200; a range starting past the end is 416.
- ``If-Range`` with a strong entity tag or the exact ``Last-Modified`` date keeps
  the range; anything else (a weak or stale tag, another date) gets a 200.

Header values are untrusted: numbers are ASCII digits only and never parsed past 18
digits, dates longer than any real HTTP-date are ignored, and nothing here raises.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC
from email.utils import formatdate, parsedate_to_datetime

PROBLEM_JSON = "application/problem+json"

_ETAG = re.compile(r'\s*(W/)?("[^"]*")\s*(?:,|$)')
_RANGE_SPEC = re.compile(r"([0-9]*)-([0-9]*)")
# Past 18 digits a position is beyond any file; never hand such strings to int().
_MAX_DIGITS = 18
_HUGE = 10**18
# The longest HTTP-date form (rfc850) is 41 characters; leave room for stray spaces.
_MAX_DATE_CHARS = 64


@dataclass(frozen=True)
class Representation:
    """What a conditional or ranged answer is computed against."""

    size: int
    etag: str
    """A strong entity tag, with its quotes: ``"abc"``."""
    last_modified: int | None = None
    """Whole seconds since the epoch, or None when unknown."""


@dataclass(frozen=True)
class Answer:
    status: int
    """200, 206 (``start``..``end`` inclusive), 304 or 416."""
    start: int = 0
    end: int = -1

    @property
    def length(self) -> int:
        return self.end - self.start + 1


def evaluate(
    rep: Representation,
    *,
    method: str,
    if_none_match: str | None = None,
    if_modified_since: str | None = None,
    range_header: str | None = None,
    if_range: str | None = None,
) -> Answer:
    whole = Answer(200, 0, rep.size - 1)
    if method not in ("GET", "HEAD"):
        return whole
    if if_none_match is not None:
        if etag_matches(if_none_match, rep.etag):
            return Answer(304)
    elif if_modified_since is not None and rep.last_modified is not None:
        since = parse_http_date(if_modified_since)
        if since is not None and rep.last_modified <= since:
            return Answer(304)
    if method != "GET" or range_header is None:
        return whole
    if if_range is not None and not _if_range_holds(if_range, rep):
        return whole
    span = byte_range(range_header, rep.size)
    if span is None:
        return whole
    if span == UNSATISFIABLE:
        return Answer(416)
    return Answer(206, *span)


def etag_matches(header: str, etag: str) -> bool:
    """Weak comparison of ``etag`` with an ``If-None-Match`` value (a list or ``*``)."""
    if header.strip() == "*":
        return True
    opaque = etag.removeprefix("W/")
    return any(m[2] == opaque for m in _ETAG.finditer(header))


def _if_range_holds(header: str, rep: Representation) -> bool:
    value = header.strip()
    if value.startswith(("W/", '"')):
        # Strong comparison: a weak validator never allows a partial answer.
        return value == rep.etag and not rep.etag.startswith("W/")
    date = parse_http_date(value)
    return date is not None and date == rep.last_modified


UNSATISFIABLE = (-1, -1)


def byte_range(header: str, size: int) -> tuple[int, int] | None:
    """The one ``bytes`` range of a ``Range`` value as inclusive offsets; None to ignore
    the header (serve the whole representation); ``UNSATISFIABLE`` for a 416."""
    unit, eq, spec = header.partition("=")
    if not eq or unit.strip().lower() != "bytes":
        return None
    specs = [s.strip() for s in spec.split(",") if s.strip()]
    if len(specs) != 1:
        return None
    match = _RANGE_SPEC.fullmatch(specs[0])
    if match is None or not (match[1] or match[2]):
        return None
    if not match[1]:
        suffix = _number(match[2])
        if suffix == 0 or size == 0:
            return UNSATISFIABLE
        return max(0, size - suffix), size - 1
    start = _number(match[1])
    end = _number(match[2]) if match[2] else _HUGE
    if end < start:
        return None
    if start >= size:
        return UNSATISFIABLE
    return start, min(end, size - 1)


def _number(digits: str) -> int:
    return int(digits) if len(digits) <= _MAX_DIGITS else _HUGE


def parse_http_date(value: str) -> int | None:
    """An HTTP-date (any of the three forms of RFC 9110 5.6.7) as epoch seconds."""
    if len(value) > _MAX_DATE_CHARS:
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if parsed.tzinfo is None:  # asctime form: always GMT
        parsed = parsed.replace(tzinfo=UTC)
    try:
        return int(parsed.timestamp())
    except (OverflowError, OSError, ValueError):
        return None


def http_date(epoch_s: int) -> str:
    return formatdate(epoch_s, usegmt=True)


def problem_body(status: int, title: str, detail: str) -> bytes:
    """An RFC 9457 problem document, for the answers built here without the app."""
    return json.dumps(
        {"type": "about:blank", "title": title, "status": status, "detail": detail}
    ).encode()
