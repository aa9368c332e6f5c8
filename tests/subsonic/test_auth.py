"""Every way an app signs in, against a real server, with real clients; and each wrong
credential's code."""

from __future__ import annotations

import hashlib

import httpx
import libsonic
import pytest
from libopensonic.errors import CredentialError

from tests.subsonic.conftest import Sonic


def _code(sonic: Sonic, **params: str) -> int:
    r = httpx.get(f"{sonic.url}/rest/ping.view", params={"f": "json", **params}, timeout=30)
    body = r.json()["subsonic-response"]
    return int(body["error"]["code"]) if body["status"] == "failed" else 0


def test_token_authentication_with_py_opensonic(sonic: Sonic) -> None:
    conn = sonic.opensonic()
    try:
        assert conn.ping() is True
    finally:
        conn.cleanup()


def test_legacy_password_with_py_sonic(sonic: Sonic) -> None:
    # py-sonic's legacyAuth sends p=enc:<hex>.
    conn = libsonic.Connection(
        "http://127.0.0.1",
        "admin",
        sonic.admin.app_password,
        port=sonic.server.port,
        legacyAuth=True,
    )
    assert conn.ping() is True


def test_token_with_py_sonic_and_api_key_with_py_opensonic(sonic: Sonic) -> None:
    assert sonic.pysonic().ping() is True
    import libopensonic

    conn = libopensonic.Connection(
        "http://127.0.0.1", api_key=sonic.admin.api_key, port=sonic.server.port
    )
    try:
        assert conn.ping() is True
    finally:
        conn.cleanup()


def test_plain_and_hex_passwords(sonic: Sonic) -> None:
    pw = sonic.admin.app_password
    assert _code(sonic, u="admin", p=pw) == 0
    assert _code(sonic, u="admin", p="enc:" + pw.encode().hex()) == 0


def test_the_sign_in_password_is_not_an_app_password(sonic: Sonic) -> None:
    assert _code(sonic, u="bea", p="correct horse battery staple") == 40


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({}, 10),
        ({"u": "admin"}, 10),
        ({"u": "admin", "t": "abc"}, 10),
        ({"u": "admin", "p": "wrong"}, 40),
        ({"u": "admin", "p": "enc:zz"}, 40),
        ({"u": "nobody", "p": "x"}, 40),
        ({"apiKey": "tnrm_not_a_key"}, 44),
        ({"apiKey": "x", "u": "admin"}, 43),
    ],
)
def test_wrong_credentials_get_their_codes(sonic: Sonic, params: dict[str, str], code: int) -> None:
    assert _code(sonic, **params) == code


def test_wrong_token_is_40_and_a_client_says_so(sonic: Sonic) -> None:
    salt = "abcdef"
    token = hashlib.md5(b"wrong" + salt.encode(), usedforsecurity=False).hexdigest()
    assert _code(sonic, u="admin", t=token, s=salt) == 40
    import libopensonic

    conn = libopensonic.Connection("http://127.0.0.1", "admin", "wrong", port=sonic.server.port)
    try:
        with pytest.raises(CredentialError):
            conn.ping()
    finally:
        conn.cleanup()


def test_revoked_app_password_stops_working_and_token_auth_says_41(sonic: Sonic) -> None:
    browser = sonic.bea.browser
    assert _code(sonic, **sonic.params(sonic.bea)) == 0
    assert browser.delete("/api/me/subsonic-password").status_code == 204
    try:
        assert browser.get("/api/me/subsonic-password").json()["exists"] is False
        assert _code(sonic, **sonic.params(sonic.bea)) == 41
        assert _code(sonic, u="bea", p=sonic.bea.app_password) == 40
    finally:
        made = browser.post("/api/me/subsonic-password")
        sonic.bea.app_password = made.json()["password"]
    assert _code(sonic, **sonic.params(sonic.bea)) == 0
    status = browser.get("/api/me/subsonic-password").json()
    assert status["exists"] is True and status["last_used_at"] is not None
