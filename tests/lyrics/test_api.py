"""``/api/tracks/{id}/lyrics``: reading, replacing and removing, through the whole app."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from mutagen.flac import FLAC

from tests.fixtures.accounts import Person, Site, drain
from tests.fixtures.audio import make_audio
from tests.lyrics.conftest import upload
from tonearm.events import Event
from tonearm.media.lyrics import MAX_LYRICS_CHARS
from tonearm.models import Track
from tonearm.types import TrackId

SYNCED = "[ar:Someone]\r\n[00:01.00]One <00:01.50>two\r\n[00:03.00]Three"


def _tone(tmp_path: Path, n: int) -> Path:
    return make_audio(tmp_path / f"tone{n}.flac", seconds=1.5, frequency=300.0 + 41 * n)


def _row(site: Site, track_id: str) -> Track:
    with site.c.infra.uows.read() as s:
        track = s.get(Track, TrackId(track_id))
        assert track is not None
        s.expunge(track)
        return track


def _people(site: Site) -> tuple[Person, Person, Person, Person]:
    admin = site.setup()
    return (
        admin,
        site.add_user(admin, "alice"),
        site.add_user(admin, "bob"),
        site.add_user(admin, "mod", role="moderator"),
    )


def test_owner_replaces_reads_and_removes_lyrics(site: Site, tmp_path: Path) -> None:
    _, alice, _, _ = _people(site)
    track = upload(alice, _tone(tmp_path, 1))
    empty = alice.browser.get(f"/api/tracks/{track}/lyrics")
    assert empty.status_code == 200
    assert empty.json() == {
        "track_id": track,
        "text": None,
        "synced": False,
        "lines": [],
        "editable": True,
    }

    put = alice.browser.put(f"/api/tracks/{track}/lyrics", json={"text": SYNCED})
    assert put.status_code == 200, put.text
    stored = "[ar:Someone]\n[00:01.00]One <00:01.50>two\n[00:03.00]Three"
    assert put.json() == {
        "track_id": track,
        "text": stored,
        "synced": True,
        "lines": [
            {
                "start_ms": 1000,
                "text": "One two",
                "words": [{"start_ms": 1000, "text": "One "}, {"start_ms": 1500, "text": "two"}],
            },
            {"start_ms": 3000, "text": "Three", "words": []},
        ],
        "editable": True,
    }
    assert alice.browser.get(f"/api/tracks/{track}/lyrics").json() == put.json()
    row = _row(site, track)
    assert row.lyrics == stored and "lyrics" in row.edited
    assert "lyrics" in alice.browser.get(f"/api/tracks/{track}").json()["edited"]

    plain = alice.browser.put(f"/api/tracks/{track}/lyrics", json={"text": "just\nwords"})
    assert plain.json()["synced"] is False
    assert [line["text"] for line in plain.json()["lines"]] == ["just", "words"]

    gone = alice.browser.delete(f"/api/tracks/{track}/lyrics")
    assert gone.status_code == 204 and gone.content == b""
    assert alice.browser.get(f"/api/tracks/{track}/lyrics").json()["text"] is None
    row = _row(site, track)
    assert row.lyrics is None and "lyrics" in row.edited

    # Blank text removes them too.
    alice.browser.put(f"/api/tracks/{track}/lyrics", json={"text": "x"})
    blank = alice.browser.put(f"/api/tracks/{track}/lyrics", json={"text": " \n\x00\r\n "})
    assert blank.status_code == 200 and blank.json()["text"] is None


def test_hand_edits_survive_reprocessing(site: Site, tmp_path: Path) -> None:
    _, alice, _, _ = _people(site)
    edited = upload(alice, _tone(tmp_path, 1))
    removed = upload(alice, _tone(tmp_path, 2))
    untouched = upload(alice, _tone(tmp_path, 3))
    drain(site.c)
    alice.browser.put(f"/api/tracks/{edited}/lyrics", json={"text": "[00:01.00]mine"})
    alice.browser.delete(f"/api/tracks/{removed}/lyrics")
    for track in (edited, removed, untouched):
        with site.c.infra.uows() as uow:
            site.c.library.apply_tags(uow, _row(site, track).blob_hash, {"lyrics": "from file"})
    assert _row(site, edited).lyrics == "[00:01.00]mine"
    assert _row(site, removed).lyrics is None
    assert _row(site, untouched).lyrics == "from file"


def test_limits_and_bad_input_change_nothing(site: Site, tmp_path: Path) -> None:
    _, alice, _, _ = _people(site)
    track = upload(alice, _tone(tmp_path, 1))
    alice.browser.put(f"/api/tracks/{track}/lyrics", json={"text": "[00:01.00]keep me"})
    before = alice.browser.get(f"/api/tracks/{track}/lyrics").json()
    for body in (
        {"text": "a" * (MAX_LYRICS_CHARS + 1)},
        {"text": 5},
        {"text": None},
        {},
        {"text": "x", "extra": 1},
        ["x"],
    ):
        refused = alice.browser.put(f"/api/tracks/{track}/lyrics", json=body)
        assert refused.status_code == 422, (str(body)[:40], refused.text[:200])
        assert refused.headers["content-type"] == "application/problem+json"
    not_json = alice.browser.put(
        f"/api/tracks/{track}/lyrics",
        content=b"\xff\xfe",
        headers={"Content-Type": "application/json"},
    )
    assert not_json.status_code == 422
    assert alice.browser.get(f"/api/tracks/{track}/lyrics").json() == before

    longest = "[00:01.00]" + "a" * (MAX_LYRICS_CHARS - 10)
    done = alice.browser.put(f"/api/tracks/{track}/lyrics", json={"text": longest})
    assert done.status_code == 200 and done.json()["text"] == longest

    surrogate = alice.browser.put(  # ASCII JSON: a lone surrogate travels as \ud800
        f"/api/tracks/{track}/lyrics",
        content=json.dumps({"text": "half a pair \ud800"}).encode(),
        headers={"Content-Type": "application/json"},
    )
    assert surrogate.status_code == 422
    dirty = "\ufeff[00:01.00]a\x00b\x1b[2Jc\x07\r\n[00:02.00]\u202eright-to-left\t\tend"
    cleaned = alice.browser.put(f"/api/tracks/{track}/lyrics", json={"text": dirty})
    assert cleaned.status_code == 200, cleaned.text
    assert cleaned.json()["text"] == "[00:01.00]a b [2Jc\n[00:02.00]\u202eright-to-left end"
    assert _row(site, track).lyrics == cleaned.json()["text"]


def test_who_may_read_and_change(site: Site, tmp_path: Path) -> None:
    admin, alice, bob, mod = _people(site)
    private = upload(alice, _tone(tmp_path, 1), "private")
    public = upload(alice, _tone(tmp_path, 2), "public")
    for track in (private, public):
        alice.browser.put(f"/api/tracks/{track}/lyrics", json={"text": "words"})
    anonymous = site.client()

    def status(person: Person | None, method: str, track: str) -> int:
        browser: Any = person.browser if person else anonymous
        body = {"json": {"text": "changed"}} if method == "PUT" else {}
        return int(browser.request(method, f"/api/tracks/{track}/lyrics", **body).status_code)

    assert [status(p, "GET", private) for p in (None, alice, bob, mod, admin)] == [
        401,
        200,
        404,
        200,
        200,
    ]
    assert [status(p, "PUT", private) for p in (None, bob, mod)] == [401, 404, 403]
    assert [status(p, "PUT", public) for p in (None, bob, mod)] == [401, 403, 403]
    assert [status(p, "DELETE", public) for p in (None, bob, mod)] == [401, 403, 403]
    assert alice.browser.get(f"/api/tracks/{public}/lyrics").json()["text"] == "words"
    assert bob.browser.get(f"/api/tracks/{public}/lyrics").json()["editable"] is False
    assert mod.browser.get(f"/api/tracks/{private}/lyrics").json()["editable"] is False
    assert admin.browser.get(f"/api/tracks/{private}/lyrics").json()["editable"] is True
    assert status(admin, "PUT", private) == 200
    assert _row(site, private).lyrics == "changed"
    # A token without the library scope reads but may not change.
    reader = site.bearer(site.token(alice, "read", name="reader"))
    assert reader.get(f"/api/tracks/{private}/lyrics").status_code == 200
    assert reader.put(f"/api/tracks/{private}/lyrics", json={"text": "no"}).status_code == 403
    assert _row(site, private).lyrics == "changed"


def test_an_edit_is_announced_as_a_track_change(site: Site, tmp_path: Path) -> None:
    _, alice, _, _ = _people(site)
    track = upload(alice, _tone(tmp_path, 1))
    feed = site.c.infra.events

    async def go() -> list[Event]:
        sub = await feed.subscribe()
        try:
            await asyncio.to_thread(
                alice.browser.put, f"/api/tracks/{track}/lyrics", json={"text": "la"}
            )
            await asyncio.to_thread(alice.browser.delete, f"/api/tracks/{track}/lyrics")
            got: list[Event] = []
            while (event := await sub.get(2.0)) is not None:
                got.append(event)
            return got
        finally:
            sub.close()

    events = asyncio.run(go())
    mine = [e.data.get("action") for e in events if e.data.get("id") == track]
    assert mine == ["updated", "updated"]


def test_a_held_back_duplicate_shows_no_lyrics_yet(site: Site, tmp_path: Path) -> None:
    """Bytes someone else uploaded and processed: the new owner's track looks like a fresh
    upload, so the lyrics that file carries must not show before a fresh one's would."""
    _, alice, bob, _ = _people(site)
    song = tmp_path / "song.flac"
    plain = _tone(tmp_path, 1)
    tags: Any = FLAC(plain)
    tags["LYRICS"] = "[00:00.50]from the file"
    tags.save()
    plain.rename(song)
    upload(alice, song, "public")
    drain(site.c)
    held = upload(bob, song)
    got = bob.browser.get(f"/api/tracks/{held}/lyrics")
    assert got.status_code == 200
    assert got.json() == {
        "track_id": held,
        "text": None,
        "synced": False,
        "lines": [],
        "editable": True,
    }
    # The row has them: they show once the track is revealed, as its tags do.
    assert _row(site, held).lyrics == "[00:00.50]from the file"
