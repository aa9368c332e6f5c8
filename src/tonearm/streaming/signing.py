"""HMAC-signed media URLs with an expiry.

A signature covers the path and the expiry time. Expiry times are rounded up to a
window boundary, so every client asking within one window gets the same URL: a CDN
or browser cache sees one object, not one per request.

A signed URL has exactly one canonical query, ``e=<expiry>&s=<signature>``, as
``sign`` writes it. Anything else (extra, repeated or reordered parameters, numbers
with leading zeros, signs or non-ASCII digits) is refused before any work is done:
a request that is not byte-for-byte a URL we signed cannot be one, and accepting
variants would let anyone mint endless distinct URLs for one object.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import time

# The signature is 18 bytes of MAC in URL-safe base64: exactly 24 characters.
# Up to 12 digits: expiry times until the year 33658, and never a huge int() to parse.
_QUERY = re.compile(rb"e=([1-9][0-9]{0,11})&s=([A-Za-z0-9_-]{24})")
_EXPIRES = re.compile(r"[1-9][0-9]{0,11}")
_SIGNATURE = re.compile(r"[A-Za-z0-9_-]{24}")


def parse_query(query: bytes) -> tuple[int, str] | None:
    """The (expiry, signature) of a canonical signed query; None for anything else."""
    match = _QUERY.fullmatch(query)
    if match is None:
        return None
    return int(match[1]), match[2].decode("ascii")


class UrlSigner:
    def __init__(self, key: bytes, ttl_s: int) -> None:
        self._key = key
        self._ttl = max(60, ttl_s)

    def expiry(self, now: float | None = None) -> int:
        """Valid for at least ``ttl_s`` and at most twice that."""
        now = time.time() if now is None else now
        return (int(now) // self._ttl + 2) * self._ttl

    def signature(self, path: str, expires: int, binding: str = "") -> str:
        message = f"{path}\n{expires}\n{binding}".encode()
        mac = hmac.new(self._key, message, hashlib.sha256).digest()
        return base64.urlsafe_b64encode(mac[:18]).decode()

    def sign(self, path: str, binding: str = "", now: float | None = None) -> str:
        """``path`` signed for the viewer ``binding`` names (``credentials.binding_of``)."""
        expires = self.expiry(now)
        return f"{path}?e={expires}&s={self.signature(path, expires, binding)}"

    def verify(
        self,
        path: str,
        expires: str,
        signature: str,
        binding: str = "",
        now: float | None = None,
    ) -> bool:
        """Whether ``expires``/``signature`` (as found in the URL) sign ``path`` for
        ``binding`` and are still valid; only the canonical spelling ``sign`` writes is
        accepted."""
        if _EXPIRES.fullmatch(expires) is None or _SIGNATURE.fullmatch(signature) is None:
            return False
        return self.verify_parsed(path, int(expires), signature, binding, now)

    def verify_parsed(
        self,
        path: str,
        expires: int,
        signature: str,
        binding: str = "",
        now: float | None = None,
    ) -> bool:
        if expires < (time.time() if now is None else now):
            return False
        return hmac.compare_digest(self.signature(path, expires, binding), signature)
