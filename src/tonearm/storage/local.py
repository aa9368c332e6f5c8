"""Blobs as files under one directory (the embedded default)."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from tonearm.errors import NotFound
from tonearm.storage.base import check_key, check_range, clamp_range

_FILE_MODE = 0o644


class LocalStore:
    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.root.mkdir(parents=True, exist_ok=True)
        self._staging = self.root / ".staging"
        self._staging.mkdir(exist_ok=True)

    def _path(self, key: str) -> Path:
        return self.root / check_key(key)

    def put_file(self, key: str, source: Path, *, move: bool = False) -> None:
        dest = self._path(key)
        dest.parent.mkdir(parents=True, exist_ok=True)
        if move:
            try:
                source.replace(dest)
                return
            except OSError:
                pass  # another filesystem: fall back to copy-then-rename
        fd, tmp = tempfile.mkstemp(dir=self._staging)
        # mkstemp makes 0600 files; a web server in front (nginx X-Accel) must read them.
        os.fchmod(fd, _FILE_MODE)
        try:
            with os.fdopen(fd, "wb") as out, source.open("rb") as src:
                shutil.copyfileobj(src, out, 1024 * 1024)
            Path(tmp).replace(dest)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                Path(tmp).unlink()
            raise
        if move:
            source.unlink(missing_ok=True)

    def put_bytes(self, key: str, data: bytes) -> None:
        dest = self._path(key)
        dest.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self._staging)
        os.fchmod(fd, _FILE_MODE)
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            Path(tmp).replace(dest)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                Path(tmp).unlink()
            raise

    def open(self, key: str) -> BinaryIO:
        try:
            return self._path(key).open("rb")
        except FileNotFoundError:
            raise NotFound(f"no stored object {key}") from None

    def read_bytes(self, key: str) -> bytes:
        with self.open(key) as fh:
            return fh.read()

    def read_range(self, key: str, start: int, end: int) -> bytes:
        check_range(start, end)
        with self.open(key) as fh:
            length = clamp_range(key, start, end, os.fstat(fh.fileno()).st_size)
            fh.seek(start)
            return fh.read(length)

    def size(self, key: str) -> int | None:
        try:
            return self._path(key).stat().st_size
        except FileNotFoundError:
            return None

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)
        self._prune(self._path(key).parent)

    def delete_prefix(self, prefix: str) -> int:
        keys = list(self.list_prefix(prefix))
        for key in keys:
            self._path(key).unlink(missing_ok=True)
        base = self.root / check_key(prefix.rstrip("/"))
        shutil.rmtree(base, ignore_errors=True)
        self._prune(base.parent)
        return len(keys)

    def list_prefix(self, prefix: str) -> Iterator[str]:
        base = self.root / check_key(prefix.rstrip("/")) if prefix else self.root
        if not base.is_dir():
            return
        for dirpath, _dirs, files in os.walk(base):
            for name in files:
                path = Path(dirpath) / name
                if self._staging in path.parents:
                    continue
                yield path.relative_to(self.root).as_posix()

    def local_path(self, key: str) -> Path | None:
        return self._path(key)

    def presigned_url(
        self,
        key: str,
        *,
        ttl_s: int,
        filename: str | None = None,
        media_type: str | None = None,
    ) -> str | None:
        check_key(key)
        return None  # files are served by the HTTP edge (sendfile, nginx X-Accel)

    def _prune(self, directory: Path) -> None:
        """Remove empty parent directories up to the root, so deleted blobs leave no trace."""
        while directory != self.root and self.root in directory.parents:
            try:
                directory.rmdir()
            except OSError:
                return
            directory = directory.parent
