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
    error; ``delete_prefix`` removes every key under a prefix.
    MAY: return a local filesystem path from ``local_path`` so the HTTP edge can
    serve it with sendfile and Range (stores without one return None).
    """

    def put_file(self, key: str, source: Path, *, move: bool = False) -> None: ...

    def put_bytes(self, key: str, data: bytes) -> None: ...

    def open(self, key: str) -> BinaryIO:
        """Open for reading; raises ``NotFound``."""
        ...

    def read_bytes(self, key: str) -> bytes: ...

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
        """MAY: a URL that serves the object directly for ``ttl_s`` seconds; None if not."""
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
