"""Temp files that receive uploaded bytes, hashed while they stream to disk.

Nothing here holds more than one chunk in memory. A staged file is either moved
into the blob store or discarded; ``StagingArea.sweep`` removes what a crashed
process left behind.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tonearm.errors import TooLarge

_CHUNK = 1024 * 1024


@dataclass
class StagedFile:
    path: Path
    sha256: str
    size: int
    filename: str

    def discard(self) -> None:
        self.path.unlink(missing_ok=True)


class HashingWriter:
    """Appends chunks to a file, hashing them and enforcing a size limit."""

    def __init__(self, path: Path, *, limit: int, offset: int = 0, hasher: Any = None) -> None:
        self.path = path
        self.limit = limit
        self.size = offset
        self._hasher = hasher if hasher is not None else hashlib.sha256()
        self._fh = path.open("r+b" if offset else "wb")
        if offset:
            self._fh.seek(offset)
            self._fh.truncate()

    def write(self, chunk: bytes) -> None:
        if self.size + len(chunk) > self.limit:
            raise TooLarge(f"The file is larger than the limit of {format_bytes(self.limit)}.")
        self._fh.write(chunk)
        self._hasher.update(chunk)
        self.size += len(chunk)

    def close(self) -> None:
        self._fh.flush()
        os.fsync(self._fh.fileno())
        self._fh.close()

    @property
    def hasher(self) -> Any:
        return self._hasher

    def hexdigest(self) -> str:
        return str(self._hasher.hexdigest())


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


def file_sha256(path: Path) -> str:
    """Hex SHA-256 of a whole file, read in chunks."""
    return str(hash_prefix(path, path.stat().st_size).hexdigest())


class StagingArea:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.root.mkdir(parents=True, exist_ok=True)

    def new_path(self, suffix: str = ".part") -> Path:
        return self.root / f"{secrets.token_hex(12)}{suffix}"

    def path_for(self, name: str) -> Path:
        if not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", name):
            raise ValueError(f"bad staging name {name!r}")
        return self.root / f"{name}.part"

    def sweep(self, older_than_s: float, keep: set[str] | None = None) -> int:
        """Delete staged files older than ``older_than_s`` not named in ``keep``."""
        cutoff = time.time() - older_than_s
        removed = 0
        for path in self.root.glob("*.part"):
            if keep and path.stem in keep:
                continue
            try:
                if path.stat().st_mtime < cutoff:
                    path.unlink()
                    removed += 1
            except FileNotFoundError:
                continue
        return removed


def safe_filename(name: str | None) -> str:
    """The last path component of a client-supplied name, without control characters.

    The name is only ever shown to people; storage keys come from content hashes.
    """
    if not name:
        return "upload"
    name = unicodedata.normalize("NFC", name).replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip(" .")
    return name[:255] or "upload"


def format_bytes(n: int) -> str:
    size = float(n)
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:.0f} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} bytes"
