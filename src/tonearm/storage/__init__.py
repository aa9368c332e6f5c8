"""Blob stores chosen by URL scheme: ``file://``, ``memory://``."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

from tonearm.storage.base import BlobStore
from tonearm.storage.local import LocalStore
from tonearm.storage.memory import MemoryStore

__all__ = ["BlobStore", "LocalStore", "MemoryStore", "open_store"]


def open_store(url: str, **options: object) -> BlobStore:
    """``options`` configure backends that need more than a URL (S3); others ignore them."""
    parsed = urlparse(url)
    if parsed.scheme == "file":
        return LocalStore(Path(parsed.path))
    if parsed.scheme == "memory":
        return MemoryStore()
    raise ValueError(f"unsupported storage URL scheme {parsed.scheme!r} in {url!r}")
