"""First run: the first admin is created once, and adopts what was uploaded before
accounts existed."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sqlalchemy import delete, select, update

from tests.accounts.conftest import song
from tests.fixtures.accounts import PASSWORD, Site, member_viewer, stage
from tonearm.models import Track, User


def test_setup_creates_the_first_admin_once(site: Site) -> None:
    anyone = site.client()
    assert anyone.get("/api/setup").json() == {
        "needs_setup": True,
        "open_registration": False,
        "anonymous_listening": False,
    }
    assert anyone.get("/api/tracks").status_code == 401  # no data before an admin
    weak = anyone.post("/api/setup", json={"username": "root", "password": "short"})
    assert weak.status_code == 422 and weak.json()["type"] == "urn:tonearm:problem:weak-password"
    assert anyone.get("/api/setup").json()["needs_setup"] is True

    made = anyone.post("/api/setup", json={"username": "Root", "password": PASSWORD})
    assert made.status_code == 201
    me = made.json()
    assert (me["username"], me["role"], me["via"]) == ("Root", "admin", "session")
    assert me["csrf_token"] and anyone.get("/api/me").json()["id"] == me["id"]  # signed in
    assert anyone.get("/api/setup").json()["needs_setup"] is False

    for name in ("root", "someone-else"):  # not twice, not by anyone, not signed in or out
        again = site.client().post("/api/setup", json={"username": name, "password": PASSWORD})
        assert again.status_code == 409, again.text
        again = anyone.post("/api/setup", json={"username": name, "password": PASSWORD})
        assert again.status_code == 409
    with site.c.infra.uows.read() as s:
        assert [(u.username, u.role) for u in s.scalars(select(User))] == [("Root", "admin")]


def test_the_first_admin_adopts_tracks_from_before_accounts(site: Site, tmp_path: Path) -> None:
    """A database from before accounts has tracks with no owner (the migration leaves
    them so); the first admin gets them, private as every track starts."""
    c = site.c
    uploader = member_viewer(c, "before")  # only to run the upload use case
    assert uploader.user_id is not None
    old = [
        c.ingest.service.finish(
            stage(c, song(tmp_path / str(i), frequency=300.0 + i)), uploader.user_id
        )
        for i in range(2)
    ]
    with c.infra.uows() as uow:
        uow.session.execute(update(Track).values(owner_id=None))
        uow.session.execute(delete(User))
    assert site.client().get("/api/setup").json()["needs_setup"] is True

    admin = site.setup("root")
    mine = admin.browser.get("/api/tracks", params={"mine": "true"}).json()
    assert {t["id"] for t in mine["items"]} == {a.track_id for a in old}
    assert {t["owner_id"] for t in mine["items"]} == {admin.user_id}
    assert {t["visibility"] for t in mine["items"]} == {"private"}
    with c.infra.uows.read() as s:
        assert s.scalar(select(Track).where(Track.owner_id.is_(None))) is None
    member = site.add_user(admin, "later")
    assert member.browser.get("/api/tracks").json()["items"] == []
    for a in old:
        assert member.browser.get(f"/api/tracks/{a.track_id}").status_code == 404


def test_racing_setups_make_one_admin(site: Site) -> None:
    def attempt(i: int) -> int:
        response = site.client().post(
            "/api/setup", json={"username": f"first{i}", "password": PASSWORD}
        )
        return response.status_code

    with ThreadPoolExecutor(4) as pool:
        answers = sorted(pool.map(attempt, range(4)))
    assert answers == [201, 409, 409, 409]
    with site.c.infra.uows.read() as s:
        assert len(s.scalars(select(User)).all()) == 1


def test_invites_let_people_sign_up_while_registration_is_closed(site: Site) -> None:
    admin = site.setup()
    closed = site.client().post("/api/auth/register", json={"username": "x1", "password": PASSWORD})
    assert closed.status_code == 403
    made = admin.browser.post("/api/invites", json={"max_uses": 2, "role": "moderator"})
    assert made.status_code == 201
    code = made.json()["code"]
    assert code not in admin.browser.get("/api/invites").text  # shown once
    for name in ("mo", "me"):
        joined = site.client().post(
            "/api/auth/register", json={"username": name, "password": PASSWORD, "invite": code}
        )
        assert joined.status_code == 201, joined.text
        assert joined.json()["role"] == "moderator"
    used_up = site.client().post(
        "/api/auth/register", json={"username": "mu", "password": PASSWORD, "invite": code}
    )
    assert used_up.status_code == 403
    second = admin.browser.post("/api/invites", json={}).json()
    assert admin.browser.delete(f"/api/invites/{second['id']}").status_code == 204
    revoked = site.client().post(
        "/api/auth/register",
        json={"username": "mv", "password": PASSWORD, "invite": second["code"]},
    )
    assert revoked.status_code == 403


def test_disabling_an_account_ends_its_sessions_and_tokens_at_once(site: Site) -> None:
    admin = site.setup()
    ana = site.add_user(admin, "ana")
    token = site.token(ana, "read")
    off = admin.browser.patch(f"/api/users/{ana.user_id}", json={"disabled": True})
    assert off.status_code == 200
    assert ana.browser.get("/api/me").status_code == 401
    assert site.bearer(token).get("/api/me").status_code == 401
    refused = site.client().post("/api/auth/login", json={"username": "ana", "password": PASSWORD})
    assert refused.status_code == 401
    assert (
        admin.browser.patch(f"/api/users/{ana.user_id}", json={"disabled": False}).status_code
        == 200
    )
    assert site.bearer(token).get("/api/me").status_code == 200  # tokens were not deleted
    last = admin.browser.patch(f"/api/users/{admin.user_id}", json={"role": "member"})
    assert last.status_code == 409  # the last admin stays one
