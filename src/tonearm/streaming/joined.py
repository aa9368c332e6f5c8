"""Several stored objects read as one: an AAC rung as a single fragmented MP4.

An HLS rendition is an init section (``init.mp4``) and media segments (``moof`` +
``mdat`` each). Written one after the other they are a valid fragmented MP4 that any
player reads progressively, with a length known in advance (the segment sizes are in
the database), so Range and seeking work without re-encoding anything. Starting the
list at a later segment is a file that starts later: segments carry their own decode
times (``tfdt``), so players see the real position.
"""

from __future__ import annotations

import bisect
from collections.abc import Generator, Sequence
from itertools import accumulate

from tonearm.errors import Unavailable
from tonearm.storage import BlobStore
from tonearm.streaming.file_response import CHUNK


class JoinedSource:
    """``pieces`` (store key, exact size) read end to end, as a ``ByteSource``."""

    def __init__(self, store: BlobStore, pieces: Sequence[tuple[str, int]]) -> None:
        self._store = store
        self._keys = [key for key, _ in pieces]
        self._sizes = [size for _, size in pieces]
        # Where each piece starts in the joined bytes.
        self._starts = [0, *accumulate(self._sizes)]

    @property
    def size(self) -> int:
        return self._starts[-1]

    @property
    def last_modified(self) -> int | None:
        return None

    def read_range(self, start: int, end: int) -> Generator[bytes, None, None]:
        index = bisect.bisect_right(self._starts, start) - 1
        while start <= end and index < len(self._keys):
            piece_start = self._starts[index]
            last = min(end, self._starts[index + 1] - 1)
            yield from self._read_piece(index, start - piece_start, last - piece_start)
            start = last + 1
            index += 1

    def _read_piece(self, index: int, first: int, last: int) -> Generator[bytes, None, None]:
        key = self._keys[index]
        if self._store.local_path(key) is None:
            for at in range(first, last + 1, CHUNK):
                yield self._store.read_range(key, at, min(at + CHUNK, last + 1) - 1)
            return
        with self._store.open(key) as fh:
            fh.seek(first)
            left = last - first + 1
            while left > 0:
                chunk = fh.read(min(CHUNK, left))
                if not chunk:
                    raise Unavailable("A stored segment is shorter than its recorded size.")
                left -= len(chunk)
                yield chunk


class TailSource:
    """A ``ByteSource`` from byte ``skip`` of another to its end (an MP3 cut at a frame)."""

    def __init__(self, source: JoinedSource, skip: int) -> None:
        self._source = source
        self._skip = max(0, min(skip, source.size))

    @property
    def size(self) -> int:
        return self._source.size - self._skip

    @property
    def last_modified(self) -> int | None:
        return None

    def read_range(self, start: int, end: int) -> Generator[bytes, None, None]:
        return self._source.read_range(start + self._skip, end + self._skip)
