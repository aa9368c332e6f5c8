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
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

import anyio.to_thread

from tonearm.errors import NotFound
from tonearm.storage import BlobStore
from tonearm.streaming.segments import SEGMENT_PREFIX, parse_segment_path
from tonearm.streaming.signing import UrlSigner

log = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_IMMUTABLE = b"public, max-age=31536000, immutable"
_PROBLEM = b"application/problem+json"


@dataclass(frozen=True)
class _Entry:
    data: bytes
    etag: bytes
    headers: list[tuple[bytes, bytes]]
    """The 200 response's headers, built once."""


class SegmentCache:
    """Least-recently-used segments with their response headers, bounded by total size."""

    def __init__(self, max_bytes: int) -> None:
        self._max = max_bytes
        self._items: OrderedDict[str, _Entry] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, key: str) -> _Entry | None:
        with self._lock:
            entry = self._items.get(key)
            if entry is not None:
                self._items.move_to_end(key)
            return entry

    def put(self, key: str, entry: _Entry) -> None:
        if len(entry.data) > self._max // 8:
            return
        with self._lock:
            if key in self._items:
                return
            self._items[key] = entry
            self._size += len(entry.data)
            while self._size > self._max:
                _, old = self._items.popitem(last=False)
                self._size -= len(old.data)


class SegmentServer:
    def __init__(
        self, app: ASGIApp, store: BlobStore, signer: UrlSigner, cache: SegmentCache
    ) -> None:
        self._app = app
        self._store = store
        self._signer = signer
        self._cache = cache
        # (path, query) already checked -> (expiry, store key, media type): a player asks
        # for the same signed URLs again and again, so the HMAC runs once per URL.
        self._verified: dict[tuple[str, bytes], tuple[int, str, str]] = {}

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
        query: bytes = scope.get("query_string", b"")
        known = self._verified.get((path, query))
        if known is not None and known[0] >= time.time():
            _, key, media_type = known
        else:
            checked = await self._check(send, path, query)
            if checked is None:
                return
            key, media_type = checked
        entry = self._cache.get(key)
        if entry is None:
            try:
                data = await anyio.to_thread.run_sync(self._store.read_bytes, key)
            except NotFound:
                await _problem(send, 404, "Not found", "No such segment.")
                return
            entry = _entry(key, media_type, data)
            self._cache.put(key, entry)
        conditional = None
        rng = None
        if_range = None
        for name, value in scope["headers"]:
            if name == b"if-none-match":
                conditional = value
            elif name == b"range":
                rng = value
            elif name == b"if-range":
                if_range = value
        if conditional is None and rng is None:
            await send({"type": "http.response.start", "status": 200, "headers": entry.headers})
            await send(
                {"type": "http.response.body", "body": b"" if method == "HEAD" else entry.data}
            )
            return
        await self._conditional(send, method, entry, conditional, rng, if_range)

    async def _check(self, send: Send, path: str, query: bytes) -> tuple[str, str] | None:
        parsed = parse_segment_path(path)
        if parsed is None:
            await _problem(send, 404, "Not found", "No such segment.")
            return None
        params = dict(parse_qsl(query.decode("latin-1")))
        expires, signature = params.get("e", ""), params.get("s", "")
        if not self._signer.verify(path, expires, signature):
            await _problem(
                send,
                403,
                "Forbidden",
                "This media link is invalid or has expired; reload the playlist.",
            )
            return None
        if len(self._verified) > _MAX_VERIFIED:
            self._verified.clear()
        self._verified[(path, query)] = (int(expires), *parsed)
        return parsed

    async def _conditional(
        self,
        send: Send,
        method: str,
        entry: _Entry,
        inm: bytes | None,
        rng: bytes | None,
        if_range: bytes | None,
    ) -> None:
        data, etag = entry.data, entry.etag
        headers = [h for h in entry.headers if h[0] != b"content-length"]
        if inm is not None and (inm == b"*" or etag in [t.strip() for t in inm.split(b",")]):
            await send({"type": "http.response.start", "status": 304, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
            return
        status, body = 200, data
        if rng is not None and (if_range is None or if_range == etag):
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
                headers.append((b"content-range", f"bytes {start}-{end}/{len(data)}".encode()))
        headers.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": b"" if method == "HEAD" else body})


_MAX_VERIFIED = 200_000


def _entry(key: str, media_type: str, data: bytes) -> _Entry:
    etag = b'"' + key.rsplit("/", 1)[-1].split(".", 1)[0].encode() + b'"'
    headers = [
        (b"content-type", media_type.encode()),
        (b"cache-control", _IMMUTABLE),
        (b"etag", etag),
        (b"accept-ranges", b"bytes"),
        (b"content-length", str(len(data)).encode()),
    ]
    return _Entry(data, etag, headers)


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
