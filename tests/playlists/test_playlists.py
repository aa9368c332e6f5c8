"""Playlists: rights, items and their order, collaborators, deletion, bad input."""

from __future__ import annotations

from sqlalchemy import func, select
from tests.playlists.conftest import World

from tonearm.models import Like, PlaylistInvite, PlaylistItem, PlaylistMember


def _ids(page: dict[str, object]) -> list[str]:
    return [i["track"]["id"] for i in page["items"]]  # type: ignore[attr-defined]


def test_items_add_move_remove_keep_a_strict_order(world: World) -> None:
    tracks = [world.track(world.owner, name=f"{n}.flac") for n in range(5)]
    p = world.playlist(world.owner)
    pid = p["id"]
    b = world.owner.browser
    added = b.post(f"/api/playlists/{pid}/items", json={"track_ids": tracks[:3]})
    assert added.status_code == 200, added.text
    assert added.json()["version"] == 2
    first = added.json()["items"][0]["id"]
    # null: at the start; an id: right after it.
    b.post(f"/api/playlists/{pid}/items", json={"track_ids": [tracks[3]], "after_item_id": None})
    b.post(f"/api/playlists/{pid}/items", json={"track_ids": [tracks[4]], "after_item_id": first})
    page = world.items(world.owner, pid)
    assert _ids(page) == [tracks[3], tracks[0], tracks[4], tracks[1], tracks[2]]
    positions = [i["position"] for i in page["items"]]
    assert positions == sorted(positions) and len(set(positions)) == 5
    by_track = {i["track"]["id"]: i["id"] for i in page["items"]}
    moved = b.post(
        f"/api/playlists/{pid}/items/{by_track[tracks[2]]}/move", json={"after_item_id": None}
    )
    assert moved.status_code == 200, moved.text
    assert _ids(world.items(world.owner, pid)) == [
        tracks[2],
        tracks[3],
        tracks[0],
        tracks[4],
        tracks[1],
    ]
    gone = b.request(
        "DELETE", f"/api/playlists/{pid}/items", json={"item_ids": [by_track[tracks[0]]]}
    )
    assert gone.status_code == 200, gone.text
    page = world.items(world.owner, pid)
    assert _ids(page) == [tracks[2], tracks[3], tracks[4], tracks[1]]
    assert page["total"] == 4 and page["version"] == gone.json()["version"]
    got = b.get(f"/api/playlists/{pid}").json()
    assert got["item_count"] == 4 and got["role"] == "owner" and got["version"] == page["version"]


def test_stale_move_is_a_conflict_and_changes_nothing(world: World) -> None:
    tracks = [world.track(world.owner) for _ in range(3)]
    pid = world.playlist(world.owner)["id"]
    b = world.owner.browser
    items = b.post(f"/api/playlists/{pid}/items", json={"track_ids": tracks}).json()["items"]
    b.request("DELETE", f"/api/playlists/{pid}/items", json={"item_ids": [items[1]["id"]]})
    before = world.items(world.owner, pid)
    stale = b.post(
        f"/api/playlists/{pid}/items/{items[0]['id']}/move",
        json={"after_item_id": items[1]["id"]},
    )
    assert stale.status_code == 409
    assert stale.headers["content-type"] == "application/problem+json"
    assert "reload" in stale.json()["detail"]
    after = world.items(world.owner, pid)
    assert after == before  # same order, same version


def test_adding_a_track_one_may_not_see_adds_nothing(world: World) -> None:
    mine = world.track(world.owner)
    hidden = world.track(world.other, "private")
    pid = world.playlist(world.owner)["id"]
    refused = world.owner.browser.post(
        f"/api/playlists/{pid}/items", json={"track_ids": [mine, hidden]}
    )
    assert refused.status_code == 404
    assert hidden not in refused.text
    page = world.items(world.owner, pid)
    assert page["items"] == [] and page["version"] == 1


def test_rights_owner_editor_viewer_stranger(world: World) -> None:
    t = world.track(world.owner, "public")
    pid = world.playlist(world.owner)["id"]
    o, x = world.owner.browser, world.other.browser
    assert x.get(f"/api/playlists/{pid}").status_code == 404  # private: does not exist
    added = o.post(f"/api/playlists/{pid}/collaborators", json={"username": "other"})
    assert added.status_code == 201 and added.json()["role"] == "viewer"
    assert x.get(f"/api/playlists/{pid}").json()["role"] == "viewer"
    assert x.post(f"/api/playlists/{pid}/items", json={"track_ids": [t]}).status_code == 403
    o.post(f"/api/playlists/{pid}/collaborators", json={"username": "other", "role": "editor"})
    assert x.post(f"/api/playlists/{pid}/items", json={"track_ids": [t]}).status_code == 200
    assert x.patch(f"/api/playlists/{pid}", json={"name": "Ours"}).status_code == 200
    assert x.patch(f"/api/playlists/{pid}", json={"visibility": "public"}).status_code == 403
    assert x.delete(f"/api/playlists/{pid}").status_code == 403
    listed = {p["id"] for p in x.get("/api/playlists", params={"mine": "true"}).json()["items"]}
    assert pid in listed
    # A collaborator leaves; then the private playlist is gone for them again.
    other_id = world.other.user_id
    assert x.delete(f"/api/playlists/{pid}/collaborators/{other_id}").status_code == 204
    assert x.get(f"/api/playlists/{pid}").status_code == 404
    # Public: everyone signed in sees and lists it, nobody else changes it.
    o.patch(f"/api/playlists/{pid}", json={"visibility": "public"})
    assert x.get(f"/api/playlists/{pid}").json()["role"] is None
    assert pid in {p["id"] for p in x.get("/api/playlists").json()["items"]}
    assert x.patch(f"/api/playlists/{pid}", json={"name": "Mine"}).status_code == 403


def test_invite_link_makes_a_collaborator(world: World) -> None:
    pid = world.playlist(world.owner)["id"]
    made = world.owner.browser.post(f"/api/playlists/{pid}/invites", json={"role": "editor"})
    assert made.status_code == 201, made.text
    code = made.json()["code"]
    assert made.json()["url"].endswith(code)
    with world.site.c.infra.uows.read() as session:
        stored = session.scalars(select(PlaylistInvite.code_hash)).all()
    assert code not in stored and len(stored) == 1  # only its digest is kept
    assert world.other.browser.post("/api/playlists/join/not-a-code").status_code == 404
    joined = world.other.browser.post(f"/api/playlists/join/{code}")
    assert joined.status_code == 200, joined.text
    assert joined.json()["role"] == "editor"
    people = world.owner.browser.get(f"/api/playlists/{pid}/collaborators").json()
    assert [(p["username"], p["role"]) for p in people] == [("other", "editor")]


def test_delete_takes_items_members_invites_and_likes(world: World) -> None:
    t = world.track(world.owner)
    pid = world.playlist(world.owner, visibility="public")["id"]
    b = world.owner.browser
    b.post(f"/api/playlists/{pid}/items", json={"track_ids": [t, t]})
    b.post(f"/api/playlists/{pid}/collaborators", json={"username": "other"})
    b.post(f"/api/playlists/{pid}/invites", json={})
    with world.site.c.infra.uows() as uow:
        uow.session.add(Like(user_id=world.other.user_id, kind="playlist", subject_id=pid))
    assert world.other.browser.get(f"/api/playlists/{pid}").json()["liked"] is True
    assert b.delete(f"/api/playlists/{pid}").status_code == 204
    assert b.get(f"/api/playlists/{pid}").status_code == 404
    with world.site.c.infra.uows.read() as session:
        for table, column in (
            (PlaylistItem, PlaylistItem.playlist_id),
            (PlaylistMember, PlaylistMember.playlist_id),
            (PlaylistInvite, PlaylistInvite.playlist_id),
            (Like, Like.subject_id),
        ):
            n = session.scalar(select(func.count()).select_from(table).where(column == pid))
            assert n == 0, table


def test_duplicate_copies_items_privately(world: World) -> None:
    tracks = [world.track(world.owner, "public") for _ in range(3)]
    pid = world.playlist(world.owner, visibility="public", description="d")["id"]
    world.owner.browser.post(f"/api/playlists/{pid}/items", json={"track_ids": tracks})
    copy = world.other.browser.post(f"/api/playlists/{pid}/duplicate")
    assert copy.status_code == 201, copy.text
    body = copy.json()
    assert body["owner_id"] == world.other.user_id and body["visibility"] == "private"
    assert body["name"] == "Mix (copy)" and body["item_count"] == 3
    assert _ids(world.items(world.other, body["id"])) == tracks


def test_bad_input(world: World) -> None:
    b = world.owner.browser
    assert b.post("/api/playlists", json={"name": ""}).status_code == 422
    bad_rule = b.post(
        "/api/playlists",
        json={"name": "S", "rules": {"rules": [{"field": "year", "op": "contains", "value": 1}]}},
    )
    assert bad_rule.status_code == 422
    assert "Rule 1" in bad_rule.json()["detail"]
    pid = world.playlist(world.owner)["id"]
    moved = b.post(f"/api/playlists/{pid}/items/nope/move", json={"after_item_id": None})
    assert moved.status_code == 409
