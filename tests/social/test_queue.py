"""The play queue follows a person from device to device."""

from __future__ import annotations

from pathlib import Path

from tests.fixtures.accounts import Site
from tests.social.conftest import upload


def test_a_saved_queue_is_restored_on_another_device(site: Site, tmp_path: Path) -> None:
    admin = site.setup()
    member = site.add_user(admin, "member")
    tracks = [upload(member, tmp_path / str(i), "private") for i in range(3)]

    empty = member.browser.get("/api/queue")
    assert empty.status_code == 200
    assert empty.json()["version"] == 0
    assert empty.json()["track_ids"] == []

    saved = member.browser.put(
        "/api/queue",
        json={
            "track_ids": tracks,
            "current_index": 1,
            "position_s": 12.5,
            "shuffle": True,
            "shuffle_order": [2, 0, 1],
            "repeat": "all",
            "device": "phone",
        },
    )
    assert saved.status_code == 200, saved.text
    assert saved.json()["version"] == 1
    assert saved.json()["dropped"] == 0

    # Saved again within the same second: the version still tells them apart.
    again = member.browser.put(
        "/api/queue",
        json={**saved.json(), "tracks": None, "base_version": 1, "position_s": 13.0},
    )
    assert again.status_code == 200, again.text
    assert again.json()["version"] == 2

    laptop = site.sign_in("member")
    restored = laptop.browser.get("/api/queue").json()
    assert restored["track_ids"] == tracks
    assert [t["id"] for t in restored["tracks"]] == tracks
    assert restored["current_index"] == 1
    assert restored["position_s"] == 13.0
    assert restored["shuffle"] is True
    assert restored["shuffle_order"] == [2, 0, 1]
    assert restored["repeat"] == "all"
    assert restored["device"] == "phone"
    assert restored["version"] == 2
    # Each person has their own.
    assert admin.browser.get("/api/queue").json()["track_ids"] == []


def test_the_small_save_on_page_hide(site: Site, tmp_path: Path) -> None:
    admin = site.setup()
    tracks = [upload(admin, tmp_path / str(i)) for i in range(2)]
    admin.browser.put("/api/queue", json={"track_ids": tracks})
    moved = admin.browser.patch(
        "/api/queue", json={"current_index": 1, "position_s": 2.25, "device": "tab"}
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["version"] == 2
    assert set(moved.json()) == {"current_index", "position_s", "version", "device", "updated_at"}
    queue = admin.browser.get("/api/queue").json()
    assert (queue["current_index"], queue["position_s"], queue["device"]) == (1, 2.25, "tab")
    assert admin.browser.patch("/api/queue", json={"current_index": 2}).status_code == 422
    # Like every unsafe request made with the cookie, it needs the CSRF token.
    bare = site.client(cookie=admin.cookie)
    refused = bare.patch("/api/queue", json={"position_s": 1})
    assert refused.status_code == 403
    assert refused.json()["type"] == "urn:tonearm:problem:csrf"
    ok = bare.patch("/api/queue", json={"position_s": 1}, headers=admin.csrf_header)
    assert ok.status_code == 200


def test_a_save_from_a_stale_queue_is_refused(site: Site, tmp_path: Path) -> None:
    admin = site.setup()
    track = upload(admin, tmp_path)
    assert admin.browser.put("/api/queue", json={"track_ids": [track]}).json()["version"] == 1
    assert admin.browser.put("/api/queue", json={"track_ids": []}).json()["version"] == 2
    stale = admin.browser.put("/api/queue", json={"track_ids": [track], "base_version": 1})
    assert stale.status_code == 409
    assert stale.headers["content-type"] == "application/problem+json"
    assert admin.browser.get("/api/queue").json()["track_ids"] == []


def test_tracks_one_may_not_see_are_left_out(site: Site, tmp_path: Path) -> None:
    admin = site.setup()
    owner = site.add_user(admin, "owner")
    member = site.add_user(admin, "member")
    private = upload(owner, tmp_path / "p", "private")
    public = upload(owner, tmp_path / "q", "public")
    mine = upload(member, tmp_path / "m", "private")

    saved = member.browser.put(
        "/api/queue",
        json={
            "track_ids": [private, "nosuchtrack", public, mine],
            "current_index": 2,
            "position_s": 4.0,
            "shuffle": True,
            "shuffle_order": [3, 1, 0, 2],
        },
    ).json()
    assert saved["dropped"] == 2
    assert saved["track_ids"] == [public, mine]
    assert saved["current_index"] == 0  # still the public track
    assert saved["position_s"] == 4.0
    assert saved["shuffle_order"] == [1, 0]

    # A track deleted since is left out when the queue is read.
    assert owner.browser.delete(f"/api/tracks/{public}").status_code == 204
    read = member.browser.get("/api/queue").json()
    assert read["track_ids"] == [mine]
    assert read["current_index"] == 0
    assert read["position_s"] == 0.0  # its position was in the track that went
    assert read["shuffle_order"] == [0]


def test_bad_queues_are_refused(site: Site, tmp_path: Path) -> None:
    admin = site.setup()
    track = upload(admin, tmp_path)
    for body in (
        {"track_ids": [track], "current_index": 1},
        {"track_ids": [track], "shuffle": True},
        {"track_ids": [track, track], "shuffle": True, "shuffle_order": [0, 0]},
        {"track_ids": [track], "repeat": "twice"},
        {"track_ids": [track] * 5001},
    ):
        answer = admin.browser.put("/api/queue", json=body)
        assert answer.status_code == 422, body
    assert site.client().get("/api/queue").status_code == 401
