"""The tus 1.0 resumable upload protocol: headers and their parsing.

Extensions served: creation, creation-with-upload, termination, checksum, expiration.
https://tus.io/protocols/resumable-upload
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from typing import Any

from tonearm.errors import BadRequest

VERSION = "1.0.0"
EXTENSIONS = "creation,creation-with-upload,termination,checksum,expiration"
CHECKSUM_ALGORITHMS = ("sha1", "md5", "sha256")
PATCH_CONTENT_TYPE = "application/offset+octet-stream"
_DIGITS = re.compile(r"[0-9]+", re.ASCII)


def parse_metadata(header: str | None) -> dict[str, str]:
    """``Upload-Metadata``: comma-separated ``key base64value`` pairs (value optional)."""
    result: dict[str, str] = {}
    if not header:
        return result
    for raw in header.split(","):
        item = raw.strip()
        if not item:
            continue
        key, _, value = item.partition(" ")
        if not key or " " in value.strip():
            raise BadRequest("Upload-Metadata is malformed.")
        try:
            decoded = base64.b64decode(value.strip(), validate=True) if value else b""
        except (binascii.Error, ValueError):
            raise BadRequest(f"Upload-Metadata value for {key!r} is not base64.") from None
        result[key] = decoded.decode("utf-8", errors="replace")
    return result


_MAX_DIGITS = 18  # below 2**63: every value fits a BIGINT column


def parse_int_header(name: str, value: str | None) -> int:
    """A non-negative decimal header value (RFC 9110 ``1*DIGIT``, ASCII only).

    ``str.isdigit`` accepts '²' and other Unicode digits that ``int`` refuses, and
    thousands of digits make numbers no column holds: both are a 400, never a 500.
    """
    if value is None:
        raise BadRequest(f"The {name} header is required.")
    if not _DIGITS.fullmatch(value) or len(value) > _MAX_DIGITS:
        raise BadRequest(f"The {name} header must be a non-negative integer.")
    return int(value)


def parse_content_length(value: str | None) -> int | None:
    """Content-Length, or None when absent or unusable (the body's own end decides)."""
    if value is None or not _DIGITS.fullmatch(value) or len(value) > _MAX_DIGITS:
        return None
    return int(value)


def parse_checksum(header: str | None) -> tuple[Any, bytes] | None:
    """``Upload-Checksum: <algorithm> <base64 digest>`` → (fresh hasher, expected digest)."""
    if not header:
        return None
    algorithm, _, encoded = header.strip().partition(" ")
    algorithm = algorithm.lower()
    if algorithm not in CHECKSUM_ALGORITHMS:
        raise BadRequest(
            f"Checksum algorithm {algorithm!r} is not supported; "
            f"use one of {', '.join(CHECKSUM_ALGORITHMS)}."
        )
    try:
        digest = base64.b64decode(encoded.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise BadRequest("Upload-Checksum digest is not base64.") from None
    return hashlib.new(algorithm), digest
