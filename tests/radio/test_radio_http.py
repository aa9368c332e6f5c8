"""Similar tracks, radio and mixes over HTTP: rules, visibility and bad input."""

from __future__ import annotations

from collections import Counter

from tests.fixtures.sounds import FAMILIES
from tests.radio.conftest import World

ARTISTS = ("Ana", "Bo", "Cy", "Di", "Ed", "Flo")


def ids(tracks: list[dict[str, object]]) -> list[str]:
    return [str(t["id"]) for t in tracks]


def test_similar_tracks_are_dominated_by_their_own_family(world: World) -> None:
    clips = world.studio.clips(4, families=FAMILIES[:4], seconds=3.0)
    family = {world.track(world.owner, clip.path): clip.family for clip in clips}
    hidden = world.studio.clips(1, families=FAMILIES[:4], seconds=3.0, seed=5)
    private = {world.track(world.other, clip.path, visibility="private") for clip in hidden}
    scores = []
    for track_id, name in family.items():
        got = world.json(
            world.owner.browser.get(f"/api/tracks/{track_id}/similar", params={"limit": 3})
        )
        assert got["pending"] is False
        found = ids(got["tracks"])
        assert len(found) == 3
        assert track_id not in found
        assert not private & set(found)  # another person's private track: never
        scores.append(sum(family[t] == name for t in found) / 3)
    assert sum(scores) / len(scores) >= 0.75, scores


def test_radio_rules_hold_over_a_hundred_steps(world: World) -> None:
    people = (world.owner, world.other)
    tracks = {
        world.track(people[n % 2], artist=artist): artist for artist in ARTISTS for n in range(4)
    }
    private = {world.track(world.other, visibility="private", artist="Hidden") for _ in range(3)}
    first, *others = tracks
    disliked, skipped, late = others[0], others[5], others[9]
    radio = world.json(
        world.owner.browser.post("/api/radio", json={"seed": {"kind": "track", "id": first}}), 201
    )
    played = ids(radio["tracks"])
    assert played[0] == first  # a track's radio opens with the track
    feedback = f"/api/radio/{radio['id']}/feedback"
    for track_id, action, position in (
        (disliked, "dislike", 3.0),
        (skipped, "skip", 12.0),
        (late, "skip", 95.0),  # a late skip is not a verdict
    ):
        answer = world.owner.browser.post(
            feedback, json={"track_id": track_id, "action": action, "position_s": position}
        )
        assert answer.status_code == 204, answer.text
    while len(played) < 100:
        got = world.json(world.owner.browser.post(f"/api/radio/{radio['id']}/next"))
        assert len(got["tracks"]) == 10  # endless
        played += ids(got["tracks"])
    assert not {disliked, skipped} & set(played[10:])
    assert not private & set(played)
    assert set(played) <= set(tracks)
    for i in range(len(played) - 4):
        window = [tracks[t] for t in played[i : i + 5]]
        assert len(set(window)) == 5, (i, window)
    # No repeat before the pool runs out: at the first repeat, every track not yet
    # played is blocked or by one of the last four artists.
    first_repeat = next(i for i, t in enumerate(played) if t in played[:i])
    unplayed = set(tracks) - {disliked, skipped} - set(played[:first_repeat])
    recent = {tracks[t] for t in played[first_repeat - 4 : first_repeat]}
    assert all(tracks[t] in recent for t in unplayed), (first_repeat, unplayed)
    assert late in played
    # Skips and dislikes belong to the person: a new radio leaves them out too.
    again = world.json(
        world.owner.browser.post("/api/radio", json={"seed": {"kind": "track", "id": first}}), 201
    )
    assert not {disliked, skipped} & set(ids(again["tracks"]))


def test_album_and_artist_seeds_use_their_tracks(world: World) -> None:
    made = [world.track(world.owner, artist=a) for a in ARTISTS for _ in range(2)]
    tagged = world.json(
        world.owner.browser.patch(f"/api/tracks/{made[0]}", json={"album": "One", "artist": "Ana"})
    )
    for kind, seed, title in (
        ("album", tagged["album_id"], "One radio"),
        ("artist", tagged["artist_id"], "Ana radio"),
    ):
        radio = world.json(
            world.owner.browser.post("/api/radio", json={"seed": {"kind": kind, "id": seed}}), 201
        )
        assert radio["title"] == title
        assert radio["seed"] == {"kind": kind, "id": seed}
        assert len(radio["tracks"]) == 10
        assert set(ids(radio["tracks"])) <= set(made)


def test_radio_and_similar_refuse_bad_input(world: World) -> None:
    mine = world.track(world.owner, artist="Ana")
    for _ in range(3):
        world.track(world.owner, artist="Bo")
    hidden = world.track(world.other, visibility="private")
    pending = world.track(world.owner, describe=False)
    owner, other = world.owner.browser, world.other.browser
    radio = world.json(owner.post("/api/radio", json={"seed": {"kind": "track", "id": mine}}), 201)
    rid = radio["id"]
    statuses = {
        "unknown radio": owner.post("/api/radio/nope/next").status_code,
        "another's radio": other.post(f"/api/radio/{rid}/next").status_code,
        "another's radio feedback": other.post(
            f"/api/radio/{rid}/feedback", json={"track_id": mine, "action": "skip"}
        ).status_code,
        "count 0": owner.post(f"/api/radio/{rid}/next", params={"count": 0}).status_code,
        "count 51": owner.post(f"/api/radio/{rid}/next", params={"count": 51}).status_code,
        "limit 51": owner.get(f"/api/tracks/{mine}/similar", params={"limit": 51}).status_code,
        "seed kind": owner.post(
            "/api/radio", json={"seed": {"kind": "playlist", "id": mine}}
        ).status_code,
        "no seed": owner.post("/api/radio", json={}).status_code,
        "seed id syntax": owner.post(
            "/api/radio", json={"seed": {"kind": "track", "id": "a b"}}
        ).status_code,
        "unknown seed": owner.post(
            "/api/radio", json={"seed": {"kind": "album", "id": "nope"}}
        ).status_code,
        "hidden seed": owner.post(
            "/api/radio", json={"seed": {"kind": "track", "id": hidden}}
        ).status_code,
        "hidden similar": owner.get(f"/api/tracks/{hidden}/similar").status_code,
        "unanalysed seed": owner.post(
            "/api/radio", json={"seed": {"kind": "track", "id": pending}}
        ).status_code,
        "bad action": owner.post(
            f"/api/radio/{rid}/feedback", json={"track_id": mine, "action": "love"}
        ).status_code,
        "negative position": owner.post(
            f"/api/radio/{rid}/feedback",
            json={"track_id": mine, "action": "skip", "position_s": -1},
        ).status_code,
        "hidden feedback": owner.post(
            f"/api/radio/{rid}/feedback", json={"track_id": hidden, "action": "dislike"}
        ).status_code,
        "anonymous radio": world.site.client()
        .post("/api/radio", json={"seed": {"kind": "track", "id": mine}})
        .status_code,
    }
    assert statuses == {
        "unknown radio": 404,
        "another's radio": 404,
        "another's radio feedback": 404,
        "count 0": 422,
        "count 51": 422,
        "limit 51": 422,
        "seed kind": 422,
        "no seed": 422,
        "seed id syntax": 422,
        "unknown seed": 404,
        "hidden seed": 404,
        "hidden similar": 404,
        "unanalysed seed": 409,
        "bad action": 422,
        "negative position": 422,
        "hidden feedback": 404,
        "anonymous radio": 401,
    }
    waiting = world.json(owner.get(f"/api/tracks/{pending}/similar"))
    assert waiting == {"tracks": [], "pending": True}


def test_mixes_follow_likes_and_never_show_hidden_tracks(world: World) -> None:
    clips = world.studio.clips(3, families=FAMILIES[:4], seconds=3.0)
    public = [
        world.track(world.other, clip.path, artist=clip.family, genre=clip.genre.title())
        for clip in clips
    ]
    extra = world.studio.clips(1, families=FAMILIES[:2], seconds=3.0, seed=9)
    own = [world.track(world.owner, clip.path, visibility="private") for clip in extra]
    hidden = world.studio.clips(1, families=FAMILIES[:4], seconds=3.0, seed=3)
    private = {world.track(world.admin, c.path, visibility="private") for c in hidden}
    newcomer = world.site.add_user(world.admin, "newcomer").browser
    assert world.json(newcomer.get("/api/mixes")) == {"mixes": []}  # no taste yet
    liked = public[:2]
    for track_id in liked:
        answer = world.owner.browser.put(f"/api/likes/track/{track_id}")
        assert answer.status_code == 204, answer.text
    mixes = {m["id"]: m for m in world.json(world.owner.browser.get("/api/mixes"))["mixes"]}
    assert {"daily", "discover"} <= set(mixes)
    assert any(key.startswith("genre:") for key in mixes)
    for mix in mixes.values():
        found = ids(mix["tracks"])
        assert found
        assert len(found) == len(set(found))
        assert not private & set(found)
        assert mix["title"]
    discover = set(ids(mixes["discover"]["tracks"]))
    assert not discover & (set(liked) | set(own))
    genre = next(m for key, m in mixes.items() if key.startswith("genre:"))
    names = Counter(t["genre"] for t in genre["tracks"])
    assert len(names) == 1
