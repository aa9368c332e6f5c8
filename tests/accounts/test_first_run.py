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
