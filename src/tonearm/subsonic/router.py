"""``/rest/<method>[.view]``: parameters, authentication, dispatch, errors as Subsonic codes.

Every answer is a ``subsonic-response`` (or the media a method streams): a missing
parameter, a wrong password or a failure inside a method is an error code in the body,
never an HTML page or a bare HTTP 500, because that is what the apps can show.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Protocol

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tonearm.accounts.principal import Viewer
from tonearm.errors import (
    BadRequest,
    Forbidden,
    Invalid,
    NotFound,
    TonearmError,
    TooLarge,
    Unauthenticated,
)
from tonearm.subsonic.protocol import (
    Call,
    Code,
    Handler,
    Params,
    Payload,
    SubsonicError,
    envelope,
    render,
)

log = logging.getLogger("tonearm.subsonic")

PREFIX = "/rest"
MAX_FORM_BYTES = 1 << 20
"""A form body larger than this is refused (formPost carries ids and names, not media)."""

PUBLIC_METHODS = frozenset({"getOpenSubsonicExtensions"})
"""Answered without credentials (OpenSubsonic: clients ask before they sign in)."""


class Authenticate(Protocol):
    def __call__(self, params: Params, address: str | None) -> tuple[Viewer, str]:
        """The viewer and user name the credentials in ``params`` name; ``SubsonicError``
        (40-44) otherwise. Runs in a worker thread."""
        ...


def method_name(path_method: str) -> str:
    return path_method.removesuffix(".view")


def error_of(exc: TonearmError) -> SubsonicError:
    """The domain's error tree, mapped at this edge as the HTTP layer maps it to problems."""
    if isinstance(exc, NotFound):
        return SubsonicError(Code.NOT_FOUND, exc.message)
    if isinstance(exc, Unauthenticated):
        return SubsonicError(Code.WRONG_CREDENTIALS, exc.message)
    if isinstance(exc, Forbidden):
        return SubsonicError(Code.NOT_AUTHORIZED, exc.message)
    if isinstance(exc, BadRequest | Invalid | TooLarge):
        return SubsonicError(Code.MISSING_PARAMETER, exc.message)
    return SubsonicError(Code.GENERIC, exc.message)


class SubsonicRouter:
    def __init__(self, methods: Mapping[str, Handler], authenticate: Authenticate) -> None:
        self._methods = dict(methods)
        self._authenticate = authenticate

    @property
    def methods(self) -> frozenset[str]:
        return frozenset(self._methods)

    def routes(self) -> list[Route]:
        return [Route(PREFIX + "/{method}", self.endpoint, methods=["GET", "POST", "HEAD"])]

    async def endpoint(self, request: Request) -> Response:
        params: Params | None = None
        try:
            params = await _params(request)
            name = method_name(request.path_params["method"])
            handler = self._methods.get(name)
            if handler is None:
                raise SubsonicError(Code.NOT_FOUND, f"tonearm does not know the method '{name}'.")
            if name in PUBLIC_METHODS:
                anonymous = _anonymous_call(params, request)
                return _answer(await run_in_threadpool(handler, anonymous), params)
            address = request.client.host if request.client else None
            # Sign-in and method in one worker thread: one hand-off per call, not two.
            result = await run_in_threadpool(self._call, handler, params, request, address)
            return _answer(result, params)
        except SubsonicError as exc:
            return _failed(exc, params)
        except TonearmError as exc:
            return _failed(error_of(exc), params)
        except Exception:
            log.exception("subsonic method failed", extra={"path": request.url.path})
            return _failed(
                SubsonicError(Code.GENERIC, "Something went wrong on the server; try again."),
                params,
            )

    def _call(
        self, handler: Handler, params: Params, request: Request, address: str | None
    ) -> Payload | Response:
        viewer, username = self._authenticate(params, address)
        call = Call(
            viewer=viewer,
            username=username,
            params=params,
            request=request,
            client=(params.get("c") or "")[:100],
        )
        return handler(call)


def _anonymous_call(params: Params, request: Request) -> Call:
    return Call(viewer=Viewer(user_id=None), username="", params=params, request=request)


def _answer(result: Payload | Response, params: Params) -> Response:
    if isinstance(result, Response):
        return result
    return render(envelope(result), params.get("f"), params.get("callback"))


def _failed(error: SubsonicError, params: Params | None) -> Response:
    fmt = params.get("f") if params else None
    callback = params.get("callback") if params else None
    return render(envelope(error=error), fmt, callback)


async def _params(request: Request) -> Params:
    items = list(request.query_params.multi_items())
    if request.method == "POST":
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if kind in ("application/x-www-form-urlencoded", "multipart/form-data"):
            length = request.headers.get("content-length")
            if length is not None and length.isdigit() and int(length) > MAX_FORM_BYTES:
                raise SubsonicError(Code.GENERIC, "The form body is too large.")
            form = await request.form(max_files=0, max_fields=10_000)
            items += [(k, v) for k, v in form.multi_items() if isinstance(v, str)]
    return Params(items)
