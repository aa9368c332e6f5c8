"""The error tree, translated to RFC 9457 problem details at the HTTP edge."""

from __future__ import annotations

import json
import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match, Mount

from tonearm.errors import Throttled, TonearmError

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"

STATUS_BY_KIND: dict[str, int] = {
    "not_found": 404,
    "conflict": 409,
    "forbidden": 403,
    "invalid": 422,
    "bad_request": 400,
    "unsupported_media": 415,
    "too_large": 413,
    "checksum_mismatch": 460,  # tus checksum extension
    "precondition_failed": 412,
    "gone": 410,
    "unavailable": 503,
    "not_implemented": 501,
    "locked": 423,
    "unauthenticated": 401,
    "throttled": 429,  # as tusd answers a PATCH to an upload another request is writing
    "timed_out": 408,
}

_TITLES = {460: "Checksum Mismatch"}


def problem_document(
    status: int, detail: str, *, code: str | None = None, **extra: Any
) -> dict[str, Any]:
    return {
        "type": f"urn:tonearm:problem:{code}" if code else "about:blank",
        "title": _TITLES.get(status) or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        **extra,
    }


def problem_body(status: int, detail: str, *, code: str | None = None, **extra: Any) -> bytes:
    """The document as bytes, for raw ASGI answers outside the app."""
    return json.dumps(problem_document(status, detail, code=code, **extra)).encode()


def problem(
    status: int,
    detail: str,
    *,
    code: str | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    return JSONResponse(
        problem_document(status, detail, code=code, **extra),
        status_code=status,
        media_type=PROBLEM_JSON,
        headers=headers,
    )


def allowed_methods(app: FastAPI, request: Request) -> str:
    """Every method some route answers on this path.

    Starlette's own 405 names only the first route whose path matched, so a path
    served by two routers (GET /api/tracks in one, POST in another) would claim to
    allow only one of them. Mounted apps (static files) give their own header.
    """
    allowed = [
        method
        for method in _METHODS
        if any(
            not isinstance(route, Mount)
            and route.matches({**request.scope, "method": method})[0] == Match.FULL
            for route in app.router.routes
        )
    ]
    return ", ".join(allowed)


_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def install(app: FastAPI) -> None:
    @app.exception_handler(TonearmError)
    async def _domain(request: Request, exc: TonearmError) -> JSONResponse:
        status = STATUS_BY_KIND.get(exc.kind, 500)
        headers: dict[str, str] | None = None
        if isinstance(exc, Throttled):
            headers = {"Retry-After": str(exc.retry_after_s)}
        if status == 401:
            headers = {"WWW-Authenticate": 'Bearer realm="tonearm"'}
        if request.url.path.startswith("/api/uploads"):
            headers = {**(headers or {}), "Tus-Resumable": "1.0.0"}
            if status == 412:
                headers["Tus-Version"] = "1.0.0"  # tus 1.0: a 412 lists the versions served
        # The document gives every 422 one shape, the validation problem; a refusal of
        # the content as a whole (a weak password, an empty file) names no field.
        extra: dict[str, Any] = {"errors": []} if status == 422 else {}
        return problem(
            status, exc.message, code=exc.code, headers=headers, instance=request.url.path, **extra
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"where": ".".join(str(p) for p in e.get("loc", ())), "message": e.get("msg", "")}
            for e in exc.errors()
        ]
        return problem(
            422,
            "The request is not valid.",
            code="validation",
            errors=errors,
            instance=request.url.path,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        headers = dict(exc.headers) if exc.headers else {}
        detail = str(exc.detail)
        if exc.status_code == 405:
            headers["Allow"] = allowed_methods(app, request) or headers.get("Allow", "")
            detail = f"{request.method} is not allowed here; allowed: {headers['Allow']}."
        return problem(
            exc.status_code,
            detail,
            headers=headers or None,
            instance=request.url.path,
        )

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem(
            500,
            "Something went wrong on the server; it has been logged.",
            instance=request.url.path,
        )
