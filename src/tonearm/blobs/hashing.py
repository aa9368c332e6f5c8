"""SHA-256 of stored bytes, read in chunks: a blob's name is the hash of exactly its bytes."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from tonearm.types import BlobHash

_CHUNK = 1024 * 1024


def hash_prefix(path: Path, length: int) -> Any:
    """SHA-256 state over the first ``length`` bytes of ``path`` (to resume hashing)."""
    hasher = hashlib.sha256()
    remaining = length
    with path.open("rb") as fh:
        while remaining > 0:
            chunk = fh.read(min(_CHUNK, remaining))
            if not chunk:
                break
            hasher.update(chunk)
            remaining -= len(chunk)
    return hasher


def file_sha256(path: Path) -> BlobHash:
    """Hex SHA-256 of a whole file."""
    return BlobHash(str(hash_prefix(path, path.stat().st_size).hexdigest()))
