"""Stored files over HTTP: ETag, Last-Modified, 304, single byte ranges, 416, HEAD.

Starlette's ``FileResponse`` needs a local path and answers a malformed ``Range``
with a plain-text 400; players and RFC 9110 expect such a header to be ignored. This
response reads through ``ByteSource`` instead of a path, so a store without local
files (object storage answering ranged GETs) plugs in by providing one, and it
follows ``rfc9110.evaluate`` like the segment fast path. Bytes stream from the
store in chunks; a file is never read whole into memory.
"""

from __future__ import annotations

import re
from collections.abc import Generator, Mapping
from typing import Protocol
from urllib.parse import quote

import anyio
import anyio.to_thread
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from tonearm.errors import NotFound, Unavailable
from tonearm.storage import BlobStore
from tonearm.streaming.rfc9110 import (
    PROBLEM_JSON,
    Representation,
    evaluate,
    http_date,
    problem_body,
)

CHUNK = 256 * 1024


class ByteSource(Protocol):
    """An object's length and its bytes by span: what a ranged response reads.

    MUST: ``size`` is the exact length in bytes; ``read_range(start, end)`` is a
    generator of the bytes ``start`` to ``end`` inclusive, in order, in chunks of any
    size, that raises ``NotFound`` if the object has gone. It blocks: callers step it
    in a worker thread, and close it early when the client leaves.
    MAY: give ``last_modified`` (epoch seconds the bytes were stored), else None.
    """

    @property
    def size(self) -> int: ...

    @property
    def last_modified(self) -> int | None: ...

    def read_range(self, start: int, end: int) -> Generator[bytes, None, None]: ...


class StoredObject:
    """A ``BlobStore`` key as a ``ByteSource``.

    Built in a worker thread (it asks the store for the size). A store with local
    files is read through one open file; any other (object storage) through its
    ``read_range``, one bounded chunk per call.
    """

    def __init__(self, store: BlobStore, key: str) -> None:
        size = store.size(key)
        if size is None:
            raise NotFound("The file for this track is missing from storage.")
        self._store = store
        self._key = key
        self._size = size
        self._modified: int | None = None
        self._path = store.local_path(key)
        if self._path is not None:
            try:
                self._modified = int(self._path.stat().st_mtime)
            except FileNotFoundError:
                raise NotFound("The file for this track is missing from storage.") from None

    @property
    def size(self) -> int:
        return self._size

    @property
    def last_modified(self) -> int | None:
        return self._modified

    def read_range(self, start: int, end: int) -> Generator[bytes, None, None]:
        if self._path is None:
            for first in range(start, end + 1, CHUNK):
                yield self._store.read_range(self._key, first, min(first + CHUNK, end + 1) - 1)
            return
        with self._store.open(self._key) as fh:
            fh.seek(start)
            left = end - start + 1
            while left > 0:
                chunk = fh.read(min(CHUNK, left))
                if not chunk:
                    raise Unavailable("The stored file is shorter than its recorded size.")
                left -= len(chunk)
                yield chunk


class RangedFileResponse(Response):
    """A ``ByteSource`` answered per RFC 9110 for the request's method and headers."""

    def __init__(
        self,
        source: ByteSource,
        *,
        method: str,
        request_headers: Mapping[str, str],
        media_type: str,
        etag: str,
        cache_control: str,
        download_name: str | None = None,
        disposition: str = "inline",
    ) -> None:
        """``disposition`` ``attachment`` asks browsers to save rather than play."""
        self.source = source
        self.background = None
        self._head = method == "HEAD"
        rep = Representation(source.size, etag, source.last_modified)
        self.answer = evaluate(
            rep,
            method=method,
            if_none_match=request_headers.get("if-none-match"),
            if_modified_since=request_headers.get("if-modified-since"),
            range_header=request_headers.get("range"),
            if_range=request_headers.get("if-range"),
        )
        headers = {"etag": etag, "cache-control": cache_control}
        if rep.last_modified is not None:
            headers["last-modified"] = http_date(rep.last_modified)
        self.status_code = self.answer.status
        self._body = b""
        if self.status_code == 416:
            self._body = problem_body(
                416, "Range Not Satisfiable", f"The file is {rep.size} bytes long."
            )
            headers |= {
                "content-type": PROBLEM_JSON,
                "content-range": f"bytes */{rep.size}",
                "content-length": str(len(self._body)),
            }
        elif self.status_code != 304:
            headers |= {
                "content-type": media_type,
                "accept-ranges": "bytes",
                "content-length": str(self.answer.length),
            }
            if download_name is not None:
                headers["content-disposition"] = content_disposition(disposition, download_name)
            if self.status_code == 206:
                headers["content-range"] = f"bytes {self.answer.start}-{self.answer.end}/{rep.size}"
        self.raw_headers = [(k.encode(), v.encode("latin-1")) for k, v in headers.items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers}
        )
        if self._head or self.status_code not in (200, 206) or self.answer.length <= 0:
            await send({"type": "http.response.body", "body": b"" if self._head else self._body})
            return
        # Stop reading the store as soon as the client goes away.
        await send_chunks(receive, send, self.source.read_range(self.answer.start, self.answer.end))


_UNSAFE_IN_QUOTES = re.compile(r'[^\x20-\x7e]|["\\]')


async def send_chunks(receive: Receive, send: Send, chunks: Generator[bytes, None, None]) -> None:
    """Send a blocking generator's chunks as the response body, each read in a worker
    thread, until it ends or the client goes away; the generator is closed either way."""
    async with anyio.create_task_group() as group:

        async def watch_disconnect() -> None:
            while (await receive())["type"] != "http.disconnect":
                pass
            group.cancel_scope.cancel()

        group.start_soon(watch_disconnect)
        done = object()
        try:
            while True:
                chunk = await anyio.to_thread.run_sync(next, chunks, done)
                if chunk is done:
                    break
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
            await send({"type": "http.response.body", "body": b""})
        finally:
            with anyio.CancelScope(shield=True):
                await anyio.to_thread.run_sync(chunks.close)
        group.cancel_scope.cancel()


def content_disposition(kind: str, filename: str) -> str:
    """RFC 6266: an ASCII ``filename`` (quotes and backslashes escaped, anything
    else replaced by ``_``) for old clients, and the exact name as RFC 8187
    ``filename*=UTF-8''...`` for the rest."""
    fallback = _UNSAFE_IN_QUOTES.sub(lambda m: "\\" + m[0] if m[0] in '"\\' else "_", filename)
    exact = quote(filename, safe="!#$&+-.^_`|~")
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{exact}"
