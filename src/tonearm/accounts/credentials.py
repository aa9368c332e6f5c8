"""The secrets people hold (session cookies, API tokens, invite codes) and their digests.

Only SHA-256 digests are stored. A secret has 256 bits of randomness, so a plain
digest (no salt, no slow hash) is enough: nothing can be guessed from it, and lookup
stays one indexed equality.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

TOKEN_PREFIX = "tnrm_"  # noqa: S105 - a public prefix, not a secret
"""Personal API tokens start with this, so secret scanners and people recognise them."""


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def new_id() -> str:
    return secrets.token_hex(16)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
