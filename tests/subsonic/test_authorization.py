"""Another member's private track, asked for by id through every method that takes one:
error 70 (not found) or 50 (not authorized), never its data.

bea owns the private "Secret Song" (album "Hidden", given a cover here; artist "Bo Tide",
whose only other track is unlisted, so neither is listed to others); ``cid``, a member
made here through the admin API, asks for it. So that a broken method cannot pass by
refusing everyone, the owner's same call must succeed first.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, replace
from typing import Any

import httpx
import pytest

from tests.fixtures.audio import image_bytes
from tests.subsonic.conftest import PASSWORD, Account, Sonic

MEDIA = frozenset({"stream", "download", "hls.m3u8", "getCoverArt"})


@dataclass(frozen=True)
class Ids:
    song: str
    album: str
    artist: str
    playlist: str
    """The caller's own playlist (updatePlaylist adds to it)."""


CASES: list[tuple[str, dict[str, str]]] = [
    ("getSong", {"id": "{song}"}),
    ("getAlbum", {"id": "{album}"}),
    ("getArtist", {"id": "{artist}"}),
    ("getMusicDirectory", {"id": "{album}"}),
    ("getMusicDirectory", {"id": "{artist}"}),
    ("getAlbumInfo2", {"id": "{album}"}),
    ("getArtistInfo2", {"id": "{artist}"}),
    ("getSimilarSongs2", {"id": "{artist}"}),
    ("getLyricsBySongId", {"id": "{song}"}),
    ("stream", {"id": "{song}"}),
    ("download", {"id": "{song}"}),
    ("hls.m3u8", {"id": "{song}"}),
    ("getCoverArt", {"id": "tr-{bare}"}),
    ("getCoverArt", {"id": "{album}"}),
    ("star", {"id": "{song}"}),
    ("star", {"albumId": "{album}"}),
    ("star", {"artistId": "{artist}"}),
    ("unstar", {"id": "{song}"}),
    ("setRating", {"id": "{song}", "rating": "3"}),
    ("scrobble", {"id": "{song}", "submission": "false"}),
    ("scrobble", {"id": "{song}"}),
    ("createBookmark", {"id": "{song}", "position": "1000"}),
    ("deleteBookmark", {"id": "{song}"}),
    ("savePlayQueue", {"id": "{song}", "current": "{song}"}),
    ("savePlayQueueByIndex", {"id": "{song}", "currentIndex": "0"}),
    ("createShare", {"id": "{song}"}),
    ("createPlaylist", {"name": "with the secret", "songId": "{song}"}),
    ("updatePlaylist", {"playlistId": "{playlist}", "songIdToAdd": "{song}"}),
]


def _member(sonic: Sonic, username: str) -> Account:
    """A member made through the admin API, signed in, with their own app password."""
    made = sonic.server.http.post("/api/users", json={"username": username, "password": PASSWORD})
    assert made.status_code == 201, made.text
    browser = httpx.Client(base_url=sonic.url, timeout=60)
    signed = browser.post("/api/auth/login", json={"username": username, "password": PASSWORD})
    signed.raise_for_status()
    browser.headers["X-CSRF-Token"] = signed.json()["csrf_token"]
    app = browser.post("/api/me/subsonic-password")
    assert app.status_code == 201, app.text
    return Account(username, app.json()["password"], "", browser)


@pytest.fixture(scope="module")
def cid(sonic: Sonic) -> Account:
    return _member(sonic, "cid")


@pytest.fixture(scope="module")
def secret(sonic: Sonic) -> Ids:
    """bea's private track, its album and artist (wire ids), and no playlist yet."""
    page = sonic.bea.browser.get(f"/api/tracks/{sonic.tracks['Secret Song']}")
    track: dict[str, Any] = page.raise_for_status().json()
    assert track["visibility"] == "private", track
    # A cover, so that getCoverArt has something to refuse (and to give its owner).
    album = str(track["album_id"])
    cover = sonic.bea.browser.put(
        f"/api/albums/{album}/cover",
        content=image_bytes((64, 64)),
        headers={"Content-Type": "image/png"},
    )
    assert cover.status_code == 204, cover.text
    deadline = time.monotonic() + 60
    while sonic.bea.browser.get(f"/api/albums/{album}/cover/original").status_code != 200:
        assert time.monotonic() < deadline, "the album's cover never became readable"
        time.sleep(0.2)
    return Ids(
        song=sonic.tracks["Secret Song"],
        album="al-" + str(track["album_id"]),
        artist="ar-" + str(track["artist_id"]),
        playlist="",
    )


def _call(
    sonic: Sonic, account: Account, method: str, template: dict[str, str], ids: Ids
) -> httpx.Response:
    """``method`` with the template's ids; ``{playlist}`` is a new one of the caller's."""
    if any("{playlist}" in v for v in template.values()):
        made = account.browser.post("/api/playlists", json={"name": f"{account.username}'s"})
        assert made.status_code == 201, made.text
        ids = replace(ids, playlist="pl-" + str(made.json()["id"]))
    names = {**asdict(ids), "bare": ids.song}
    params = {k: v.format(**names) for k, v in template.items()}
    return _ask(sonic, account, method, params)


def _ask(sonic: Sonic, account: Account, method: str, params: dict[str, str]) -> httpx.Response:
    r = httpx.get(
        f"{sonic.url}/rest/{method}", params=sonic.params(account, f="json", **params), timeout=60
    )
    assert r.status_code == 200, (r.status_code, r.text[:300])
    return r


def _answer(r: httpx.Response) -> dict[str, Any] | None:
    """The subsonic-response of a JSON answer; None for media (audio, a playlist, an image)."""
    if not r.headers.get("content-type", "").startswith("application/json"):
        return None
    body: dict[str, Any] = r.json()["subsonic-response"]
    return body


@pytest.mark.parametrize(
    ("method", "template"), CASES, ids=[f"{m}-{','.join(t)}" for m, t in CASES]
)
def test_another_members_private_track_is_70_or_50(
    sonic: Sonic,
    cid: Account,
    secret: Ids,
    method: str,
    template: dict[str, str],
) -> None:
    # The owner's own call works: the refusal below is about who asks, not a broken method.
    mine = _call(sonic, sonic.bea, method, template, secret)
    body = _answer(mine)
    if method in MEDIA:
        assert body is None, (method, body and body.get("error"))
        assert mine.content, method
    else:
        assert body is not None, method
        assert body["status"] == "ok", (method, body.get("error"))

    theirs = _call(sonic, cid, method, template, secret)
    body = _answer(theirs)
    assert body is not None, f"{method} gave another member the private track's media"
    assert body["status"] == "failed", (method, body)
    assert body["error"]["code"] in (70, 50), (method, body)
    for word in ("Secret Song", "Hidden"):
        assert word not in theirs.text, (method, theirs.text[:300])
