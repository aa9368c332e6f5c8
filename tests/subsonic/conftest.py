"""A real ``tonearm serve`` with a small library, and real Subsonic clients for it.

``sonic`` (module scope, SQLite): the admin ``admin`` with a Subsonic app password and
a personal API token, and a member ``bea``; the admin's tracks (tagged, processed):

    "Dawn"  / "Noon" / "Dusk"   Ana Ray, album "First Light" (2021, Ambient), tracks 1-3,
                                public; "Noon" has synced (LRC) lyrics
    "Harbour Lights"            Bo Tide, album "Harbour" (2019, Jazz), unlisted

and bea's private "Secret Song" (Bo Tide, album "Hidden"): the admin may see it, another
member may not. Tests that change shared state must undo it or use their own items.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import libopensonic
import libsonic
import pytest

from tests.fixtures.audio import make_audio
from tests.fixtures.database import fresh_database
from tests.fixtures.server import Server

PASSWORD = "correct horse battery staple"
LRC = "[00:01.00]first line of noon\n[00:04.50]second line of noon\n"

LIBRARY: list[dict[str, Any]] = [
    {"title": "Dawn", "artist": "Ana Ray", "album": "First Light", "track": 1, "seconds": 6},
    {"title": "Noon", "artist": "Ana Ray", "album": "First Light", "track": 2, "seconds": 7},
    {"title": "Dusk", "artist": "Ana Ray", "album": "First Light", "track": 3, "seconds": 8},
    {"title": "Harbour Lights", "artist": "Bo Tide", "album": "Harbour", "track": 1, "seconds": 6},
]
YEARS = {"First Light": 2021, "Harbour": 2019, "Hidden": 2020}
GENRES = {"First Light": "Ambient", "Harbour": "Jazz", "Hidden": "Jazz"}


@dataclass
class Account:
    username: str
    app_password: str
    api_key: str
    browser: httpx.Client
    """Signed in to the page with the sign-in password (cookie + CSRF header)."""


@dataclass
class Sonic:
    server: Server
    admin: Account
    bea: Account
    tracks: dict[str, str] = field(default_factory=dict)
    """Title -> track id (the admin's four and bea's "Secret Song")."""

    @property
    def url(self) -> str:
        return self.server.url

    def params(self, account: Account | None = None, **extra: Any) -> dict[str, Any]:
        """Token authentication (u, t, s) as most apps send it, plus ``extra``."""
        who = account or self.admin
        salt = secrets.token_hex(6)
        token = hashlib.md5((who.app_password + salt).encode(), usedforsecurity=False)
        return {
            "u": who.username,
            "t": token.hexdigest(),
            "s": salt,
            "v": "1.16.1",
            "c": "tests",
            **extra,
        }

    def call(self, method: str, account: Account | None = None, **extra: Any) -> dict[str, Any]:
        """``method`` as JSON, the ``subsonic-response`` member (status ok or failed)."""
        r = httpx.get(
            f"{self.url}/rest/{method}", params=self.params(account, f="json", **extra), timeout=60
        )
        assert r.status_code == 200, r.text
        body: dict[str, Any] = r.json()["subsonic-response"]
        return body

    def ok(self, method: str, account: Account | None = None, **extra: Any) -> dict[str, Any]:
        body = self.call(method, account, **extra)
        assert body["status"] == "ok", body
        return body

    def xml(self, method: str, account: Account | None = None, **extra: Any) -> bytes:
        r = httpx.get(
            f"{self.url}/rest/{method}.view", params=self.params(account, **extra), timeout=60
        )
        assert r.status_code == 200, r.text
        return r.content

    def opensonic(self, account: Account | None = None) -> libopensonic.Connection:
        """py-opensonic with token authentication (close it with ``cleanup()``)."""
        who = account or self.admin
        return libopensonic.Connection(
            "http://127.0.0.1", who.username, who.app_password, port=self.server.port
        )

    def pysonic(self, account: Account | None = None) -> libsonic.Connection:
        who = account or self.admin
        return libsonic.Connection(
            "http://127.0.0.1",
            who.username,
            who.app_password,
            port=self.server.port,
            appName="tests",
        )


def _sign_in(server: Server, username: str) -> httpx.Client:
    browser = httpx.Client(base_url=server.url, timeout=60)
    r = browser.post("/api/auth/login", json={"username": username, "password": PASSWORD})
    r.raise_for_status()
    browser.headers["X-CSRF-Token"] = r.json()["csrf_token"]
    return browser


def _account(server: Server, username: str) -> Account:
    browser = _sign_in(server, username)
    made = browser.post("/api/me/subsonic-password")
    made.raise_for_status()
    token = browser.post(
        "/api/me/tokens", json={"name": "subsonic", "scopes": ["read", "upload", "library"]}
    )
    token.raise_for_status()
    return Account(username, made.json()["password"], token.json()["token"], browser)


def _song(path: Path, meta: dict[str, Any]) -> Path:
    album = meta["album"]
    tags = {
        "title": meta["title"],
        "artist": meta["artist"],
        "album_artist": meta["artist"],
        "album": album,
        "track": str(meta["track"]),
        "date": str(YEARS[album]),
        "genre": GENRES[album],
    }
    extra = [arg for k, v in tags.items() for arg in ("-metadata", f"{k}={v}")]
    frequency = 220 + 110 * meta["track"]
    return make_audio(path, seconds=meta["seconds"], frequency=frequency, extra=extra)


def _upload(server: Server, browser: httpx.Client, path: Path) -> str:
    with path.open("rb") as fh:
        r = browser.post("/api/tracks", files={"file": (path.name, fh)})
    r.raise_for_status()
    return str(r.json()["id"])


@pytest.fixture(scope="module")
def sonic(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sonic]:
    data = tmp_path_factory.mktemp("sonic")
    with fresh_database("sqlite", data) as url:
        server = Server(data, url, env={"TONEARM_ACCOUNTS_ARGON2_MEMORY_KIB": "8192"})
        try:
            server.http.post(
                "/api/users", json={"username": "bea", "password": PASSWORD}
            ).raise_for_status()
            # The Server fixture's admin signs in with this password too.
            admin = _account(server, "admin")
            bea = _account(server, "bea")
            sonic = Sonic(server, admin, bea)
            songs = data / "songs"
            songs.mkdir()
            for meta in LIBRARY:
                path = _song(songs / f"{meta['title']}.mp3", meta)
                sonic.tracks[meta["title"]] = _upload(server, admin.browser, path)
            secret = _song(
                songs / "secret.mp3",
                {
                    "title": "Secret Song",
                    "artist": "Bo Tide",
                    "album": "Hidden",
                    "track": 1,
                    "seconds": 5,
                },
            )
            sonic.tracks["Secret Song"] = _upload(server, bea.browser, secret)
            for track_id in sonic.tracks.values():
                server.wait_ready(track_id)
            for title in ("Dawn", "Noon", "Dusk"):
                admin.browser.patch(
                    f"/api/tracks/{sonic.tracks[title]}", json={"visibility": "public"}
                ).raise_for_status()
            admin.browser.patch(
                f"/api/tracks/{sonic.tracks['Harbour Lights']}", json={"visibility": "unlisted"}
            ).raise_for_status()
            admin.browser.put(
                f"/api/tracks/{sonic.tracks['Noon']}/lyrics", json={"text": LRC}
            ).raise_for_status()
            yield sonic
        finally:
            server.stop()
