"""Blob stores chosen by URL scheme: ``file://``, ``memory://``, ``s3://bucket/prefix``."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

from tonearm.storage.base import BlobStore
from tonearm.storage.local import LocalStore
from tonearm.storage.memory import MemoryStore

__all__ = ["BlobStore", "LocalStore", "MemoryStore", "open_store"]

MiB = 1024 * 1024


def open_store(
    url: str,
    *,
    s3_endpoint_url: str | None = None,
    s3_region: str = "us-east-1",
    s3_access_key_id: str | None = None,
    s3_secret_access_key: str | None = None,
    s3_path_style: bool = False,
    s3_multipart_threshold_bytes: int = 16 * MiB,
    s3_part_size_bytes: int = 16 * MiB,
) -> BlobStore:
    """The store ``url`` names; the ``s3_*`` options apply to ``s3://`` URLs only.

    ``s3://bucket`` keeps keys at the bucket's root, ``s3://bucket/some/prefix`` under
    ``some/prefix/``. Credentials travel as options, never in the URL, so URLs can be
    logged.
    """
    parsed = urlparse(url)
    if parsed.scheme == "file":
        return LocalStore(Path(parsed.path))
    if parsed.scheme == "memory":
        return MemoryStore()
    if parsed.scheme == "s3":
        if not parsed.netloc or "@" in parsed.netloc or ":" in parsed.netloc:
            # Not echoed: a URL with user:password@ in it would put a secret in the log.
            raise ValueError(
                "an S3 storage URL is s3://bucket[/prefix]; the endpoint and credentials "
                "are separate settings"
            )
        # Imported here: boto3 costs every process (each CLI command) a noticeable start-up
        # where the store is local.
        from tonearm.storage.s3 import S3Store  # noqa: PLC0415

        return S3Store(
            parsed.netloc,
            prefix=parsed.path,
            endpoint_url=s3_endpoint_url,
            region=s3_region,
            access_key_id=s3_access_key_id,
            secret_access_key=s3_secret_access_key,
            path_style=s3_path_style,
            multipart_threshold_bytes=s3_multipart_threshold_bytes,
            part_size_bytes=s3_part_size_bytes,
        )
    raise ValueError(f"unsupported storage URL scheme {parsed.scheme!r} in {url!r}")
