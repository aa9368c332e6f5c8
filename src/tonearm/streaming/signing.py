"""HMAC-signed media URLs with an expiry.

A signature covers the path and the expiry time. Expiry times are rounded up to a
window boundary, so every client asking within one window gets the same URL: a CDN
or browser cache sees one object, not one per request.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time


class UrlSigner:
    def __init__(self, key: bytes, ttl_s: int) -> None:
        self._key = key
        self._ttl = max(60, ttl_s)

    def expiry(self, now: float | None = None) -> int:
        """Valid for at least ``ttl_s`` and at most twice that."""
        now = time.time() if now is None else now
        return (int(now) // self._ttl + 2) * self._ttl

    def signature(self, path: str, expires: int) -> str:
        mac = hmac.new(self._key, f"{path}\n{expires}".encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(mac[:18]).decode()

    def sign(self, path: str, now: float | None = None) -> str:
        expires = self.expiry(now)
        return f"{path}?e={expires}&s={self.signature(path, expires)}"

    def verify(self, path: str, expires: str, signature: str, now: float | None = None) -> bool:
        if not expires.isdigit():
            return False
        exp = int(expires)
        if exp < (time.time() if now is None else now):
            return False
        return hmac.compare_digest(self.signature(path, exp), signature)
