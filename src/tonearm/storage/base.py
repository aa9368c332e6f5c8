"""The blob store contract.

Keys are '/'-separated relative paths (``originals/ab/abcd….flac``,
``hls/<blob>/<rung>/<hash>.m4s``). Objects are immutable once written: a key is
written whole or not at all, and writing the same key again with the same bytes
is harmless (content addressing makes re-runs idempotent).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, Protocol

from tonearm.errors import Invalid


class BlobStore(Protocol):
    """Where audio, segments and derived files live.

    MUST: ``put_file`` is atomic (readers never see a partial object) and may consume
    (move) the source file when ``move=True``; ``delete`` of a missing key is not an
    error; ``delete_prefix`` removes every key under a prefix; ``read_range`` reads only
    the bytes asked for; every method refuses keys that ``check_key`` refuses (``Invalid``).
    Reads of a missing key raise ``NotFound``; a store that cannot be reached raises
    ``Unavailable`` with a message that names the store but no credentials.
    MAY: return a local filesystem path from ``local_path`` so the HTTP edge can
    serve it with sendfile and Range (stores without one return None); return a
    time-limited URL from ``presigned_url`` that clients fetch from the store itself,
    Range included (stores that cannot return None, and the edge proxies the bytes).
    """

    def put_file(self, key: str, source: Path, *, move: bool = False) -> None: ...

    def put_bytes(self, key: str, data: bytes) -> None: ...

    def open(self, key: str) -> BinaryIO:
        """Open for reading; raises ``NotFound``."""
        ...

    def read_bytes(self, key: str) -> bytes:
        """The whole object in memory: for small objects (playlists, artwork)."""
        ...

    def read_range(self, key: str, start: int, end: int) -> bytes:
        """Bytes ``start`` to ``end`` inclusive, as an HTTP Range names them.

        ``end`` past the last byte is clamped to it; ``start`` at or past the size (an
        unsatisfiable range, so any range of an empty object), a negative ``start`` or
        ``end < start`` raise ``Invalid``. The range is returned in memory, so callers
        serving large ranges read them in bounded chunks.
        """
        ...

    def size(self, key: str) -> int | None:
        """Size in bytes, or None when the key does not exist."""
        ...

    def exists(self, key: str) -> bool: ...

    def delete(self, key: str) -> None: ...

    def delete_prefix(self, prefix: str) -> int:
        """Delete every key under ``prefix`` (which must end with '/'); returns the count."""
        ...

    def list_prefix(self, prefix: str) -> Iterator[str]: ...

    def local_path(self, key: str) -> Path | None: ...

    def presigned_url(
        self,
        key: str,
        *,
        ttl_s: int,
        filename: str | None = None,
        media_type: str | None = None,
    ) -> str | None:
        """A URL that serves ``key`` (with Range) to anyone holding it for ``ttl_s`` seconds.

        ``filename`` becomes an inline Content-Disposition and ``media_type`` the
        Content-Type of the response. The URL is made without a request, so it does not
        prove the key exists. None where the store has no URLs of its own.
        """
        ...


def check_key(key: str) -> str:
    """Refuse keys that could escape the store's root (absolute, '..', empty parts)."""
    parts = key.split("/")
    if (
        not key
        or key.startswith("/")
        or "\\" in key
        or "\x00" in key
        or any(p in ("", ".", "..") for p in parts[:-1])
        or parts[-1] in (".", "..")
    ):
        raise Invalid(f"invalid storage key {key!r}")
    return key


def check_range(start: int, end: int) -> None:
    """Refuse ranges no store can answer, before any I/O."""
    if start < 0 or end < start:
        raise Invalid(f"invalid byte range {start}-{end}")


def clamp_range(key: str, start: int, end: int, size: int) -> int:
    """The number of bytes ``start``..``end`` covers in an object of ``size`` bytes."""
    if start >= size:
        raise Invalid(f"byte range {start}-{end} starts past the end of {key} ({size} bytes)")
    return min(end, size - 1) - start + 1
