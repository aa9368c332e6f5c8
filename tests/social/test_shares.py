"""Bookmarks and shares as services, built in process, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from tests.fixtures.accounts import Person, Site
from tests.social.conftest import upload
from tonearm.accounts.principal import Viewer
from tonearm.errors import Invalid, NotFound
from tonearm.models import Role, Share, utcnow
from tonearm.types import TrackId, UserId


def _viewer(person: Person) -> Viewer:
    return Viewer(user_id=UserId(person.user_id), role=Role(person.role))


def test_bookmarks_are_each_person_own(site: Site, tmp_path: Path) -> None:
    admin = site.setup()
    ana, bo = site.add_user(admin, "ana"), site.add_user(admin, "bo")
    hers = TrackId(upload(ana, tmp_path / "a", "private"))
    shared = TrackId(upload(ana, tmp_path / "b", "public"))
    c = site.c
    bookmarks = c.social.bookmarks
    with c.infra.uows() as uow:
        bookmarks.save(uow, _viewer(ana), hers, 1500, "half")
        bookmarks.save(uow, _viewer(bo), shared, 700, None)
        with pytest.raises(NotFound):
            bookmarks.save(uow, _viewer(bo), hers, 1, None)
        with pytest.raises(Invalid):
            bookmarks.save(uow, _viewer(ana), hers, -1, None)
    with c.infra.uows() as uow:
        bookmarks.save(uow, _viewer(ana), hers, 2500, "moved")
    with c.infra.uows.read() as session:
        mine = bookmarks.of_user(session, _viewer(ana))
        assert [(m.track.id, m.position_ms, m.comment) for m in mine] == [(hers, 2500, "moved")]
        assert [m.track.id for m in bookmarks.of_user(session, _viewer(bo))] == [shared]
    # A track that becomes private to someone else drops out of their list.
    ana.browser.patch(f"/api/tracks/{shared}", json={"visibility": "private"}).raise_for_status()
    with c.infra.uows.read() as session:
        assert bookmarks.of_user(session, _viewer(bo)) == []
    with c.infra.uows() as uow:
        with pytest.raises(NotFound):
            bookmarks.delete(uow, _viewer(bo), hers)
        bookmarks.delete(uow, _viewer(ana), hers)
    with c.infra.uows.read() as session:
        assert bookmarks.of_user(session, _viewer(ana)) == []


def test_a_share_opens_by_its_secret_for_as_long_as_it_lives(site: Site, tmp_path: Path) -> None:
    admin = site.setup()
    ana, bo = site.add_user(admin, "ana"), site.add_user(admin, "bo")
    public = TrackId(upload(bo, tmp_path / "a", "public"))
    private = TrackId(upload(bo, tmp_path / "b", "private"))
    c = site.c
    shares = c.social.shares
    with c.infra.uows() as uow:
        with pytest.raises(NotFound):  # not hers to see, so not hers to share
            shares.create(uow, _viewer(ana), [private], description=None, expires_at=None)
        with pytest.raises(Invalid):
            shares.create(
                uow, _viewer(ana), [public], description=None, expires_at=utcnow() - timedelta(1)
            )
        share = shares.create(
            uow, _viewer(ana), [public, public], description="listen", expires_at=None
        )
        share_id = share.id
    secret = shares.secret_of(share_id)
    assert secret == shares.secret_of(share_id)
    with c.infra.uows.read() as session:
        row = session.get(Share, share_id)
        assert row is not None and secret not in row.secret_hash
        assert row.track_ids == [public]
        assert row.expires_at is not None
        assert row.expires_at - utcnow() > timedelta(days=c.settings.subsonic.share_days - 1)
        assert shares.open(session, secret).id == share_id
        with pytest.raises(NotFound):
            shares.open(session, secret[:-2] + "xx")
        with pytest.raises(NotFound):  # only its owner sees it
            shares.owned(session, _viewer(bo), share_id)
        assert [s.id for s in shares.of_owner(session, _viewer(bo))] == []
        assert [t.id for t in shares.tracks(session, share)] == [public]
    # The page counts its visits; anyone may open it.
    page = site.client().get(f"/share/{secret}")
    assert page.status_code == 200 and "listen" in page.text
    with c.infra.uows.read() as session:
        row = session.get(Share, share_id)
        assert row is not None and row.visit_count == 1 and row.last_visited_at is not None
    # A track its sharer may no longer see plays no more.
    bo.browser.patch(f"/api/tracks/{public}", json={"visibility": "private"}).raise_for_status()
    with c.infra.uows.read() as session:
        assert shares.tracks(session, shares.open(session, secret)) == []
    # Expired: gone for everyone.
    with c.infra.uows() as uow:
        row = uow.session.get(Share, share_id)
        assert row is not None
        row.expires_at = utcnow() - timedelta(seconds=1)
    with c.infra.uows.read() as session, pytest.raises(NotFound):
        shares.open(session, secret)
    assert site.client().get(f"/share/{secret}").status_code == 404
    with c.infra.uows() as uow:
        shares.delete(uow, _viewer(ana), share_id)
        with pytest.raises(NotFound):
            shares.delete(uow, _viewer(ana), share_id)
