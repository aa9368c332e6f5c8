"""Personal API tokens: scopes enforced, revocation at once, only the digest stored,
the secret shown once."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select, update

from tests.accounts.conftest import song
from tests.fixtures.accounts import PASSWORD, Site
from tonearm.models import ApiToken, utcnow

TUS = {"Tus-Resumable": "1.0.0"}


def _upload(site: Site, token: str, path: Path) -> int:
    with path.open("rb") as fh:
        return site.bearer(token).post("/api/tracks", files={"file": ("a.flac", fh)}).status_code


def test_scopes_are_enforced(site: Site, tmp_path: Path) -> None:
    admin = site.setup()
    member = site.add_user(admin, "ana")
    source = song(tmp_path)
    made = member.browser.post("/api/tracks", files={"file": ("a.flac", source.read_bytes())})
    track = made.json()["id"]
    read = site.token(member, "read")
    upload = site.token(member, "upload")
    library = site.token(member, "library", "read")

    # read: sees, cannot upload, change or delete.
    assert site.bearer(read).get(f"/api/tracks/{track}").status_code == 200
    assert site.bearer(read).get(f"/api/tracks/{track}/original").status_code == 200
    refused = [
        site.bearer(read).post("/api/uploads", headers={**TUS, "Upload-Length": "10"}),
        site.bearer(read).patch(f"/api/tracks/{track}", json={"visibility": "public"}),
        site.bearer(read).delete(f"/api/tracks/{track}"),
    ]
    assert _upload(site, read, source) == 403
    for response in refused:
        assert response.status_code == 403, response.text
        assert response.json()["type"] == "urn:tonearm:problem:scope"
    # upload: uploads, cannot read anything back.
    assert _upload(site, upload, song(tmp_path / "another", frequency=550.0)) == 201
    assert (
        site.bearer(upload).post("/api/uploads", headers={**TUS, "Upload-Length": "10"}).status_code
        == 201
    )
    for path in ("/api/tracks", f"/api/tracks/{track}", f"/api/tracks/{track}/original"):
        assert site.bearer(upload).get(path).status_code == 403, path
    # library: changes and deletes.
    changed = site.bearer(library).patch(f"/api/tracks/{track}", json={"visibility": "public"})
    assert changed.status_code == 200 and changed.json()["visibility"] == "public"
    assert site.bearer(library).delete(f"/api/tracks/{track}").status_code == 204

    # admin: only admins may hold it, and an admin's token without it is no admin.
    asked = member.browser.post("/api/me/tokens", json={"name": "x", "scopes": ["admin"]})
    assert asked.status_code == 403
    assert site.bearer(site.token(admin, "read")).get("/api/users").status_code == 403
    assert site.bearer(site.token(admin, "admin")).get("/api/users").status_code == 200


def test_a_token_cannot_manage_credentials(site: Site) -> None:
    """A leaked token must not mint more tokens or take the account over."""
    admin = site.setup()
    everything = site.bearer(site.token(admin, "read", "upload", "library", "admin"))
    made = everything.post("/api/me/tokens", json={"name": "more", "scopes": ["read"]})
    assert made.status_code == 403
    changed = everything.post("/api/me/password", json={"current": PASSWORD, "new": "x" * 12})
    assert changed.status_code == 403


def test_a_revoked_token_is_refused_at_once(site: Site) -> None:
    admin = site.setup()
    secret = site.token(admin, "read")
    token_id = next(iter(admin.tokens))
    api = site.bearer(secret)
    assert api.get("/api/me").status_code == 200
    assert admin.browser.delete(f"/api/me/tokens/{token_id}").status_code == 204
    refused = api.get("/api/me")
    assert refused.status_code == 401
    assert refused.headers["www-authenticate"].startswith("Bearer")
    assert api.get("/api/tracks").status_code == 401  # not an anonymous visitor either
    assert admin.browser.delete(f"/api/me/tokens/{token_id}").status_code == 404


def test_an_expired_token_is_refused(site: Site) -> None:
    admin = site.setup()
    made = admin.browser.post(
        "/api/me/tokens", json={"name": "short", "scopes": ["read"], "expires_in_days": 1}
    )
    secret, token_id = made.json()["token"], made.json()["id"]
    assert site.bearer(secret).get("/api/me").status_code == 200
    with site.c.infra.uows() as uow:
        uow.session.execute(
            update(ApiToken)
            .where(ApiToken.id == token_id)
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
    assert site.bearer(secret).get("/api/me").status_code == 401


def test_only_the_digest_is_stored_and_the_secret_is_shown_once(site: Site) -> None:
    admin = site.setup()
    made = admin.browser.post("/api/me/tokens", json={"name": "cli", "scopes": ["read"]})
    assert made.status_code == 201
    secret = made.json()["token"]
    assert secret.startswith("tnrm_") and len(secret) > 40
    with site.c.infra.uows.read() as s:
        row = s.scalars(select(ApiToken)).one()
        assert row.token_hash == hashlib.sha256(secret.encode()).hexdigest()
        stored = [str(getattr(row, column.key)) for column in ApiToken.__table__.columns]
    assert not any(secret in value or secret[5:] in value for value in stored)
    listed = admin.browser.get("/api/me/tokens").json()
    assert [t["name"] for t in listed] == ["cli"]
    assert "token" not in listed[0] and secret not in admin.browser.get("/api/me/tokens").text
    assert listed[0]["last_used_at"] is None
    site.bearer(secret).get("/api/me")
    assert admin.browser.get("/api/me/tokens").json()[0]["last_used_at"] is not None
    if site.c.infra.engine.dialect.name == "sqlite":  # the whole database, journal too
        database = Path(str(site.c.infra.engine.url.database))
        for path in database.parent.glob(database.name + "*"):
            assert secret.encode() not in path.read_bytes(), path
