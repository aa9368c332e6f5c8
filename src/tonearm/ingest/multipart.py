"""Receiving one file from a multipart/form-data body without buffering it.

Starlette's form parser spools files to its own temp file before the route runs;
we parse the stream ourselves so the bytes are hashed on their single way to disk
and the size limit stops the transfer as soon as it is crossed.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import anyio.to_thread
from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header

from tonearm.errors import BadRequest
from tonearm.ingest.bodies import batched
from tonearm.ingest.staging import (
    FileLock,
    HashingWriter,
    StagedFile,
    StagingArea,
    safe_filename,
)


class _FilePart:
    def __init__(self, staging: StagingArea, field: str, limit: int) -> None:
        self._staging = staging
        self._field = field
        self._limit = limit
        self._header_field = b""
        self._header_value = b""
        self._disposition: dict[bytes, bytes] = {}
        self._writer: HashingWriter | None = None
        self._lock: FileLock | None = None
        self._in_target = False
        self.filename: str | None = None
        self.done = False
        self.error: Exception | None = None

    def callbacks(self) -> Any:
        return {
            "on_part_begin": self._part_begin,
            "on_header_field": lambda d, s, e: self._add(field=d[s:e]),
            "on_header_value": lambda d, s, e: self._add(value=d[s:e]),
            "on_header_end": self._header_end,
            "on_headers_finished": self._headers_finished,
            "on_part_data": self._data,
            "on_part_end": self._part_end,
        }

    def _part_begin(self) -> None:
        self._disposition = {}
        self._in_target = False

    def _add(self, field: bytes = b"", value: bytes = b"") -> None:
        self._header_field += field
        self._header_value += value

    def _header_end(self) -> None:
        if self._header_field.lower() == b"content-disposition":
            _, self._disposition = parse_options_header(self._header_value)
        self._header_field = b""
        self._header_value = b""

    def _headers_finished(self) -> None:
        if self._writer is None and not self.done:
            name = self._disposition.get(b"name", b"").decode("utf-8", "replace")
            if name == self._field and b"filename" in self._disposition:
                self._in_target = True
                self.filename = _form_filename(self._disposition[b"filename"])
                self._writer = HashingWriter(self._staging.new_path(), limit=self._limit)
                self._lock = FileLock(self._writer.path)
                self._lock.acquire()

    def _data(self, data: bytes, start: int, end: int) -> None:
        if self._in_target and self._writer is not None:
            self._writer.write(data[start:end])

    def _part_end(self) -> None:
        if self._in_target:
            self._in_target = False
            self.done = True

    def finish(self) -> StagedFile:
        if self._writer is None or not self.done:
            raise BadRequest(f"The form has no file in the field {self._field!r}.")
        self._writer.close()
        return StagedFile(
            path=self._writer.path,
            sha256=self._writer.hexdigest(),
            size=self._writer.size,
            filename=safe_filename(self.filename),
            lock=self._lock,
        )

    def abort(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer.path.unlink(missing_ok=True)
        if self._lock is not None:
            self._lock.release()


async def receive_file(
    content_type: str | None,
    body: AsyncIterator[bytes],
    staging: StagingArea,
    *,
    field: str,
    limit: int,
) -> StagedFile:
    """Stream the file in form field ``field`` to a staged temp file."""
    ctype, params = parse_options_header(content_type or "")
    boundary = params.get(b"boundary")
    if ctype != b"multipart/form-data" or not boundary:
        raise BadRequest("Send the file as multipart/form-data, or use the resumable upload API.")
    part = _FilePart(staging, field, limit)
    parser = MultipartParser(boundary, part.callbacks())
    try:
        # Disk writes run in a worker thread, a megabyte at a time: the event loop also
        # serves segments and must never wait on a disk.
        async for batch in batched(body):
            await anyio.to_thread.run_sync(parser.write, batch)
        parser.finalize()
        return await anyio.to_thread.run_sync(part.finish)
    except MultipartParseError:
        part.abort()
        raise BadRequest("The multipart body is malformed.") from None
    except BaseException:
        part.abort()
        raise


def _form_filename(raw: bytes) -> str:
    """A multipart filename as the person named it.

    Browsers (and httpx) escape '"', CR and LF in a form's filename as %22, %0D and
    %0A (the HTML form encoding rules); other '%' sequences are left as sent.
    """
    name = raw.decode("utf-8", "replace")
    return name.replace("%22", '"').replace("%0D", "\r").replace("%0A", "\n")
