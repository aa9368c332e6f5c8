"""``GET /api/events``: change notices as server-sent events (text/event-stream).

    : connected                        (once subscribed: later changes will arrive)
    event: track                       (one per change the viewer may see)
    data: {"id": "...", "action": "updated"}
    event: live                        (a track's live listener count changed)
    data: {"track_id": "...", "listeners": 2}
    : keep-alive                       (every 15 s, so proxies keep the stream open)

The stream ends when the client goes away, when the server shuts down (the feed is
closed first) and when the viewer fell too far behind; the browser's EventSource then
reconnects by itself, and the page reloads what it shows.
"""

# No `from __future__ import annotations` here: FastAPI reads each route's parameter
# types at definition time, and they name dependencies built per app (local names).

import json
import logging
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Depends, Response
from starlette.types import Message, Receive, Scope, Send

from tonearm.accounts.auth import Deps
from tonearm.accounts.principal import Viewer
from tonearm.events import ChangeFeed, Closed, Subscription
from tonearm.social.live import LiveFilter

log = logging.getLogger(__name__)

KEEP_ALIVE_S = 15.0


class EventStream(Response):
    media_type = "text/event-stream"

    def __init__(
        self, subscription: Subscription, viewer: Viewer, live: LiveFilter, keep_alive_s: float
    ) -> None:
        super().__init__(media_type=self.media_type)
        # Built here: Response would announce an empty body (content-length: 0).
        self.raw_headers = [
            (b"content-type", b"text/event-stream; charset=utf-8"),
            (b"cache-control", b"no-store"),
            (b"x-accel-buffering", b"no"),  # nginx: pass each event on at once
        ]
        self._sub = subscription
        self._viewer = viewer
        self._live = live
        self._keep_alive_s = keep_alive_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # The disconnect is watched here whatever the ASGI version: with spec 2.4 a
        # StreamingResponse notices it only at its next write, up to 15 s later.
        try:
            async with anyio.create_task_group() as tg:

                async def watch() -> None:
                    while True:
                        message: Message = await receive()
                        if message["type"] == "http.disconnect":
                            tg.cancel_scope.cancel()
                            return

                tg.start_soon(watch)
                await self._stream(send)
                tg.cancel_scope.cancel()
        except* OSError:
            pass  # the client went away mid-write
        finally:
            self._sub.close()

    async def _stream(self, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": self.raw_headers})
        await _body(send, b"retry: 3000\n: connected\n\n")
        while True:
            try:
                event = await self._sub.get(self._keep_alive_s)
            except Closed:
                break
            if event is None:
                await _body(send, b": keep-alive\n\n")
                continue
            data = self._live.for_viewer(self._viewer, event)
            if data is not None:
                line = json.dumps(data, separators=(",", ":"))
                await _body(send, f"event: {event.topic}\ndata: {line}\n\n".encode())
        await send({"type": "http.response.body", "body": b"", "more_body": False})


async def _body(send: Send, chunk: bytes) -> None:
    await send({"type": "http.response.body", "body": chunk, "more_body": True})


def build_router(
    feed: ChangeFeed, live: LiveFilter, deps: Deps, *, keep_alive_s: float = KEEP_ALIVE_S
) -> APIRouter:
    router = APIRouter(tags=["social"])
    Reader = Annotated[Viewer, Depends(deps.reader)]  # noqa: N806

    stream_doc: dict[int | str, dict[str, Any]] = {
        200: {
            "description": "Server-sent events: `track`, `playlist`, `queue` and `live` "
            '(`{"track_id": "...", "listeners": n}`: a track\'s live listener count '
            "changed; sent to those who may see the track, see `GET /api/live`).",
            "content": {"text/event-stream": {"schema": {"type": "string"}}},
        }
    }

    @router.get(
        "/api/events",
        summary="Change notices for open pages (server-sent events)",
        response_class=Response,
        responses=stream_doc,
    )
    async def events(viewer: Reader) -> Response:
        subscription = await feed.subscribe()
        return EventStream(subscription, viewer, live, keep_alive_s)

    return router
