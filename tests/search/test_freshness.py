"""The index follows every change within the request that makes it, and search shows
only what each person may see: through the whole HTTP app, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tests.fixtures.accounts import Person, Site, build_container, stage
from tests.fixtures.audio import make_audio
from tonearm.cli.main import main
from tonearm.models import Track, TrackPlays, Visibility
from tonearm.search.index import Rebuild
from tonearm.types import BlobHash, TrackId, UserId


class World:
    def __init__(self, site: Site, tmp: Path) -> None:
        self.site = site
        self.tmp = tmp
        self.admin = site.setup("admin")
        self.owner = site.add_user(self.admin, "owner")
        self.other = site.add_user(self.admin, "other")
        self.made = 0

    def track(self, person: Person, visibility: str, **tags: Any) -> str:
        """An upload of ``person``'s with its tags set by hand (as an owner would)."""
        c = self.site.c
        self.made += 1
        audio = make_audio(
            self.tmp / f"a{self.made}.flac", seconds=1.5, frequency=300.0 + 9 * self.made
        )
        accepted = c.ingest.service.finish(
            stage(c, audio, "upload.flac"), UserId(person.user_id), Visibility(visibility)
        )
        track_id = str(accepted.track_id)
        if tags:
            self.patch(person, track_id, **tags)
        return track_id

    @staticmethod
    def patch(person: Person, track_id: str, **change: Any) -> dict[str, Any]:
        got = person.browser.patch(f"/api/tracks/{track_id}", json=change)
        assert got.status_code == 200, got.text
        result: dict[str, Any] = got.json()
        return result


def search(person: Person, q: str, **params: Any) -> dict[str, Any]:
    got = person.browser.get("/api/search", params={"q": q, **params})
    assert got.status_code == 200, got.text
    result: dict[str, Any] = got.json()
    return result


def ids(found: dict[str, Any], kind: str) -> list[str]:
    if kind == "lyrics":
        return [hit["track"]["id"] for hit in found["lyrics"]]
    return [item["id"] for item in found[kind]]


@pytest.fixture
def world(tmp_path: Path, database_url: str) -> Iterator[World]:
    c = build_container(tmp_path / "data", database_url)
    try:
        yield World(Site(c), tmp_path)
    finally:
        c.close()


def test_only_what_each_person_may_see(world: World) -> None:
    hidden = world.track(
        world.owner, "private", title="Secret Garden", artist="Hidden Artist", album="Buried Album"
    )
    unlisted = world.track(
        world.owner, "unlisted", title="Link Only Song", artist="Shy Artist", album="Quiet Album"
    )
    public = world.track(
        world.owner, "public", title="Open Song", artist="Open Artist", album="Open Album"
    )
    other = world.other
    for q in (
        "secret garden",
        "hidden artist",
        "buried album",
        "secret",
        "link only",
        "shy artist",
        "quiet",
    ):
        found = search(other, q)
        assert not any(found[k] for k in ("tracks", "albums", "artists", "lyrics")), (q, found)
        assert found["top"] is None and found["corrected"] is None
    assert ids(search(other, "open song"), "tracks") == [public]
    assert search(other, "open artist")["artists"][0]["name"] == "Open Artist"
    # The owner finds their own, whatever its visibility; an admin finds everything.
    assert ids(search(world.owner, "secret garden"), "tracks") == [hidden]
    assert ids(search(world.owner, "link only"), "tracks") == [unlisted]
    assert ids(search(world.admin, "hidden artist"), "tracks") == [hidden]
    # A typo must not reveal a hidden word through "did you mean".
    assert search(other, "secrte garden")["corrected"] is None
    # Playlists: a private one is the owner's only.
    made = world.owner.browser.post("/api/playlists", json={"name": "Private Mix"})
    assert made.status_code == 201
    world.owner.browser.post("/api/playlists", json={"name": "Party Mix", "visibility": "public"})
    assert [p["name"] for p in search(other, "mix")["playlists"]] == ["Party Mix"]
    assert sorted(p["name"] for p in search(world.owner, "mix")["playlists"]) == [
        "Party Mix",
        "Private Mix",
    ]
    # Anonymous visitors (no anonymous listening here) are asked to sign in.
    assert world.site.client().get("/api/search", params={"q": "open"}).status_code == 401


def test_the_index_follows_every_change(world: World) -> None:
    owner, other, c = world.owner, world.other, world.site.c
    track = world.track(
        owner, "public", title="Morning Light", artist="Solar Band", album="Daybreak"
    )
    assert ids(search(other, "morning light"), "tracks") == [track]
    # A tag edit: the new title at once, the old one gone.
    world.patch(owner, track, title="Midnight Express")
    assert ids(search(other, "midnight express"), "tracks") == [track]
    assert ids(search(other, "morning light"), "tracks") == []
    # Visibility: private hides it from others, public shows it again.
    world.patch(owner, track, visibility="private")
    assert ids(search(other, "midnight"), "tracks") == []
    assert search(other, "solar band")["artists"] == []
    world.patch(owner, track, visibility="public")
    assert ids(search(other, "midnight"), "tracks") == [track]
    # A change to several tracks at once; the artist left without tracks is gone.
    bulk = owner.browser.patch(
        "/api/tracks", json={"ids": [track], "changes": {"artist": "Lunar Band"}}
    )
    assert bulk.status_code == 200, bulk.text
    assert [a["name"] for a in search(other, "lunar band")["artists"]] == ["Lunar Band"]
    assert search(owner, "solar band")["artists"] == []
    # Processing: tags and lyrics read from the file (hand-set fields stay).
    blob = BlobHash(owner.browser.get(f"/api/tracks/{track}").json()["source"]["sha256"])
    with c.infra.uows() as uow:
        c.library.apply_tags(
            uow,
            blob,
            {
                "title": "Ignored",
                "genre": "Krautrock",
                "lyrics": "[00:07.25]the quick brown fox\n[00:09.00]jumps",
            },
        )
        c.library.announce_blob(uow, blob)
    assert ids(search(other, "krautrock"), "tracks") == [track]
    found = search(other, "quick brown fox")
    assert ids(found, "lyrics") == [track] and found["lyrics"][0]["start_ms"] == 7250
    assert ids(search(other, "midnight express"), "tracks") == [track]
    # Delete: the track, its lines, its artist and album.
    assert owner.browser.delete(f"/api/tracks/{track}").status_code == 204
    for q, kind in (
        ("midnight", "tracks"),
        ("quick brown", "lyrics"),
        ("lunar", "artists"),
        ("daybreak", "albums"),
    ):
        assert ids(search(owner, q), kind) == [], q


def test_playlists_and_accounts_follow(world: World) -> None:
    owner, other, admin = world.owner, world.other, world.admin
    made = owner.browser.post(
        "/api/playlists",
        json={"name": "Road Trip", "visibility": "public", "description": "windows down"},
    )
    pid = made.json()["id"]
    assert ids(search(other, "road trip"), "playlists") == [pid]
    assert ids(search(other, "windows down"), "playlists") == [pid]
    assert (
        owner.browser.patch(f"/api/playlists/{pid}", json={"name": "Night Drive"}).status_code
        == 200
    )
    assert ids(search(other, "night drive"), "playlists") == [pid]
    assert ids(search(other, "road trip"), "playlists") == []
    assert (
        owner.browser.patch(f"/api/playlists/{pid}", json={"visibility": "private"}).status_code
        == 200
    )
    assert ids(search(other, "night drive"), "playlists") == []
    assert owner.browser.delete(f"/api/playlists/{pid}").status_code == 204
    assert ids(search(owner, "night drive"), "playlists") == []
    # An account that goes takes its tracks, artists and albums out of search.
    track = world.track(
        owner, "public", title="Farewell Tune", artist="Leaving Artist", album="Last Album"
    )
    assert ids(search(other, "farewell"), "tracks") == [track]
    assert admin.browser.delete(f"/api/users/{owner.user_id}").status_code == 204
    for q, kind in (
        ("farewell", "tracks"),
        ("leaving artist", "artists"),
        ("last album", "albums"),
    ):
        assert ids(search(admin, q), kind) == [], q


def test_bad_parameters_are_clear(world: World) -> None:
    browser = world.other.browser
    assert browser.get("/api/search", params={"q": "x", "types": "songs"}).status_code == 400
    assert browser.get("/api/search", params={"q": "x", "limit": 0}).status_code == 422
    assert browser.get("/api/search", params={"q": "x", "limit": 51}).status_code == 422
    long = browser.get("/api/search", params={"q": "é" * 5000})
    assert long.status_code == 200 and len(long.json()["query"]) == 200


def test_reindex_command_rebuilds(world: World, database_url: str, tmp_path: Path) -> None:
    track = world.track(world.owner, "public", title="Rebuilt Anthem", artist="Index Band")
    c = world.site.c
    with c.infra.uows() as uow:
        Rebuild().clear(uow.session)
    assert ids(search(world.other, "rebuilt anthem"), "tracks") == []
    result = CliRunner().invoke(
        main,
        [
            "search",
            "reindex",
            "--data-dir",
            str(tmp_path / "data"),
            "--database-url",
            database_url,
            "--no-progress",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "search index rebuilt: 1 track(s)" in result.output
    assert ids(search(world.other, "rebuilt anthem"), "tracks") == [track]
    assert [a["name"] for a in search(world.other, "index band")["artists"]] == ["Index Band"]


def test_a_like_moves_a_result_at_once(world: World) -> None:
    """Likes are popularity: equal matches swap places when one is liked, and back."""
    first, second = sorted(
        world.track(world.owner, "public", title="Twin Song", artist=f"Twin {n}", album="Pair")
        for n in ("One", "Two")
    )
    assert ids(search(world.other, "twin song"), "tracks")[:2] == [first, second]
    liked = world.other.browser.put(f"/api/likes/track/{second}")
    assert liked.status_code == 204, liked.text
    assert ids(search(world.other, "twin song"), "tracks")[:2] == [second, first]
    assert world.other.browser.delete(f"/api/likes/track/{second}").status_code == 204
    assert ids(search(world.other, "twin song"), "tracks")[:2] == [first, second]


def test_plays_move_results_and_names(world: World) -> None:
    """Counted plays are popularity too: the tracks, album and artist that were played
    move up once the listening domain reports them (``plays_changed``)."""
    first, second = sorted(
        world.track(world.owner, "public", title="Echo Song", artist=f"Echo {n}", album=f"Echo {n}")
        for n in ("North", "South")
    )
    assert ids(search(world.other, "echo song"), "tracks")[:2] == [first, second]
    c = world.site.c
    with c.infra.uows() as uow:
        uow.session.add(TrackPlays(track_id=second, plays=3, seconds=600.0))
        uow.session.flush()
        c.search.index.plays_changed(uow.session, [TrackId(second)])
    found = search(world.other, "echo")
    assert ids(found, "tracks")[:2] == [second, first]
    with c.infra.uows.read() as session:
        track = session.get(Track, second)
        assert track is not None
        artist_id, album_id = track.artist_id, track.album_id
    assert ids(found, "artists")[0] == artist_id
    assert ids(found, "albums")[0] == album_id
