"""Play tokens: what a session's start established, signed, so heartbeats need no
database read.

A token carries the session id, track, listener, start time (server clock, ms),
duration, the track's owner and visibility, and the signed-in listener's user id.
Its MAC also covers the viewer's credential binding (``credentials.binding_of``: a
digest of the session cookie or API token, "" for anonymous visitors), as signed
media URLs do, so a token copied to another browser is refused without a lookup.

Format: ``base64url(json payload) "." base64url(first 18 bytes of HMAC-SHA256)``; the
key is derived from the server secret for this use alone.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import threading
from collections import OrderedDict
from dataclasses import dataclass

from tonearm.errors import Forbidden
from tonearm.types import TrackId, UserId

MAX_TOKEN = 1024


@dataclass(frozen=True)
class PlayToken:
    session: str
    track_id: TrackId
    listener: str
    started_ms: int
    duration_ms: int
    owner_id: UserId | None
    visibility: str
    user_id: UserId | None


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class PlayTokens:
    """Signs and checks tokens; remembers the last ``remembered`` tokens that checked
    (a session reports the same token every heartbeat), so the MAC and the decoding run
    once per session and binding. Only tokens we signed get in: memory stays bounded."""

    def __init__(self, secret: bytes, *, remembered: int = 65536) -> None:
        self._key = hmac.new(secret, b"tonearm play tokens", hashlib.sha256).digest()
        self._max = remembered
        self._known: OrderedDict[tuple[str, str], PlayToken] = OrderedDict()
        self._lock = threading.Lock()

    def _mac(self, payload: str, binding: str) -> str:
        message = f"{payload}\n{binding}".encode()
        return _b64(hmac.new(self._key, message, hashlib.sha256).digest()[:18])

    def sign(self, token: PlayToken, binding: str) -> str:
        body = [
            token.session,
            token.track_id,
            token.listener,
            token.started_ms,
            token.duration_ms,
            token.owner_id,
            token.visibility,
            token.user_id,
        ]
        payload = _b64(json.dumps(body, separators=(",", ":")).encode())
        return f"{payload}.{self._mac(payload, binding)}"

    def verify(self, text: str, session: str, bindings: tuple[str, ...]) -> PlayToken:
        """The token's content if it was signed for one of ``bindings`` and names
        ``session``; ``Forbidden`` otherwise (the same answer for every failure)."""
        with self._lock:
            for binding in bindings:
                known = self._known.get((text, binding))
                if known is not None:
                    self._known.move_to_end((text, binding))
                    if known.session == session:
                        return known
        refused = Forbidden(
            "This play token is not for this session or this listener; start a new session.",
            code="play-token",
        )
        payload, _, mac = text.partition(".")
        if len(text) > MAX_TOKEN or not payload or not mac:
            raise refused
        signed_for = next(
            (b for b in bindings if hmac.compare_digest(self._mac(payload, b), mac)), None
        )
        if signed_for is None:
            raise refused
        try:
            fields = json.loads(_unb64(payload))
            token = PlayToken(
                session=str(fields[0]),
                track_id=TrackId(str(fields[1])),
                listener=str(fields[2]),
                started_ms=int(fields[3]),
                duration_ms=int(fields[4]),
                owner_id=None if fields[5] is None else UserId(str(fields[5])),
                visibility=str(fields[6]),
                user_id=None if fields[7] is None else UserId(str(fields[7])),
            )
        except (ValueError, TypeError, IndexError, binascii.Error):
            raise refused from None
        if token.session != session:
            raise refused
        with self._lock:
            self._known[(text, signed_for)] = token
            while len(self._known) > self._max:
                self._known.popitem(last=False)
        return token
