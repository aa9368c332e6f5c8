"""Smart playlists, M3U8/XSPF export and import, and the order keys."""

from __future__ import annotations

import random

import pytest
from tests.playlists.conftest import World

from tonearm.models import Like, ListenerTrack, Track, TrackPlays, utcnow
from tonearm.playlists import positions


def _tag(world: World, track_id: str, **values: object) -> None:
    with world.site.c.infra.uows() as uow:
        track = uow.session.get(Track, track_id)
        assert track is not None
        for k, v in values.items():
            setattr(track, k, v)


def test_smart_playlist_follows_its_rules_for_each_viewer(world: World) -> None:
    a = world.track(world.owner, "public")
    b = world.track(world.owner, "public")
    c = world.track(world.owner, "private")
    _tag(world, a, artist="Nina Simone", title="Sinnerman", year=1965)
    _tag(world, b, artist="Nina Simone", title="Feeling Good", year=1965)
    _tag(world, c, artist="Nina Simone", title="Private", year=1970)
    with world.site.c.infra.uows() as uow:
        uow.session.add(Like(user_id=world.owner.user_id, kind="track", subject_id=b))
    rules = {
        "match": "all",
        "rules": [
            {"field": "artist", "op": "contains", "value": "nina"},
            {"field": "year", "op": "between", "value": [1960, 1979]},
        ],
        "sort": {"field": "title", "order": "asc"},
    }
    p = world.playlist(world.owner, visibility="public", rules=rules)
    assert p["kind"] == "smart" and p["rules"]["match"] == "all"
    ids = [i["track"]["id"] for i in world.items(world.owner, p["id"])["items"]]
    assert ids == [b, c, a]  # Feeling Good, Private, Sinnerman
    # Another person sees only the tracks they may see.
    ids = [i["track"]["id"] for i in world.items(world.other, p["id"])["items"]]
    assert ids == [b, a]
    liked = world.playlist(
        world.owner, rules={"rules": [{"field": "liked", "op": "true"}], "limit": 10}
    )
    assert [i["id"] for i in world.items(world.owner, liked["id"])["items"]] == [b]
    refused = world.owner.browser.post(f"/api/playlists/{p['id']}/items", json={"track_ids": [a]})
    assert refused.status_code == 409 and "rules" in refused.json()["detail"]


def test_smart_playlist_by_plays(world: World) -> None:
    """``plays``/``last_played`` are the viewer's own counted plays, ``total_plays``
    everyone's; a track never played counts 0 and has no last played date."""
    a, b, c = (world.track(world.owner, "public") for _ in range(3))
    now = utcnow()
    with world.site.c.infra.uows() as uow:
        for track_id, mine, everyone in ((a, 5, 6), (b, 1, 40)):
            uow.session.add(
                ListenerTrack(
                    user_id=world.owner.user_id,
                    track_id=track_id,
                    plays=mine,
                    seconds=30.0 * mine,
                    last_played_at=now,
                )
            )
            uow.session.add(TrackPlays(track_id=track_id, plays=everyone, seconds=30.0 * everyone))

    def smart(person: object, rules: list[dict[str, object]], field: str) -> list[str]:
        body = {"rules": rules, "sort": {"field": field, "order": "desc"}}
        made = world.playlist(world.owner, visibility="public", rules=body)
        return [i["track"]["id"] for i in world.items(person, made["id"])["items"]]  # type: ignore[arg-type]

    assert smart(world.owner, [{"field": "plays", "op": "gt", "value": 0}], "plays") == [a, b]
    assert smart(world.owner, [{"field": "plays", "op": "lt", "value": 1}], "plays") == [c]
    assert smart(
        world.owner, [{"field": "total_plays", "op": "gt", "value": 0}], "total_plays"
    ) == [b, a]
    recent = [{"field": "last_played", "op": "in_last_days", "value": 7}]
    assert sorted(smart(world.owner, recent, "last_played")) == sorted([a, b])
    # Someone else has played nothing: their own plays are 0 everywhere.
    assert smart(world.other, [{"field": "plays", "op": "gt", "value": 0}], "plays") == []


@pytest.mark.parametrize(
    ("rule", "words"),
    [
        ({"field": "mood", "op": "is", "value": "x"}, "unknown field"),
        ({"field": "title", "op": "gt", "value": "x"}, "takes"),
        ({"field": "year", "op": "gt", "value": "1990"}, "number"),
        ({"field": "added", "op": "in_last_days", "value": 1.5}, "days"),
        ({"field": "liked", "op": "true", "value": 1}, "no value"),
    ],
)
def test_smart_rules_are_checked_strictly(
    world: World, rule: dict[str, object], words: str
) -> None:
    body = {"name": "S", "rules": {"rules": [{"field": "title", "op": "is", "value": "a"}, rule]}}
    refused = world.owner.browser.post("/api/playlists", json=body)
    assert refused.status_code == 422
    assert "Rule 2" in refused.json()["detail"] and words in refused.json()["detail"]


def test_export_and_import_round_trip(world: World) -> None:
    tracks = [world.track(world.owner, name=f"song {n}.flac") for n in range(3)]
    _tag(world, tracks[0], artist="Ünïcode Band", title="Straße")
    pid = world.playlist(world.owner)["id"]
    b = world.owner.browser
    b.post(f"/api/playlists/{pid}/items", json={"track_ids": tracks})
    for fmt in ("m3u8", "xspf"):
        out = b.get(f"/api/playlists/{pid}/export", params={"format": fmt})
        assert out.status_code == 200, out.text
        text = out.text
        if fmt == "m3u8":
            assert text.startswith("#EXTM3U\n") and "#EXTINF:2,Ünïcode Band - Straße" in text
        else:
            assert "<creator>Ünïcode Band</creator>" in text and "<duration>1500" in text
        # Add an entry nobody has; import the file back.
        extra = (
            "#EXTINF:100,Nobody - Nothing\nnothing.mp3\n"
            if fmt == "m3u8"
            else "<track><title>Nothing</title><creator>Nobody</creator></track>"
        )
        data = (
            text + extra if fmt == "m3u8" else text.replace("</trackList>", extra + "</trackList>")
        )
        made = b.post("/api/playlists/import", content=data.encode(), params={"name": fmt})
        assert made.status_code == 201, made.text
        assert made.json()["unmatched"] == ["Nobody - Nothing"]
        new = made.json()["playlist"]
        assert new["name"] == fmt and new["item_count"] == 3
        got = [i["track"]["id"] for i in world.items(world.owner, new["id"])["items"]]
        assert got == tracks


def test_import_matches_by_artist_title_then_filename(world: World) -> None:
    a = world.track(world.owner, name="first.flac")
    b = world.track(world.owner, name="Second Song.flac")
    hidden = world.track(world.other, name="secret.flac")
    _tag(world, a, artist="ABBA", title="Waterloo")
    m3u = (
        "#EXTM3U\n#EXTINF:1,abba - WATERLOO\n/music/x.flac\n"
        "#EXTINF:1,Unknown\n/music/second song.flac\nsecret.flac\n"
    )
    made = world.owner.browser.post("/api/playlists/import", content=m3u.encode())
    assert made.status_code == 201, made.text
    assert made.json()["unmatched"] == ["secret.flac"]
    got = [
        i["track"]["id"] for i in world.items(world.owner, made.json()["playlist"]["id"])["items"]
    ]
    assert got == [a, b] and hidden not in got


@pytest.mark.parametrize(
    "body",
    [
        b"<playlist><trackList><track></playlist>",
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><playlist>&a;</playlist>',
        b"<html><body/></html>",
    ],
)
def test_malformed_xspf_is_refused_and_creates_nothing(world: World, body: bytes) -> None:
    refused = world.owner.browser.post("/api/playlists/import", content=body)
    assert refused.status_code == 400, refused.text
    assert refused.headers["content-type"] == "application/problem+json"
    assert "XSPF" in refused.json()["detail"] or "XML" in refused.json()["detail"]
    assert world.owner.browser.get("/api/playlists").json()["total"] == 0


def test_import_over_one_megabyte_is_refused(world: World) -> None:
    refused = world.owner.browser.post("/api/playlists/import", content=b"#" * (1 << 20 + 1))
    assert refused.status_code == 413


def test_keys_stay_ordered_under_random_inserts() -> None:
    rng = random.Random(7)
    keys: list[str] = []
    for _ in range(2000):
        j = rng.randint(0, len(keys))
        low = keys[j - 1] if j else None
        high = keys[j] if j < len(keys) else None
        key = positions.key_between(low, high)
        assert positions.valid(key)
        assert (low is None or low < key) and (high is None or key < high)
        keys.insert(j, key)
    assert keys == sorted(keys) and len(set(keys)) == len(keys)
    bulk = positions.keys_between(keys[0], keys[1], 500)
    assert bulk == sorted(bulk) and len(set(bulk)) == 500
    assert all(keys[0] < k < keys[1] for k in bulk)
    assert max(len(k) for k in positions.spread(5000)) <= 4
