"""Timed comments: who may read, write and delete them; what a comment may hold."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from tests.fixtures.accounts import Site
from tests.social.conftest import upload
from tonearm.models import Comment


def test_who_may_read_write_and_delete(site: Site, tmp_path: Path) -> None:
    admin = site.setup()
    owner = site.add_user(admin, "owner")
    member = site.add_user(admin, "member")
    other = site.add_user(admin, "other")
    moderator = site.add_user(admin, "mod", role="moderator")
    public = upload(owner, tmp_path / "a", "public")
    private = upload(owner, tmp_path / "b", "private")
    url = f"/api/tracks/{public}/comments"

    made = member.browser.post(url, json={"position_s": 1.5, "body": "  nice drop  "})
    assert made.status_code == 201, made.text
    comment = made.json()
    assert comment["body"] == "nice drop"
    assert comment["author_name"] == "member"
    assert comment["deletable"] is True
    by_owner = owner.browser.post(url, json={"position_s": 0.5, "body": "thanks"}).json()

    # Anyone who sees the track reads them, in track order; anonymous: sign in first.
    listed = other.browser.get(url).json()
    assert [c["body"] for c in listed["items"]] == ["thanks", "nice drop"]
    assert listed["total"] == 2
    assert [c["deletable"] for c in listed["items"]] == [False, False]
    assert site.client().get(url).status_code == 401
    assert [c["deletable"] for c in owner.browser.get(url).json()["items"]] == [True, True]

    # A private track's comments do not exist for those who cannot see it.
    assert member.browser.get(f"/api/tracks/{private}/comments").status_code == 404
    refused = member.browser.post(
        f"/api/tracks/{private}/comments", json={"position_s": 0, "body": "hi"}
    )
    assert refused.status_code == 404
    assert moderator.browser.get(f"/api/tracks/{private}/comments").status_code == 200

    # Deleting: the author, the track's owner, moderators; others who see it get 403.
    gone = f"{url}/{comment['id']}"
    assert other.browser.delete(gone).status_code == 403
    assert member.browser.delete(f"{url}/{by_owner['id']}").status_code == 403
    assert owner.browser.delete(gone).status_code == 204
    assert owner.browser.delete(gone).status_code == 404
    again = member.browser.post(url, json={"position_s": 2, "body": "again"}).json()
    assert member.browser.delete(f"{url}/{again['id']}").status_code == 204
    assert moderator.browser.delete(f"{url}/{by_owner['id']}").status_code == 204
    assert owner.browser.get(url).json()["total"] == 0
    # A comment is found only under its own track.
    mine = owner.browser.post(
        f"/api/tracks/{private}/comments", json={"position_s": 0, "body": "x"}
    ).json()
    assert owner.browser.delete(f"{url}/{mine['id']}").status_code == 404


def test_a_position_past_the_end_and_bodies_out_of_bounds_are_refused(
    site: Site, tmp_path: Path
) -> None:
    admin = site.setup()
    track = upload(admin, tmp_path, "private", seconds=3.0)
    url = f"/api/tracks/{track}/comments"

    late = admin.browser.post(url, json={"position_s": 3.5, "body": "after the end"})
    assert late.status_code == 422
    assert late.headers["content-type"] == "application/problem+json"
    assert late.json()["detail"] == "The track is only 0:03 long."
    assert admin.browser.post(url, json={"position_s": -1, "body": "x"}).status_code == 422
    assert admin.browser.post(url, json={"position_s": 1, "body": "   "}).status_code == 422
    long = admin.browser.post(url, json={"position_s": 1, "body": "x" * 2001})
    assert long.status_code == 422
    assert "2000" in long.json()["detail"]
    fits = admin.browser.post(url, json={"position_s": 2.9, "body": f"  {'y' * 2000}\n"})
    assert fits.status_code == 201, fits.text
    assert fits.json()["body"] == "y" * 2000
    assert admin.browser.get(url).json()["total"] == 1


def test_deleting_a_track_deletes_its_comments(site: Site, tmp_path: Path) -> None:
    admin = site.setup()
    member = site.add_user(admin, "member")
    track = upload(admin, tmp_path, "public")
    url = f"/api/tracks/{track}/comments"
    for i in range(3):
        assert member.browser.post(url, json={"position_s": i, "body": f"c{i}"}).status_code == 201

    def count() -> int:
        with site.c.infra.uows.read() as session:
            q = select(func.count()).select_from(Comment).where(Comment.track_id == track)
            return int(session.scalar(q) or 0)

    assert count() == 3
    assert admin.browser.delete(f"/api/tracks/{track}").status_code == 204
    assert count() == 0
    assert member.browser.get(url).status_code == 404
