"""Running on-the-fly transcodes: one ffmpeg per stream, at most ``limit`` at once.

A transcode holds a CPU core for as long as the player listens, so the number running
is capped; one more is refused at once (``Unavailable``) rather than queued, because
a player waiting on a stream that has not started shows a spinner, not an error.
The slot is held from ``start`` until ``close``: the response closes it when the
client leaves or the encode ends, and a failed start closes it at once. The limit
holds per server process (``serve --workers N`` allows N times as many).
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import threading
from collections.abc import Callable, Generator
from typing import IO

from tonearm.errors import Unavailable
from tonearm.media.tools import MediaTools
from tonearm.media.transcode import TARGETS, transcode_args
from tonearm.types import Kbps, Seconds

CHUNK = 64 * 1024


class Transcoder:
    def __init__(self, tools: MediaTools, limit: int) -> None:
        self._tools = tools
        self._limit = max(0, limit)
        self._slots = threading.BoundedSemaphore(self._limit) if self._limit else None

    @property
    def limit(self) -> int:
        return self._limit

    def start(self, source: str, target: str, kbps: Kbps | None, offset: Seconds) -> Transcode:
        """Start encoding ``source`` (a local path or a URL ffmpeg can read).

        Blocks until ffmpeg wrote its first bytes, so a source it cannot read is an
        error here, not an empty stream. Raises ``Unavailable`` when every slot is taken.
        """
        if self._slots is None or not self._slots.acquire(blocking=False):
            raise Unavailable(
                f"The server is already transcoding {self._limit} streams, its limit; "
                "try again soon, or ask for a stored format (raw, aac or mp3)."
            )
        slots = self._slots
        # Errors go to a file: an unread pipe that fills up would stall ffmpeg.
        errors = tempfile.TemporaryFile()  # noqa: SIM115 - closed by Transcode.close
        try:
            proc = subprocess.Popen(
                transcode_args(self._tools.ffmpeg, source, target, kbps, offset),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=errors,
            )
        except OSError:
            errors.close()
            slots.release()
            raise Unavailable("ffmpeg could not be started for this transcode.") from None
        transcode = Transcode(proc, errors, slots.release, TARGETS[target].media_type)
        transcode.prime()
        return transcode


class Transcode:
    """One running ffmpeg: its output in chunks, and ``close`` (idempotent) that ends it."""

    def __init__(
        self,
        proc: subprocess.Popen[bytes],
        errors: IO[bytes],
        release: Callable[[], None],
        media_type: str,
    ) -> None:
        self._proc = proc
        self._errors = errors
        self._release = release
        self._closed = False
        self._lock = threading.Lock()
        self._first = b""
        self.media_type = media_type

    def prime(self) -> None:
        """Read the first chunk; a process that wrote nothing and failed is an error."""
        assert self._proc.stdout is not None
        self._first = os.read(self._proc.stdout.fileno(), CHUNK)
        if not self._first:
            code = self._proc.wait()
            self._errors.seek(0)
            message = self._errors.read()[-300:]
            self.close()
            if code != 0:
                raise Unavailable(
                    "The transcode failed: " + message.decode(errors="replace").strip()
                )

    def chunks(self) -> Generator[bytes, None, None]:
        """The output, in order; blocks (callers step it in a worker thread)."""
        assert self._proc.stdout is not None
        try:
            if self._first:
                yield self._first
            while True:
                chunk = os.read(self._proc.stdout.fileno(), CHUNK)
                if not chunk:
                    return
                yield chunk
        finally:
            self.close()

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
        try:
            if self._proc.poll() is None:
                self._proc.kill()
            self._proc.wait()
            if self._proc.stdout is not None:
                self._proc.stdout.close()
            self._errors.close()
        finally:
            self._release()
