"""Sessions: the cookie, rotation, expiry, ending one or all; CSRF; sign-in throttling;
no username enumeration. Expiry and throttling limits are shrunk through settings."""

from __future__ import annotations

import time

from sqlalchemy import select

from tests.accounts.conftest import MakeSite
from tests.fixtures.accounts import PASSWORD, Site
from tonearm.accounts.credentials import SESSION_COOKIE, digest
from tonearm.models import Session


def _me(site: Site, cookie: str) -> int:
    return site.client(cookie=cookie).get("/api/me").status_code


def test_the_cookie_is_http_only_same_site_and_secure_when_asked(make_site: MakeSite) -> None:
    site = make_site()
    site.setup()
    response = site.client().post(
        "/api/auth/login", json={"username": "admin", "password": PASSWORD}
    )
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "path=/" in cookie
    assert "secure" not in cookie  # plain HTTP here
    behind_tls = make_site(accounts={"cookie_secure": True})  # the same database
    response = behind_tls.client().post(
        "/api/auth/login", json={"username": "admin", "password": PASSWORD}
    )
    assert "; secure" in response.headers["set-cookie"].lower()


def test_signing_in_rotates_the_session(site: Site) -> None:
    """A session id known before sign-in (set by an attacker, or the last person's)
    never carries the new sign-in: the old cookie stops working, the new one is new."""
    admin = site.setup()
    old = admin.cookie
    assert _me(site, old) == 200
    again = admin.browser.post("/api/auth/login", json={"username": "admin", "password": PASSWORD})
    assert again.status_code == 200
    new = admin.browser.cookies.get(SESSION_COOKIE)
    assert new and new != old
    assert _me(site, old) == 401
    assert _me(site, new) == 200
    assert again.json()["csrf_token"] != admin.csrf  # a new session, a new CSRF token
    planted = "chosen-by-an-attacker"
    browser = site.client(cookie=planted)
    browser.post("/api/auth/login", json={"username": "admin", "password": PASSWORD})
    assert browser.cookies.get(SESSION_COOKIE) not in (None, planted)
    # Only the digest of a cookie is stored.
    with site.c.infra.uows.read() as s:
        hashes = set(s.scalars(select(Session.id_hash)))
    assert digest(new) in hashes and new not in hashes


def test_an_idle_session_ends(make_site: MakeSite) -> None:
    """Long before its absolute end (90 days by default)."""
    site = make_site(accounts={"session_idle_s": 2})
    admin = site.setup()
    assert _me(site, admin.cookie) == 200
    time.sleep(2.5)
    assert _me(site, admin.cookie) == 401
    assert site.sign_in("admin").browser.get("/api/me").status_code == 200


def test_a_session_ends_at_its_absolute_limit(make_site: MakeSite) -> None:
    """However recently it was used: idleness is not why (an hour allowed here)."""
    site = make_site(accounts={"session_absolute_s": 2, "session_idle_s": 3600})
    admin = site.setup()
    assert _me(site, admin.cookie) == 200
    time.sleep(2.5)
    assert _me(site, admin.cookie) == 401


def test_one_session_can_be_ended_from_another(site: Site) -> None:
    admin = site.setup()
    laptop = site.sign_in("admin")
    sessions = admin.browser.get("/api/me/sessions").json()
    assert len(sessions) == 2
    assert [s["current"] for s in sessions].count(True) == 1
    theirs = next(s["id"] for s in sessions if not s["current"])
    assert admin.browser.delete(f"/api/me/sessions/{theirs}").status_code == 204
    assert laptop.browser.get("/api/me").status_code == 401
    assert admin.browser.get("/api/me").status_code == 200
    assert admin.browser.delete(f"/api/me/sessions/{theirs}").status_code == 404
    # Signing out ends only this session.
    phone = site.sign_in("admin")
    assert admin.browser.post("/api/auth/logout").status_code == 204
    assert _me(site, admin.cookie) == 401
    assert phone.browser.get("/api/me").status_code == 200


def test_signing_out_everywhere_ends_every_session(site: Site) -> None:
    """Every session of the person ends, this one too. Personal API tokens are separate
    credentials, revoked one by one (they keep working)."""
    admin = site.setup()
    other = site.sign_in("admin")
    token = site.token(admin, "read")
    stranger = site.add_user(admin, "stranger")
    response = admin.browser.delete("/api/me/sessions")
    assert response.status_code == 204
    assert SESSION_COOKIE in response.headers["set-cookie"]  # the browser drops it
    assert _me(site, admin.cookie) == 401
    assert other.browser.get("/api/me").status_code == 401
    assert site.bearer(token).get("/api/me").status_code == 200
    assert stranger.browser.get("/api/me").status_code == 200  # nobody else's


def test_changing_the_password_ends_the_other_sessions(site: Site) -> None:
    admin = site.setup()
    member = site.add_user(admin, "ana")
    elsewhere = site.sign_in("ana")
    token = site.token(member, "read")
    wrong = member.browser.post("/api/me/password", json={"current": "nope", "new": "x" * 12})
    assert wrong.status_code == 403
    assert elsewhere.browser.get("/api/me").status_code == 200
    changed = member.browser.post(
        "/api/me/password", json={"current": PASSWORD, "new": "a new long password"}
    )
    assert changed.status_code == 204
    assert member.browser.get("/api/me").status_code == 200  # this one stays
    assert elsewhere.browser.get("/api/me").status_code == 401
    old = site.client().post("/api/auth/login", json={"username": "ana", "password": PASSWORD})
    assert old.status_code == 401
    site.sign_in("ana", "a new long password")
    # Not with a token: a leaked token must not take over the account.
    by_token = site.bearer(token).post(
        "/api/me/password", json={"current": "a new long password", "new": "y" * 12}
    )
    assert by_token.status_code == 403
    # An admin's reset ends every session of that person.
    reset = admin.browser.patch(f"/api/users/{member.user_id}", json={"password": "z" * 12})
    assert reset.status_code == 200
    assert member.browser.get("/api/me").status_code == 401


def test_cookie_requests_that_change_things_need_the_csrf_token(site: Site) -> None:
    admin = site.setup()
    browser = site.client(cookie=admin.cookie)
    body = {"name": "x", "scopes": ["read"]}
    refused = [
        browser.post("/api/me/tokens", json=body),
        browser.post("/api/me/tokens", json=body, headers={"X-CSRF-Token": "wrong"}),
        browser.post("/api/me/tokens", json=body, headers={"X-CSRF-Token": ""}),
        browser.delete("/api/me/sessions", headers={"X-CSRF-Token": admin.csrf[:-1]}),
    ]
    for response in refused:
        assert response.status_code == 403, response.text
        assert response.json()["type"] == "urn:tonearm:problem:csrf"
    assert browser.get("/api/me/tokens").json() == []  # nothing was made
    assert browser.get("/api/me").status_code == 200  # nothing was ended; reads need none
    ok = browser.post("/api/me/tokens", json=body, headers=admin.csrf_header)
    assert ok.status_code == 201


def test_cross_site_requests_are_refused_even_with_the_token(site: Site) -> None:
    admin = site.setup()
    browser = site.client(cookie=admin.cookie)
    body = {"name": "x", "scopes": ["read"]}
    for headers in (
        {"Origin": "https://evil.example"},
        {"Origin": "http://127.0.0.1.evil.example"},
        {"Origin": "null"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
        {"Sec-Fetch-Site": "same-origin", "Origin": "https://evil.example"},
    ):
        response = browser.post(
            "/api/me/tokens", json=body, headers={**admin.csrf_header, **headers}
        )
        assert response.status_code == 403, headers
        assert response.json()["type"] == "urn:tonearm:problem:csrf"
    assert browser.get("/api/me/tokens").json() == []
    for headers in (
        {"Origin": "http://127.0.0.1"},
        {"Sec-Fetch-Site": "same-origin", "Origin": "http://127.0.0.1"},
        {"Sec-Fetch-Site": "none"},
    ):
        response = browser.post(
            "/api/me/tokens", json=body, headers={**admin.csrf_header, **headers}
        )
        assert response.status_code == 201, (headers, response.text)
    # Sign-in from another site's page is refused (login CSRF); a script with no
    # browser headers may sign in.
    creds = {"username": "admin", "password": PASSWORD}
    foreign = site.client().post(
        "/api/auth/login", json=creds, headers={"Origin": "https://evil.example"}
    )
    assert foreign.status_code == 403
    assert site.client().post("/api/auth/login", json=creds).status_code == 200


def test_bearer_tokens_need_no_csrf_token(site: Site) -> None:
    """Browsers never attach a bearer token on their own, so it cannot be ridden."""
    admin = site.setup()
    api = site.bearer(site.token(admin, "read", "upload", "library", "admin"))
    made = api.post("/api/invites", json={}, headers={"Origin": "https://elsewhere.example"})
    assert made.status_code == 201, made.text


def test_wrong_passwords_block_the_account_for_a_while(make_site: MakeSite) -> None:
    site = make_site(accounts={"failures_per_account": 3, "block_s": 3})
    admin = site.setup()
    site.add_user(admin, "ana")
    attacker = site.client(address="198.51.100.1")
    for _ in range(3):
        wrong = attacker.post("/api/auth/login", json={"username": "ana", "password": "guess"})
        assert wrong.status_code == 401
    # Blocked for the account, even with the right password and from elsewhere.
    for client in (attacker, site.client(address="203.0.113.9")):
        blocked = client.post("/api/auth/login", json={"username": "ANA", "password": PASSWORD})
        assert blocked.status_code == 429, blocked.text
        wait = int(blocked.headers["retry-after"])
        assert 1 <= wait <= 3
        assert f"try again in {wait} s" in blocked.json()["detail"]
    # Others still sign in from that address.
    assert (
        attacker.post(
            "/api/auth/login", json={"username": "admin", "password": PASSWORD}
        ).status_code
        == 200
    )
    time.sleep(3.2)
    site.sign_in("ana", address="203.0.113.9")


def test_wrong_passwords_from_one_address_block_that_address(make_site: MakeSite) -> None:
    site = make_site(accounts={"failures_per_account": 100, "failures_per_address": 4})
    admin = site.setup()
    site.add_user(admin, "ana")
    sprayer = site.client(address="198.51.100.2")
    for name in ("ana", "bo", "admin", "cy"):  # one guess per account, real or not
        wrong = sprayer.post("/api/auth/login", json={"username": name, "password": "guess"})
        assert wrong.status_code == 401
    blocked = sprayer.post("/api/auth/login", json={"username": "ana", "password": PASSWORD})
    assert blocked.status_code == 429 and int(blocked.headers["retry-after"]) > 0
    site.sign_in("ana", address="198.51.100.3")  # the account itself is fine


def test_sign_in_does_not_tell_whether_a_username_exists(site: Site) -> None:
    """Unknown user, wrong password, disabled account: one status, one body."""
    admin = site.setup()
    gone = site.add_user(admin, "gone")
    assert (
        admin.browser.patch(f"/api/users/{gone.user_id}", json={"disabled": True}).status_code
        == 200
    )
    answers = [
        site.client().post("/api/auth/login", json={"username": name, "password": password})
        for name, password in (
            ("nobody-here", "some password"),
            ("admin", "some password"),
            ("gone", PASSWORD),
        )
    ]
    assert {a.status_code for a in answers} == {401}
    assert len({a.content for a in answers}) == 1, [a.text for a in answers]
    assert len({a.headers.get("www-authenticate") for a in answers}) == 1
    assert "set-cookie" not in answers[0].headers
