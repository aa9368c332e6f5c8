"""Segments served straight from ASGI, ahead of the web framework.

A segment request is the hottest path of the product (one every few seconds per
listener) and its answer never changes, so it skips routing, dependency injection
and middleware: check the signed URL, answer from an in-memory LRU of segment
bytes, done. Everything else falls through to the application.

Anyone can send requests here, signed or not, so every piece of memory a request
can make us keep is bounded: the URL must be exactly a URL we signed (see
``signing``), the memo of verified URLs holds a fixed number of entries, and the
segment cache a fixed number of bytes, both least-recently-used first.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

import anyio.to_thread

from tonearm.accounts.credentials import binding_of, binding_of_request
from tonearm.errors import NotFound
from tonearm.storage import BlobStore
from tonearm.streaming.rfc9110 import PROBLEM_JSON, Representation, evaluate, problem_body
from tonearm.streaming.segments import SEGMENT_PREFIX, parse_segment_path
from tonearm.streaming.signing import UrlSigner, parse_query

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_IMMUTABLE = b"public, max-age=31536000, immutable"
_PROBLEM = PROBLEM_JSON.encode()
# What an entry costs besides its bytes (headers, key, bookkeeping), so that a cache
# of many tiny objects is bounded too.
_ENTRY_OVERHEAD = 1024
DEFAULT_VERIFIED_URLS = 8192


@dataclass(frozen=True)
class _Entry:
    data: bytes
    etag: bytes
    headers: list[tuple[bytes, bytes]]
    """The 200 response's headers, built once."""

    @property
    def cost(self) -> int:
        return len(self.data) + _ENTRY_OVERHEAD


class SegmentCache:
    """Least-recently-used segments with their response headers, bounded by total size
    (the bytes plus a fixed overhead per entry)."""

    def __init__(self, max_bytes: int) -> None:
        self._max = max_bytes
        self._items: OrderedDict[str, _Entry] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    @property
    def size(self) -> int:
        return self._size

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: str) -> _Entry | None:
        with self._lock:
            entry = self._items.get(key)
            if entry is not None:
                self._items.move_to_end(key)
            return entry

    def put(self, key: str, entry: _Entry) -> None:
        if entry.cost > self._max // 8:
            return
        with self._lock:
            if key in self._items:
                return
            self._items[key] = entry
            self._size += entry.cost
            while self._size > self._max:
                _, old = self._items.popitem(last=False)
                self._size -= old.cost


class VerifiedUrls:
    """Signed URLs already checked, most recently used kept, at most ``max_entries``.

    A player asks for the same signed URLs again and again, so the HMAC runs once
    per URL. Keys are (path, expiry, signature, binding) of URLs that verified for
    that viewer, so only URLs we signed ever get in, and each costs a few hundred bytes.
    """

    def __init__(self, max_entries: int = DEFAULT_VERIFIED_URLS) -> None:
        self._max = max(1, max_entries)
        self._items: OrderedDict[tuple[str, int, str, str], tuple[str, str]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._items)

    def get(
        self, path: str, expires: int, signature: str, binding: str = ""
    ) -> tuple[str, str] | None:
        """(store key, media type) of a URL that verified and has not expired."""
        key = (path, expires, signature, binding)
        with self._lock:
            found = self._items.get(key)
            if found is None:
                return None
            if expires < time.time():
                del self._items[key]
                return None
            self._items.move_to_end(key)
            return found

    def put(
        self,
        path: str,
        expires: int,
        signature: str,
        target: tuple[str, str],
        binding: str = "",
    ) -> None:
        with self._lock:
            self._items[(path, expires, signature, binding)] = target
            while len(self._items) > self._max:
                self._items.popitem(last=False)


class SegmentServer:
    def __init__(
        self,
        app: ASGIApp,
        store: BlobStore,
        signer: UrlSigner,
        cache: SegmentCache,
        verified: VerifiedUrls | None = None,
        *,
        bind_to_address: bool = False,
        security_headers: tuple[tuple[bytes, bytes], ...] = (),
    ) -> None:
        self._bind_to_address = bind_to_address
        # Added to every answer here, prebuilt: the edge does not wrap segment requests.
        self._security = security_headers
        self._app = app
        self._store = store
        self._signer = signer
        self._cache = cache
        self.verified = verified if verified is not None else VerifiedUrls()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(SEGMENT_PREFIX):
            await self._app(scope, receive, send)
            return
        method = scope["method"]
        if method not in ("GET", "HEAD"):
            await _problem(
                self._security,
                send,
                405,
                "Method Not Allowed",
                "Segments are read-only.",
                [(b"allow", b"GET, HEAD")],
            )
            return
        target = self._target(scope["path"], scope.get("query_string", b""), self._binding(scope))
        if isinstance(target, str):
            await _problem(
                self._security, send, 404 if target == _NO_SEGMENT else 403, *_REFUSALS[target]
            )
            return
        key, media_type = target
        entry = self._cache.get(key)
        if entry is None:
            try:
                data = await anyio.to_thread.run_sync(self._store.read_bytes, key)
            except NotFound:
                await _problem(self._security, send, 404, *_REFUSALS[_NO_SEGMENT])
                return
            entry = _entry(key, media_type, data, self._security)
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

    def _binding(self, scope: Scope) -> str:
        return binding_of_request(scope["headers"], scope.get("client"), self._bind_to_address)

    def _target(self, path: str, query: bytes, binding: str) -> tuple[str, str] | str:
        """(store key, media type) of a valid signed segment URL, else why not.

        A URL made for an anonymous visitor (public tracks, when anonymous listening is
        on) carries no binding and plays anywhere; every other URL only for its viewer.
        """
        signed = parse_query(query)
        if signed is None:
            return _NOT_SIGNED
        expires, signature = signed
        known = self.verified.get(path, expires, signature, binding)
        if known is not None:
            return known
        parsed = parse_segment_path(path)
        if parsed is None:
            return _NO_SEGMENT
        anonymous = binding_of(None, binding.partition("@")[2] or None) if "@" in binding else ""
        if not (
            self._signer.verify_parsed(path, expires, signature, binding)
            or self._signer.verify_parsed(path, expires, signature, anonymous)
        ):
            return _BAD_SIGNATURE
        self.verified.put(path, expires, signature, parsed, binding)
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
        data = entry.data
        answer = evaluate(
            Representation(len(data), entry.etag.decode()),
            method=method,
            if_none_match=None if inm is None else inm.decode("latin-1"),
            range_header=None if rng is None else rng.decode("latin-1"),
            if_range=None if if_range is None else if_range.decode("latin-1"),
        )
        headers = [h for h in entry.headers if h[0] != b"content-length"]
        if answer.status == 304:
            headers = [h for h in headers if h[0] != b"content-type"]
            await send({"type": "http.response.start", "status": 304, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
            return
        if answer.status == 416:
            await _problem(
                self._security,
                send,
                416,
                "Range Not Satisfiable",
                f"The segment is {len(data)} bytes long.",
                [(b"content-range", f"bytes */{len(data)}".encode())],
            )
            return
        body = data
        if answer.status == 206:
            body = data[answer.start : answer.end + 1]
            headers.append(
                (b"content-range", f"bytes {answer.start}-{answer.end}/{len(data)}".encode())
            )
        headers.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": answer.status, "headers": headers})
        await send({"type": "http.response.body", "body": b"" if method == "HEAD" else body})


_NOT_SIGNED = "not-signed"
_BAD_SIGNATURE = "bad-signature"
_NO_SEGMENT = "no-segment"
_REFUSALS = {
    _NOT_SIGNED: (
        "Forbidden",
        "A media link carries exactly e=<expiry>&s=<signature>, as the playlist gave it.",
    ),
    _BAD_SIGNATURE: (
        "Forbidden",
        "This media link is invalid or has expired; reload the playlist.",
    ),
    _NO_SEGMENT: ("Not Found", "No such segment."),
}


def _entry(
    key: str, media_type: str, data: bytes, security: tuple[tuple[bytes, bytes], ...] = ()
) -> _Entry:
    etag = b'"' + key.rsplit("/", 1)[-1].split(".", 1)[0].encode() + b'"'
    headers = [
        (b"content-type", media_type.encode()),
        (b"cache-control", _IMMUTABLE),
        (b"etag", etag),
        (b"accept-ranges", b"bytes"),
        (b"content-length", str(len(data)).encode()),
        *security,
    ]
    return _Entry(data, etag, headers)


async def _problem(
    security: tuple[tuple[bytes, bytes], ...],
    send: Send,
    status: int,
    title: str,
    detail: str,
    extra: list[tuple[bytes, bytes]] | None = None,
) -> None:
    body = problem_body(status, title, detail)
    headers = [(b"content-type", _PROBLEM), (b"content-length", str(len(body)).encode())]
    headers += extra or []
    headers += security
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
