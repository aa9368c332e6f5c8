"""Browsing in process on SQLite and PostgreSQL, over a library written as rows (no
audio): A-Z grouping and ignored articles, what counts and what is listed, songs an app
cannot play yet, top songs from play totals, lyrics, scopes."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert

from tests.fixtures.accounts import Client, Site, build_container
from tests.fixtures.database import BACKENDS, fresh_database
from tonearm.library.catalog import album_key, match_key, sort_key
from tonearm.models import Album, Artist, Blob, Track, TrackGenre, TrackPlays

START = datetime(2026, 1, 1, tzinfo=UTC)
ARTISTS = {"zebras": "The Zebras", "apple": "apple pie", "djs": "2 Many DJs", "odon": "Ödön"}
ALBUMS = {
    "stripes": ("zebras", "Stripes", 2001),
    "crumble": ("apple", "Crumble", 1999),
    "mixes": ("djs", "Mixes", 2010),
    "wind": ("odon", "Wind", 2015),
}
# name: (album, owner, visibility, disc, track, genre, playable)
TRACKS: dict[str, tuple[str, str, str, int, int, str, bool]] = {
    "Third": ("stripes", "alice", "public", 1, 3, "Rock", True),
    "First": ("stripes", "alice", "public", 1, 1, "Rock", True),
    "Second": ("stripes", "alice", "public", 1, 2, "Rock", True),
    "Other Disc": ("stripes", "alice", "public", 2, 1, "Rock", True),
    "Reprocessing": ("stripes", "alice", "public", 2, 2, "Rock", False),
    "Alice Crumb": ("crumble", "alice", "private", 1, 1, "Folk", True),
    "Bob Crumb": ("crumble", "bob", "private", 1, 2, "Folk", True),
    "Mix One": ("mixes", "alice", "public", 1, 1, "Electronic; Dance", True),
    "Breeze": ("wind", "alice", "unlisted", 1, 1, "Ambient", True),
}
PLAYS = {"Third": 9, "Second": 5}
LYRICS = {"First": "[00:02.00]hello\n[00:03.50]world\n", "Mix One": "just words\nand more"}


@dataclass
class World:
    client: Client
    keys: dict[str, str]
    tracks: dict[str, str]

    def ok(self, method: str, who: str = "bob", **params: Any) -> dict[str, Any]:
        body = self.call(method, who, **params)
        assert body["status"] == "ok", body
        return body

    def call(self, method: str, who: str = "bob", **params: Any) -> dict[str, Any]:
        r = self.client.get(
            f"/rest/{method}", params={"apiKey": self.keys[who], "f": "json", **params}
        )
        assert r.status_code == 200, r.text
        body: dict[str, Any] = r.json()["subsonic-response"]
        return body

    def code(self, method: str, who: str = "bob", **params: Any) -> int:
        body = self.call(method, who, **params)
        assert body["status"] == "failed", body
        return int(body["error"]["code"])


@pytest.fixture(scope="module", params=BACKENDS)
def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    data: Path = tmp_path_factory.mktemp("browse-rows")
    with fresh_database(request.param, data) as url:
        c = build_container(data, url)
        site = Site(c)
        admin = site.setup()
        people = {
            "admin": admin,
            "alice": site.add_user(admin, "alice"),
            "bob": site.add_user(admin, "bob"),
        }
        keys = {name: site.token(p, "read") for name, p in people.items()}
        keys["bob-upload-only"] = site.token(people["bob"], "upload", name="upload")
        tracks = _write(c, {name: p.user_id for name, p in people.items()})
        yield World(site.client(), keys, tracks)
        c.close()


def _write(c: Any, users: dict[str, str]) -> dict[str, str]:
    artists = [
        {
            "id": f"ar{key}",
            "name": name,
            "match_key": match_key(name),
            "sort_key": sort_key(name),
            "created_at": START,
        }
        for key, name in ARTISTS.items()
    ]
    albums = [
        {
            "id": f"al{key}",
            "title": title,
            "artist_id": f"ar{artist}",
            "match_key": album_key(f"ar{artist}", title),
            "sort_key": sort_key(title),
            "compilation": False,
            "year": year,
            "created_at": START,
        }
        for key, (artist, title, year) in ALBUMS.items()
    ]
    blobs, rows, genres, plays = [], [], [], []
    ids: dict[str, str] = {}
    for n, (title, (album, owner, visibility, disc, number, genre, playable)) in enumerate(
        TRACKS.items()
    ):
        track_id = f"tr{n:04d}"
        ids[title] = track_id
        blob_hash = f"{n + 1:064x}"
        artist = ALBUMS[album][0]
        blobs.append(
            {
                "hash": blob_hash,
                "size": 1000,
                "refcount": 1,
                "status": "ready" if playable else "processing",
                "playable": playable,
                "format_name": "flac",
                "codec": "flac",
                "sample_rate": 44100,
                "channels": 2,
                "duration": 100.0 + n,
                "tags": {},
                "artwork_sizes": [],
                "created_at": START,
                "updated_at": START,
            }
        )
        rows.append(
            {
                "id": track_id,
                "blob_hash": blob_hash,
                "owner_id": users[owner],
                "visibility": visibility,
                "filename": f"{title}.flac",
                "title": title,
                "artist": ARTISTS[artist],
                "album": ALBUMS[album][1],
                "album_artist": ARTISTS[artist],
                "track_number": number,
                "disc_number": disc,
                "year": ALBUMS[album][2],
                "genre": genre,
                "artist_id": f"ar{artist}",
                "album_id": f"al{album}",
                "tags_applied": True,
                "edited": [],
                "lyrics": LYRICS.get(title),
                "created_at": START + timedelta(seconds=n),
                "updated_at": START + timedelta(seconds=n),
            }
        )
        for part in genre.split("; "):
            genres.append({"track_id": track_id, "genre_key": match_key(part), "name": part})
        if title in PLAYS:
            plays.append({"track_id": track_id, "plays": PLAYS[title], "seconds": 1.0})
    with c.infra.uows() as uow:
        s = uow.session
        s.execute(insert(Artist), artists)
        s.execute(insert(Album), albums)
        s.execute(insert(Blob), blobs)
        s.execute(insert(Track), rows)
        s.execute(insert(TrackGenre), genres)
        s.execute(insert(TrackPlays), plays)
    return ids


def _index(body: dict[str, Any], member: str) -> dict[str, list[str]]:
    return {i["name"]: [a["name"] for a in i["artist"]] for i in body[member]["index"]}


def test_artists_are_grouped_by_their_sort_letter(world: World) -> None:
    bob = world.ok("getArtists")["artists"]
    assert bob["ignoredArticles"] == "The"
    assert _index({"artists": bob}, "artists") == {
        "#": ["2 Many DJs"],
        "A": ["apple pie"],
        "Z": ["The Zebras"],
    }
    # The admin lists the unlisted album's artist too (moderators list every track).
    admin = _index(world.ok("getArtists", "admin"), "artists")
    assert list(admin) == ["#", "A", "O", "Z"]
    assert admin["O"] == ["Ödön"]
    indexes = world.ok("getIndexes")["indexes"]
    assert _index({"indexes": indexes}, "indexes") == _index({"artists": bob}, "artists")
    assert indexes["lastModified"] > 0


def test_album_counts_match_the_page(world: World) -> None:
    for who in ("bob", "alice", "admin"):
        listed = {
            a["name"]: a["albumCount"]
            for i in world.ok("getArtists", who)["artists"]["index"]
            for a in i["artist"]
        }
        page = world.client.get(
            "/api/artists",
            params={"limit": 100},
            headers={"Authorization": f"Bearer {world.keys[who]}"},
        ).json()
        assert listed == {a["name"]: a["album_count"] for a in page["items"]}, who


def test_an_album_lists_only_songs_an_app_can_play_in_disc_order(world: World) -> None:
    album = world.ok("getAlbum", id="al-alstripes")["album"]
    assert [s["title"] for s in album["song"]] == ["First", "Second", "Third", "Other Disc"]
    assert [(s["discNumber"], s["track"]) for s in album["song"]] == [
        (1, 1),
        (1, 2),
        (1, 3),
        (2, 1),
    ]
    assert album["songCount"] == 4
    assert album["duration"] == round(sum(s["duration"] for s in album["song"]))
    directory = world.ok("getMusicDirectory", id="al-alstripes")["directory"]
    assert [c["title"] for c in directory["child"]] == [s["title"] for s in album["song"]]
    # By its id the song still answers (as the page's track page does).
    song = world.ok("getSong", id=world.tracks["Reprocessing"])["song"]
    assert song["title"] == "Reprocessing"


def test_what_bob_sees(world: World) -> None:
    assert world.code("getSong", id=world.tracks["Alice Crumb"]) == 70
    assert world.ok("getSong", id=world.tracks["Breeze"])["song"]["title"] == "Breeze"
    assert world.code("getAlbum", id="al-alwind") == 70
    crumble = world.ok("getAlbum", id="al-alcrumble")["album"]
    assert [s["title"] for s in crumble["song"]] == ["Bob Crumb"]
    apple = world.ok("getArtist", id="ar-arapple")["artist"]
    assert [a["name"] for a in apple["album"]] == ["Crumble"]
    assert apple["album"][0]["songCount"] == 1
    directory = world.ok("getMusicDirectory", id="ar-arapple")["directory"]
    assert directory["parent"] == "1"
    assert [(c["title"], c["isDir"], c["parent"]) for c in directory["child"]] == [
        ("Crumble", True, "ar-arapple")
    ]


def test_genres_count_what_each_person_sees(world: World) -> None:
    def genres(who: str) -> dict[str, tuple[int, int]]:
        found = world.ok("getGenres", who)["genres"]["genre"]
        return {g["value"]: (g["songCount"], g["albumCount"]) for g in found}

    assert genres("bob") == {
        "Dance": (1, 1),
        "Electronic": (1, 1),
        "Folk": (1, 1),
        "Rock": (5, 1),
    }
    assert genres("admin")["Folk"] == (2, 1)
    assert genres("admin")["Ambient"] == (1, 1)


def test_top_songs_by_plays_then_album_order(world: World) -> None:
    top = world.ok("getTopSongs", artist="the zebras", count=10)["topSongs"]["song"]
    assert [s["title"] for s in top] == ["Third", "Second", "First", "Other Disc"]
    two = world.ok("getTopSongs", artist="Zebras, The", count=2)["topSongs"]["song"]
    assert [s["title"] for s in two] == ["Third", "Second"]
    assert world.ok("getTopSongs", artist="Ödön")["topSongs"] == {"song": []}
    assert (
        world.ok("getTopSongs", "admin", artist="Ödön")["topSongs"]["song"][0]["title"] == "Breeze"
    )


def test_lyrics(world: World) -> None:
    assert world.ok("getLyrics", artist="The Zebras", title="first")["lyrics"] == {
        "artist": "The Zebras",
        "title": "First",
        "value": "hello\nworld",
    }
    assert world.ok("getLyrics", title="Mix One")["lyrics"]["value"] == "just words\nand more"
    assert world.ok("getLyrics", artist="apple pie", title="Alice Crumb")["lyrics"] == {"value": ""}
    assert world.ok("getLyrics")["lyrics"] == {"value": ""}
    (lyrics,) = world.ok("getLyricsBySongId", id=world.tracks["First"])["lyricsList"][
        "structuredLyrics"
    ]
    assert lyrics["synced"] is True
    assert lyrics["line"] == [{"start": 2000, "value": "hello"}, {"start": 3500, "value": "world"}]
    (plain,) = world.ok("getLyricsBySongId", id=world.tracks["Mix One"])["lyricsList"][
        "structuredLyrics"
    ]
    assert plain["synced"] is False
    assert plain["line"] == [{"value": "just words"}, {"value": "and more"}]
    assert world.ok("getLyricsBySongId", id=world.tracks["Second"])["lyricsList"] == {
        "structuredLyrics": []
    }


def test_an_api_key_without_read_may_not_browse(world: World) -> None:
    for method, params in [
        ("getArtists", {}),
        ("getAlbum", {"id": "al-alstripes"}),
        ("getSong", {"id": world.tracks["First"]}),
        ("getLyrics", {"title": "First"}),
    ]:
        assert world.code(method, "bob-upload-only", **params) == 50, method
