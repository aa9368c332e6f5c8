"""Tag edits, bulk edits, likes and album covers through the whole HTTP app."""

from __future__ import annotations

from pathlib import Path

from tests.accounts.conftest import song
from tests.fixtures.accounts import Person, Site, drain
from tests.fixtures.audio import image_bytes, make_audio


def _upload(person: Person, path: Path, visibility: str = "private") -> str:
    made = person.browser.post(
        "/api/tracks",
        params={"visibility": visibility},
        files={"file": (path.name, path.read_bytes())},
    )
    assert made.status_code == 201, made.text
    return str(made.json()["id"])


def _tone(tmp_path: Path, n: int) -> Path:
    return make_audio(tmp_path / f"tone{n}.flac", seconds=1.5, frequency=300.0 + 41 * n)


def test_tag_edits_are_validated_and_change_nothing_when_refused(
    site: Site, tmp_path: Path
) -> None:
    admin = site.setup()
    alice = site.add_user(admin, "alice")
    track = _upload(alice, _tone(tmp_path, 1))
    before = alice.browser.get(f"/api/tracks/{track}").json()
    for body in (
        {"year": "abc"},
        {"year": 10000},
        {"track_number": 0},
        {"title": "x" * 100_000, "album": "Should not land"},
        {"genre": "g" * 201},
        {"nonsense": 1},
    ):
        refused = alice.browser.patch(f"/api/tracks/{track}", json=body)
        assert refused.status_code == 422, (body, refused.text)
        assert refused.headers["content-type"] == "application/problem+json"
    assert alice.browser.get(f"/api/tracks/{track}").json() == before

    done = alice.browser.patch(
        f"/api/tracks/{track}",
        json={"title": "  Mine  ", "artist": "Me", "album": "Record", "year": 2020, "genre": "A/B"},
    )
    assert done.status_code == 200, done.text
    out = done.json()
    assert (out["title"], out["artist"], out["year"], out["genres"]) == (
        "Mine",
        "Me",
        2020,
        ["A", "B"],
    )
    assert out["album_id"] and out["artist_id"]
    assert set(out["edited"]) >= {"title", "artist", "album", "year", "genre"}
    original = alice.browser.get(f"/api/tracks/{track}/original")
    assert original.content == (tmp_path / "tone1.flac").read_bytes()  # bytes untouched


def test_bulk_edits_are_all_or_nothing(site: Site, tmp_path: Path) -> None:
    admin = site.setup()
    alice = site.add_user(admin, "alice")
    bob = site.add_user(admin, "bob")
    mine = [_upload(alice, _tone(tmp_path, n)) for n in range(3)]
    theirs = _upload(bob, _tone(tmp_path, 9), "public")
    refused = alice.browser.patch(
        "/api/tracks", json={"ids": [*mine, theirs], "changes": {"album": "Together"}}
    )
    assert refused.status_code == 404, refused.text
    assert theirs in refused.json()["detail"]
    for t in mine:
        assert alice.browser.get(f"/api/tracks/{t}").json()["album"] is None
    done = alice.browser.patch(
        "/api/tracks",
        json={"ids": mine, "changes": {"album": "Together", "artist": "Us", "year": 1999}},
    )
    assert done.status_code == 200, done.text
    assert done.json()["updated"] == 3
    assert {t["album_id"] for t in done.json()["items"]} != {None}
    assert len({t["album_id"] for t in done.json()["items"]}) == 1
    albums = alice.browser.get("/api/albums").json()
    assert [(a["title"], a["track_count"], a["year"]) for a in albums["items"]] == [
        ("Together", 3, 1999)
    ]
    assert bob.browser.get("/api/albums").json() == {"items": [], "total": 0}


def test_likes(site: Site, tmp_path: Path) -> None:
    admin = site.setup()
    alice = site.add_user(admin, "alice")
    bob = site.add_user(admin, "bob")
    public = _upload(alice, _tone(tmp_path, 1), "public")
    private = _upload(alice, _tone(tmp_path, 2))
    alice.browser.patch(f"/api/tracks/{public}", json={"album": "Shared", "artist": "A"})
    album = alice.browser.get(f"/api/tracks/{public}").json()["album_id"]
    assert bob.browser.put(f"/api/likes/track/{public}").status_code == 204
    assert bob.browser.put(f"/api/likes/track/{public}").status_code == 204  # idempotent
    assert bob.browser.put(f"/api/likes/album/{album}").status_code == 204
    assert bob.browser.put(f"/api/likes/track/{private}").status_code == 404
    assert bob.browser.put("/api/likes/playlist/nope").status_code == 404
    assert bob.browser.put(f"/api/likes/song/{public}").status_code == 422
    tracks = bob.browser.get("/api/likes", params={"kind": "track"}).json()
    assert [t["id"] for t in tracks["items"]] == [public] and tracks["items"][0]["liked"]
    albums = bob.browser.get("/api/likes", params={"kind": "album"}).json()
    assert [(a["id"], a["liked"]) for a in albums["items"]] == [(album, True)]
    assert bob.browser.get(f"/api/tracks/{public}").json()["liked"] is True
    assert alice.browser.get(f"/api/tracks/{public}").json()["liked"] is False
    # Made private: the like stays but shows nowhere; deleted: the like is gone.
    alice.browser.patch(f"/api/tracks/{public}", json={"visibility": "private"})
    assert bob.browser.get("/api/likes", params={"kind": "track"}).json()["total"] == 0
    assert bob.browser.delete(f"/api/likes/track/{public}").status_code == 204
    assert bob.browser.delete(f"/api/likes/track/{public}").status_code == 404
    alice.browser.patch(f"/api/tracks/{public}", json={"visibility": "public"})
    assert bob.browser.put(f"/api/likes/track/{public}").status_code == 204
    assert alice.browser.delete(f"/api/tracks/{public}").status_code == 204
    with site.c.infra.uows.read() as s:
        from sqlalchemy import select

        from tonearm.models import Like

        assert s.scalars(select(Like.subject_id).where(Like.kind == "track")).all() == []


def test_album_covers(site: Site, tmp_path: Path) -> None:
    admin = site.setup()
    alice = site.add_user(admin, "alice")
    bob = site.add_user(admin, "bob")
    art = song(tmp_path / "art")  # embedded 300x300 picture
    first = _upload(alice, art, "public")
    drain(site.c)
    alice.browser.patch(f"/api/tracks/{first}", json={"album": "Pictures", "artist": "P"})
    album = alice.browser.get(f"/api/tracks/{first}").json()["album_id"]
    out = bob.browser.get(f"/api/albums/{album}").json()
    assert out["cover"] and not out["editable"]
    embedded = bob.browser.get(out["cover"]["128"])
    assert embedded.status_code == 200 and embedded.headers["content-type"] == "image/webp"
    assert embedded.headers["cache-control"] == "private, max-age=86400"
    again = bob.browser.get(
        out["cover"]["128"], headers={"If-None-Match": embedded.headers["etag"]}
    )
    assert again.status_code == 304

    bad = alice.browser.put(f"/api/albums/{album}/cover", content=b"not a picture")
    assert bad.status_code == 415
    assert "picture" in bad.json()["detail"]
    assert (
        bob.browser.put(f"/api/albums/{album}/cover", content=image_bytes((64, 64))).status_code
        == 403
    )
    png = image_bytes((200, 200), color="blue")
    assert (
        alice.browser.put(
            f"/api/albums/{album}/cover", files={"file": ("c.png", png, "image/png")}
        ).status_code
        == 204
    )
    uploaded = alice.browser.get(f"/api/albums/{album}").json()["cover"]["512"]
    assert "?v=" in uploaded
    original = bob.browser.get(f"/api/albums/{album}/cover/original")
    assert original.content == png and original.headers["content-type"] == "image/png"
    artist = alice.browser.get(f"/api/albums/{album}").json()["artist_id"]
    assert bob.browser.get(f"/api/artists/{artist}/cover/128.webp").status_code == 200
    # Private now: the album and its cover no longer exist for bob.
    alice.browser.patch(f"/api/tracks/{first}", json={"visibility": "private"})
    assert bob.browser.get(f"/api/albums/{album}/cover/original").status_code == 404
    assert bob.browser.get(f"/api/albums/{album}").status_code == 404
    assert alice.browser.delete(f"/api/albums/{album}/cover").status_code == 204
    assert alice.browser.get(f"/api/albums/{album}/cover/original").content != png
