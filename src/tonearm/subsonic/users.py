"""User methods: getUser, getUsers, getAvatar.

Everyone may read their own account; admins read anyone's. The roles say what this
API lets a person do: everything a member does in the page, and the admin flag;
no cover-art editing, podcasts, jukebox or video conversion (tonearm has none).
There are no uploaded avatars: ``getAvatar`` draws an identicon from the name, the
same picture for the same name on every server.
"""

from __future__ import annotations

import hashlib
import io
from typing import Any

from PIL import Image, ImageDraw
from starlette.responses import Response

from tonearm.container import Container
from tonearm.models import Role, User
from tonearm.subsonic import mapping
from tonearm.subsonic.protocol import Call, Code, Handler, Payload, SubsonicError

AVATAR_PX = 160
GRID = 5


def user_out(user: User) -> dict[str, Any]:
    return {
        "username": user.username,
        "email": None,
        "scrobblingEnabled": True,
        "adminRole": user.role == Role.ADMIN,
        "settingsRole": True,
        "downloadRole": True,
        "uploadRole": True,
        "playlistRole": True,
        "coverArtRole": False,
        "commentRole": True,
        "podcastRole": False,
        "streamRole": True,
        "jukeboxRole": False,
        "shareRole": True,
        "videoConversionRole": False,
        "folder": [mapping.MUSIC_FOLDER_ID],
    }


def identicon(name: str) -> bytes:
    """A symmetric 5x5 pattern in one colour, both from the name's SHA-256 (PNG)."""
    digest = hashlib.sha256(name.casefold().encode()).digest()
    colour = (64 + digest[0] % 160, 64 + digest[1] % 160, 64 + digest[2] % 160)
    image = Image.new("RGB", (AVATAR_PX, AVATAR_PX), (240, 240, 240))
    draw = ImageDraw.Draw(image)
    cell = AVATAR_PX // (GRID + 1)
    margin = (AVATAR_PX - cell * GRID) // 2
    bit = 0
    for col in range((GRID + 1) // 2):
        for row in range(GRID):
            on = digest[3 + bit // 8] >> (bit % 8) & 1
            bit += 1
            if not on:
                continue
            for x in {col, GRID - 1 - col}:
                left, top = margin + x * cell, margin + row * cell
                draw.rectangle((left, top, left + cell - 1, top + cell - 1), fill=colour)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


class UserMethods:
    def __init__(self, c: Container) -> None:
        self._uows = c.infra.uows
        self._accounts = c.accounts.service

    def get_user(self, call: Call) -> Payload:
        username = call.params.required("username")
        if username.casefold() != call.username.casefold() and not call.viewer.is_admin:
            raise SubsonicError(Code.NOT_AUTHORIZED, "Only admins may read another user.")
        with self._uows.read() as session:
            return {"user": user_out(self._accounts.user_by_name(session, username))}

    def get_users(self, call: Call) -> Payload:
        if not call.viewer.is_admin:
            raise SubsonicError(Code.NOT_AUTHORIZED, "Only admins may list users.")
        with self._uows.read() as session:
            users = [u for u in self._accounts.users(session) if not u.disabled]
            return {"users": {"user": [user_out(u) for u in users]}}

    def get_avatar(self, call: Call) -> Response:
        username = call.params.required("username")
        with self._uows.read() as session:
            user = self._accounts.user_by_name(session, username)
            name = user.username
        return Response(
            identicon(name),
            media_type="image/png",
            headers={"cache-control": "private, max-age=86400"},
        )


def methods(c: Container) -> dict[str, Handler]:
    m = UserMethods(c)
    return {"getUser": m.get_user, "getUsers": m.get_users, "getAvatar": m.get_avatar}
