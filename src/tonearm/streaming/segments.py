"""Segment paths: ``/s/<blob>/<rung>/<hash>.<m4s|mp4>``, checked without a database.

The hot path (``fastpath``) parses them on every request, so this module imports only
the store layout.
"""

from __future__ import annotations

from tonearm.blobs import keys
from tonearm.types import BlobHash

SEGMENT_PREFIX = "/s/"
SEGMENT_MEDIA_TYPE = "audio/mp4"


def parse_segment_path(path: str) -> tuple[str, str] | None:
    """``/s/<blob>/<rung>/<hash>.<m4s|mp4>`` → (store key, media type); None if malformed.

    Checked character by character: this runs on every segment request and must
    never let a crafted path reach outside the HLS prefix.
    """
    parts = path[len(SEGMENT_PREFIX) :].split("/")
    if len(parts) != 3:
        return None
    blob_hash, rung, name = parts
    stem, _, ext = name.partition(".")
    if (
        len(blob_hash) != 64
        or not _is_hex(blob_hash)
        or len(stem) != 64
        or not _is_hex(stem)
        or ext not in ("m4s", "mp4")
        or not rung
        or len(rung) > 16
        or not rung.isascii()
        or not rung.isalnum()
    ):
        return None
    return keys.segment_key(BlobHash(blob_hash), rung, stem, ext), SEGMENT_MEDIA_TYPE


def _is_hex(value: str) -> bool:
    return all(c in "0123456789abcdef" for c in value)
