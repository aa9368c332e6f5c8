"""Segments served straight from ASGI, ahead of the web framework.

A segment request is the hottest path of the product (one every few seconds per
listener) and its answer never changes, so it skips routing, dependency injection
and middleware: check the signed URL, answer from an in-memory LRU of segment
bytes, done. Everything else falls through to the application.
"""

from __future__ import annotations

import json
import logging
import threading
from collections import OrderedDict
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qsl

import anyio.to_thread

from tonearm.errors import NotFound
from tonearm.storage import BlobStore
from tonearm.streaming.service import SEGMENT_PREFIX, parse_segment_path
from tonearm.streaming.signing import UrlSigner

log = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_IMMUTABLE = b"public, max-age=31536000, immutable"
_PROBLEM = b"application/problem+json"


class SegmentCache:
    """Least-recently-used segment bytes, bounded by their total size."""

    def __init__(self, max_bytes: int) -> None:
        self._max = max_bytes
        self._items: OrderedDict[str, bytes] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        with self._lock:
            data = self._items.get(key)
            if data is not None:
                self._items.move_to_end(key)
            return data

    def put(self, key: str, data: bytes) -> None:
        if len(data) > self._max // 8:
            return
        with self._lock:
            if key in self._items:
                return
            self._items[key] = data
            self._size += len(data)
            while self._size > self._max:
                _, old = self._items.popitem(last=False)
                self._size -= len(old)


class SegmentServer:
    def __init__(
        self, app: ASGIApp, store: BlobStore, signer: UrlSigner, cache: SegmentCache
    ) -> None:
        self._app = app
        self._store = store
        self._signer = signer
        self._cache = cache

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(SEGMENT_PREFIX):
            await self._app(scope, receive, send)
            return
        method = scope["method"]
        if method not in ("GET", "HEAD"):
            await _problem(
                send,
                405,
                "Method not allowed",
                "Segments are read-only.",
                [(b"allow", b"GET, HEAD")],
            )
            return
        path: str = scope["path"]
        parsed = parse_segment_path(path)
        if parsed is None:
            await _problem(send, 404, "Not found", "No such segment.")
            return
        key, media_type = parsed
        query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
        if not self._signer.verify(path, query.get("e", ""), query.get("s", "")):
            await _problem(
                send,
                403,
                "Forbidden",
                "This media link is invalid or has expired; reload the playlist.",
            )
            return
        data = self._cache.get(key)
        if data is None:
            try:
                data = await anyio.to_thread.run_sync(self._store.read_bytes, key)
            except NotFound:
                await _problem(send, 404, "Not found", "No such segment.")
                return
            self._cache.put(key, data)
        etag = b'"' + key.rsplit("/", 1)[-1].split(".", 1)[0].encode() + b'"'
        headers = [
            (b"content-type", media_type.encode()),
            (b"cache-control", _IMMUTABLE),
            (b"etag", etag),
            (b"accept-ranges", b"bytes"),
        ]
        req = _request_headers(scope)
        inm = req.get(b"if-none-match")
        if inm is not None and (inm == b"*" or etag in [t.strip() for t in inm.split(b",")]):
            await send({"type": "http.response.start", "status": 304, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
            return
        status, body, extra = 200, data, []
        rng = req.get(b"range")
        if rng is not None and _if_range_ok(req.get(b"if-range"), etag):
            span = _single_range(rng, len(data))
            if span == _UNSATISFIABLE:
                await _problem(
                    send,
                    416,
                    "Range not satisfiable",
                    f"The segment is {len(data)} bytes long.",
                    [(b"content-range", f"bytes */{len(data)}".encode())],
                )
                return
            if span is not None:
                start, end = span
                status, body = 206, data[start : end + 1]
                extra = [(b"content-range", f"bytes {start}-{end}/{len(data)}".encode())]
        headers += extra
        headers.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": b"" if method == "HEAD" else body})


def _request_headers(scope: Scope) -> dict[bytes, bytes]:
    return {k.lower(): v for k, v in scope.get("headers", [])}


def _if_range_ok(if_range: bytes | None, etag: bytes) -> bool:
    return if_range is None or if_range == etag


_UNSATISFIABLE = (-1, -1)


def _single_range(header: bytes, size: int) -> tuple[int, int] | None:
    """One ``bytes=`` range as inclusive offsets; None to ignore it (serve 200);
    ``_UNSATISFIABLE`` when it starts past the end."""
    unit, _, spec = header.decode("latin-1").partition("=")
    if unit.strip() != "bytes" or "," in spec:
        return None
    first, _, last = spec.strip().partition("-")
    try:
        if first == "":
            length = int(last)
            if length == 0:
                return _UNSATISFIABLE
            return max(0, size - length), size - 1
        start = int(first)
        end = int(last) if last else size - 1
    except ValueError:
        return None
    if start >= size:
        return _UNSATISFIABLE
    if end < start:
        return None
    return start, min(end, size - 1)


async def _problem(
    send: Send, status: int, title: str, detail: str, extra: list[tuple[bytes, bytes]] | None = None
) -> None:
    body = json.dumps(
        {"type": "about:blank", "title": title, "status": status, "detail": detail}
    ).encode()
    headers = [(b"content-type", _PROBLEM), (b"content-length", str(len(body)).encode())]
    headers += extra or []
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
