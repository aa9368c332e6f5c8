"""Progress, pause and end reports answered straight from ASGI, ahead of the framework.

Every listener sends one progress report every ``heartbeat_s``: after segments, the
most frequent request of the product. Its answer needs no database (the token says
what the start established; the session's state is in live state), so it skips
routing, dependency injection and the access log: read a body of at most 4 KB, parse
it, check the token against the caller's credential binding, call the same
``PlayService.report`` the route calls, answer JSON or a problem.

Anything else on ``POST /api/plays`` (a start, which reads the track; a body this
strict parser does not take) goes on to the application with its body replayed, so
the framework answers it, validation problems included.

The caller is identified as the segment fast path does: the digest of the session
cookie or bearer token it sent (``credentials.binding_of``), without a lookup. A
report made with the cookie needs no CSRF header: it changes nothing without the
token, which only the start's answer (a same-origin request) reveals, and the page's
last report is a ``sendBeacon``, which cannot send headers.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from http import HTTPStatus
from typing import Any, cast

import anyio.to_thread

from tonearm.accounts.credentials import binding_of, binding_of_request
from tonearm.errors import Throttled, TonearmError
from tonearm.listening.service import (
    MAX_MS,
    RUNG,
    SESSION_ID,
    PlayService,
    Report,
    ReportKind,
)
from tonearm.listening.tokens import MAX_TOKEN

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

log = logging.getLogger(__name__)

PATH = "/api/plays"
MAX_BODY = 4096
_JSON = [(b"content-type", b"application/json")]
_PROBLEM = [(b"content-type", b"application/problem+json")]
_FIELDS = frozenset({"event", "session", "token", "played_ms", "position_ms", "rung", "track_id"})
_REPORTS = ("progress", "pause", "end")


def bindings_of(binding: str) -> tuple[str, ...]:
    """The bindings a token may have been signed for: the caller's, then an anonymous
    visitor's at the same address (a token from before a sign-in, or with a stale cookie)."""
    anonymous = binding_of(None, binding.partition("@")[2]) if "@" in binding else ""
    return (binding,) if binding == anonymous else (binding, anonymous)


class PlayServer:
    def __init__(
        self,
        app: ASGIApp,
        plays: PlayService,
        statuses: Mapping[str, int],
        *,
        blocking: bool,
        bind_to_address: bool = False,
    ) -> None:
        """``statuses``: the HTTP status of each error kind (the edge's table);
        ``blocking``: live state is across the network (Redis), so a report runs in a
        worker thread; in memory it runs on the event loop, in microseconds."""
        self._app = app
        self._plays = plays
        self._statuses = statuses
        self._blocking = blocking
        self._bind_to_address = bind_to_address

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != PATH or scope["method"] != "POST":
            await self._app(scope, receive, send)
            return
        body = await _read(receive)
        if body is None:
            await self._problem(send, 413, "too-large", "A play report is at most 4 KB.")
            return
        report = _parse(body)
        if report is None:
            await self._app(scope, _replay(body, receive), send)
            return
        try:
            bindings = bindings_of(self._binding(scope))
            if self._blocking:
                reported = await anyio.to_thread.run_sync(self._plays.report, report, bindings)
            else:
                reported = self._plays.report(report, bindings)
            if reported.pending is not None:
                with contextlib.suppress(Exception):  # settle() turns it into a refusal
                    await asyncio.wrap_future(reported.pending)
            if self._blocking and reported.pending is not None:
                answer = await anyio.to_thread.run_sync(self._plays.settle, reported)
            else:
                answer = self._plays.settle(reported)
        except TonearmError as exc:
            extra = []
            if isinstance(exc, Throttled):
                extra = [(b"retry-after", str(exc.retry_after_s).encode())]
            await self._problem(
                send, self._statuses.get(exc.kind, 500), exc.code, exc.message, extra
            )
            return
        except Exception:
            # As the framework answers a crash (live state unreachable, say).
            log.exception("unhandled error on POST %s", PATH)
            await self._problem(
                send, 500, "error", "Something went wrong on the server; it has been logged."
            )
            return
        data = json.dumps(
            {
                "session": answer.session,
                "token": answer.token,
                "counted": answer.counted,
                "credited_ms": answer.credited_ms,
                "count_after_ms": answer.count_after_ms,
                "heartbeat_s": answer.heartbeat_s,
                "listeners": answer.listeners,
            },
            separators=(",", ":"),
        ).encode()
        headers = [*_JSON, (b"content-length", str(len(data)).encode())]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": data})

    def _binding(self, scope: Scope) -> str:
        return binding_of_request(scope["headers"], scope.get("client"), self._bind_to_address)

    async def _problem(
        self,
        send: Send,
        status: int,
        code: str,
        detail: str,
        extra: list[tuple[bytes, bytes]] | None = None,
    ) -> None:
        document: dict[str, Any] = {
            "type": f"urn:tonearm:problem:{code}",
            "title": HTTPStatus(status).phrase,
            "status": status,
            "detail": detail,
            "instance": PATH,
        }
        if status == 422:
            document["errors"] = []
        data = json.dumps(document).encode()
        headers = [*_PROBLEM, (b"content-length", str(len(data)).encode()), *(extra or [])]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": data})


async def _read(receive: Receive) -> bytes | None:
    """The request body, or None past ``MAX_BODY`` bytes."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


def _ms(value: object) -> int | None:
    if type(value) is not int or not 0 <= value <= MAX_MS:
        return None
    return value


def _parse(body: bytes) -> Report | None:
    """A progress, pause or end report exactly as the schema takes it; None for anything
    else (the application answers those)."""
    try:
        data = json.loads(body)
    except ValueError:
        return None
    if not isinstance(data, dict) or not _FIELDS.issuperset(data):
        return None
    event, session, token, rung = (data.get(k) for k in ("event", "session", "token", "rung"))
    played = _ms(data.get("played_ms", 0))
    position = _ms(data.get("position_ms", 0))
    if (
        event not in _REPORTS
        or not isinstance(session, str)
        or SESSION_ID.fullmatch(session) is None
        or not isinstance(token, str)
        or len(token) > MAX_TOKEN
        or not isinstance(rung, str)
        or RUNG.fullmatch(rung) is None
        or played is None
        or position is None
        or not (data.get("track_id") is None or _short_str(data["track_id"]))
    ):
        return None
    return Report(cast(ReportKind, event), session, token, played, position, rung)


def _short_str(value: object) -> bool:
    return isinstance(value, str) and len(value) <= 64
