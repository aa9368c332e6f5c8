"""An in-process store for tests of code that does not need real files."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from tonearm.errors import NotFound
from tonearm.storage.base import check_key, check_range, clamp_range


class MemoryStore:
    def __init__(self) -> None:
        self._objects: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def put_file(self, key: str, source: Path, *, move: bool = False) -> None:
        self.put_bytes(key, source.read_bytes())
        if move:
            source.unlink(missing_ok=True)

    def put_bytes(self, key: str, data: bytes) -> None:
        with self._lock:
            self._objects[check_key(key)] = bytes(data)

    def open(self, key: str) -> BinaryIO:
        return io.BytesIO(self.read_bytes(key))

    def read_bytes(self, key: str) -> bytes:
        try:
            return self._objects[check_key(key)]
        except KeyError:
            raise NotFound(f"no stored object {key}") from None

    def read_range(self, key: str, start: int, end: int) -> bytes:
        check_range(start, end)
        data = self.read_bytes(key)
        return data[start : start + clamp_range(key, start, end, len(data))]

    def size(self, key: str) -> int | None:
        data = self._objects.get(check_key(key))
        return None if data is None else len(data)

    def exists(self, key: str) -> bool:
        return check_key(key) in self._objects

    def delete(self, key: str) -> None:
        with self._lock:
            self._objects.pop(check_key(key), None)

    def delete_prefix(self, prefix: str) -> int:
        check_key(prefix.rstrip("/"))
        with self._lock:
            keys = [k for k in self._objects if k.startswith(prefix)]
            for k in keys:
                del self._objects[k]
        return len(keys)

    def list_prefix(self, prefix: str) -> Iterator[str]:
        if prefix:
            check_key(prefix.rstrip("/"))
        return iter([k for k in list(self._objects) if k.startswith(prefix)])

    def local_path(self, key: str) -> Path | None:
        check_key(key)
        return None

    def presigned_url(
        self,
        key: str,
        *,
        ttl_s: int,
        filename: str | None = None,
        media_type: str | None = None,
    ) -> str | None:
        check_key(key)
        return None
