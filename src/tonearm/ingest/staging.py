"""Temp files that receive uploaded bytes, hashed while they stream to disk.

Nothing here holds more than one chunk in memory. A staged file is either moved
into the blob store or discarded; ``StagingArea.sweep`` removes what a crashed
process left behind.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import re
import secrets
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tonearm.errors import Locked, TooLarge
from tonearm.types import BlobHash


@dataclass
class StagedFile:
    path: Path
    sha256: BlobHash
    size: int
    filename: str
    lock: FileLock | None = None
    """Held while the bytes are in flight, so no sweep removes them."""

    def discard(self) -> None:
        """Remove what is left of the file (nothing, once moved into the store)."""
        self.path.unlink(missing_ok=True)
        if self.lock is not None:
            self.lock.release()


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
        """Flush to disk and close; closing again does nothing."""
        if self._fh.closed:
            return
        self._fh.flush()
        os.fsync(self._fh.fileno())
        self._fh.close()

    @property
    def hasher(self) -> Any:
        return self._hasher

    def hexdigest(self) -> BlobHash:
        return BlobHash(str(self._hasher.hexdigest()))


class FileLock:
    """An exclusive lock on a staged file, shared by every process on this machine.

    ``flock`` locks belong to an open file description, so two requests in one process
    exclude each other as two processes do, and the kernel drops the lock of a killed
    process: a crash never leaves an upload locked.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def acquire(self, wait_s: float = 0.0) -> None:
        """Take the lock within ``wait_s`` or raise ``Locked``; ``FileNotFoundError`` if the
        file is gone."""
        fd = os.open(self.path, os.O_RDONLY)
        deadline = time.monotonic() + wait_s
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    os.close(fd)
                    raise Locked(
                        "Another request is writing to this upload; retry when it has finished."
                    ) from None
                time.sleep(0.05)
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    @staticmethod
    def is_held(path: Path) -> bool:
        """True if some process holds the lock (used before sweeping a file away)."""
        try:
            fd = os.open(path, os.O_RDONLY)
        except FileNotFoundError:
            return False
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        finally:
            os.close(fd)
        return False


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
        """Delete staged files older than ``older_than_s`` not named in ``keep``.

        A file whose lock is held is being written by a live request (a multipart body
        or a tus PATCH) and stays, whatever its age: ``sweep(0, keep=...)`` at start-up
        removes exactly what killed processes left behind.
        """
        cutoff = time.time() - older_than_s
        removed = 0
        for path in self.root.glob("*.part"):
            if keep and path.stem in keep:
                continue
            with contextlib.suppress(FileNotFoundError):
                if path.stat().st_mtime <= cutoff and not FileLock.is_held(path):
                    path.unlink()
                    removed += 1
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
