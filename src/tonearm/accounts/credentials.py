"""The secrets people hold (session cookies, API tokens, invite codes) and their digests.

Only SHA-256 digests are stored. A secret has 256 bits of randomness, so a plain
digest (no salt, no slow hash) is enough: nothing can be guessed from it, and lookup
stays one indexed equality.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable, Sequence

SESSION_COOKIE = "tonearm_session"
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


def binding_of(secret: str | None, address: str | None = None) -> str:
    """What a signed media URL is bound to: the digest of the viewer's session cookie or
    token (empty for an anonymous visitor), and the client address when configured.

    The segment fast path computes the same from the request alone, with no database:
    a link copied to another browser (or, bound to the address, another network)
    no longer matches its signature.
    """
    tag = digest(secret) if secret else ""
    return f"{tag}@{address}" if address is not None else tag


def binding_of_request(
    headers: Iterable[tuple[bytes, bytes]], client: Sequence[object] | None, by_address: bool
) -> str:
    """``binding_of`` read from a raw ASGI request (headers, client), with no framework:
    the fast paths (segments, play reports) check signatures bound to it."""
    secret = None
    for name, value in headers:
        if name == b"cookie":
            secret = _cookie_value(value) or secret
        elif name == b"authorization" and value[:7].lower() == b"bearer ":
            secret = value[7:].strip().decode("latin-1")
            break
    address = None
    if by_address:
        address = str(client[0]) if client else ""
    return binding_of(secret, address)


_COOKIE_PREFIX = SESSION_COOKIE.encode() + b"="


def _cookie_value(header: bytes) -> str | None:
    """The session cookie's value in a Cookie header, parsed without a framework."""
    for raw in header.split(b";"):
        part = raw.strip()
        if part.startswith(_COOKIE_PREFIX):
            return part[len(_COOKIE_PREFIX) :].decode("latin-1")
    return None
