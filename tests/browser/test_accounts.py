"""Accounts in the page: first run, sign-in and out, sign-up with an invite, the person's
settings, the admin pages, and who sees which track."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest

from tests.browser.conftest import (
    DESKTOP,
    MEMBER_PASSWORD,
    PHONE,
    FirstRunServer,
    Pages,
    assert_accessible,
    make_member,
    require_browser,
)
from tests.fixtures.audio import make_audio
from tests.fixtures.database import fresh_database
from tests.fixtures.server import ADMIN, PASSWORD, Server

require_browser()

from playwright.sync_api import expect  # noqa: E402

if TYPE_CHECKING:
    from collections.abc import Iterator

    from playwright.sync_api import Page

pytestmark = pytest.mark.e2e


@pytest.fixture
def tones(tmp_path: Path) -> list[Path]:
    """Short clips with different bytes (the same bytes twice would be one track)."""
    return [make_audio(tmp_path / f"tone-{hz}.flac", seconds=2, frequency=hz) for hz in (330, 550)]


def upload(client: httpx.Client, path: Path, name: str, visibility: str) -> str:
    """Upload through the API as the client's owner; the track's id."""
    with path.open("rb") as fh:
        response = client.post(
            "/api/tracks", params={"visibility": visibility}, files={"file": (name, fh)}
        )
    assert response.status_code in (200, 201), response.text
    return str(response.json()["id"])


def fill_credentials(page: Page, username: str, password: str, *, again: bool = False) -> None:
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    if again:
        page.get_by_label("Password again").fill(password)


def test_first_run_creates_the_admin_through_the_page(
    pages: Pages, first_run: FirstRunServer, screenshots: Path
) -> None:
    assert httpx.get(f"{first_run.url}/api/setup").json()["needs_setup"] is True
    page = pages.open(first_run, user=None)
    page.goto("/")
    expect(page.get_by_role("heading", name="Welcome to tonearm")).to_be_visible()
    assert_accessible(page)
    page.screenshot(path=screenshots / "first-run.png")

    fill_credentials(page, ADMIN, PASSWORD)
    page.get_by_label("Password again").fill("not the same password")
    page.get_by_role("button", name="Create admin account").click()
    expect(page.get_by_test_id("auth-error")).to_have_text(re.compile("not the same"))
    page.get_by_label("Password again").fill(PASSWORD)
    page.get_by_role("button", name="Create admin account").click()

    expect(page.get_by_role("heading", name="Your music")).to_be_visible()
    expect(page.get_by_test_id("username")).to_have_text(ADMIN)
    expect(page.get_by_role("link", name="Admin")).to_be_visible()
    assert httpx.get(f"{first_run.url}/api/setup").json()["needs_setup"] is False
    first_run.sign_in_as_admin()
    me = first_run.http.get("/api/me").json()
    assert (me["username"], me["role"]) == (ADMIN, "admin")

    # A real session: a reload keeps it. Another browser is offered sign-in, not setup.
    page.reload()
    expect(page.get_by_role("heading", name="Your music")).to_be_visible()
    other = pages.open(first_run, user=None)
    other.goto("/")
    expect(other.get_by_role("heading", name="Sign in")).to_be_visible()


def test_sign_in_and_sign_out(visitor: Page, screenshots: Path) -> None:
    visitor.goto("/")
    expect(visitor.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(visitor.get_by_role("heading", name="Add music")).to_have_count(0)

    fill_credentials(visitor, ADMIN, "not the password at all")
    visitor.get_by_role("button", name="Sign in").click()
    expect(visitor.get_by_test_id("auth-error")).to_have_text(
        re.compile("Wrong username or password")
    )
    visitor.screenshot(path=screenshots / "sign-in-refused.png")

    fill_credentials(visitor, ADMIN, PASSWORD)
    visitor.get_by_role("button", name="Sign in").click()
    expect(visitor.get_by_role("heading", name="Your music")).to_be_visible()
    (cookie,) = [c for c in visitor.context.cookies() if c["name"] == "tonearm_session"]
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"

    visitor.get_by_role("button", name="Sign out").click()
    expect(visitor.get_by_role("heading", name="Sign in")).to_be_visible()
    assert not [c for c in visitor.context.cookies() if c["name"] == "tonearm_session"]
    visitor.reload()
    expect(visitor.get_by_role("heading", name="Sign in")).to_be_visible()
    # The old cookie, sent again by hand, no longer signs anyone in.
    replay = httpx.get(
        f"{visitor.url.split('/#')[0].rstrip('/')}/api/me",
        cookies={"tonearm_session": cookie["value"]},
    )
    assert replay.status_code == 401


def test_a_member_cannot_see_another_members_private_track(
    pages: Pages, tonearm: Server, tones: list[Path]
) -> None:
    alice = make_member(tonearm, "alice")
    make_member(tonearm, "bob").close()
    secret = upload(alice, tones[0], "alice-secret.flac", "private")
    shared = upload(alice, tones[1], "alice-shared.flac", "public")
    alice.close()

    bob = pages.open(tonearm, user=("bob", MEMBER_PASSWORD))
    bob.goto("/")
    rows = bob.get_by_test_id("track")
    row = rows.filter(has_text="alice-shared")
    expect(row).to_have_count(1)
    expect(rows.filter(has_text="alice-secret")).to_have_count(0)
    # Someone else's: badged, and nothing on it to change.
    expect(row.get_by_test_id("owner")).to_contain_text("Shared by alice")
    expect(row.get_by_role("button", name=re.compile("^Delete"))).to_have_count(0)
    expect(row.get_by_test_id("visibility")).to_have_count(0)
    # Asked for by its id, the private track does not exist for Bob.
    assert bob.request.get(f"/api/tracks/{secret}").status == 404
    assert bob.request.get(f"/api/tracks/{shared}").status == 200

    # An admin's page names the owner.
    admin = pages.open(tonearm)
    admin.goto("/")
    badge = admin.get_by_test_id("track").filter(has_text="alice-shared").get_by_test_id("owner")
    expect(badge).to_contain_text("Shared by alice")


def test_a_token_is_shown_once(page: Page, tonearm: Server, screenshots: Path) -> None:
    page.goto("/#/settings")
    expect(page.get_by_role("heading", name="API tokens")).to_be_visible()
    form = page.get_by_role("form", name="New token")
    form.get_by_label("Name").fill("ci-runner")
    form.get_by_role("checkbox", name=re.compile("^Upload")).check()
    form.get_by_label("Expires").select_option(label="Never")
    form.get_by_role("button", name="Create token").click()

    secret = page.get_by_test_id("secret-value").input_value()
    assert secret.startswith("tnrm_")
    expect(page.get_by_test_id("secret")).to_contain_text("shown only this once")
    me = httpx.get(f"{tonearm.url}/api/me", headers={"Authorization": f"Bearer {secret}"})
    assert me.status_code == 200, me.text
    assert (me.json()["via"], sorted(me.json()["scopes"])) == ("token", ["read", "upload"])
    row = page.get_by_test_id("token").filter(has_text="ci-runner")
    expect(row).to_contain_text("never expires")
    assert_accessible(page)
    page.screenshot(path=screenshots / "token-created.png", full_page=True)

    page.reload()
    expect(row).to_be_visible()
    expect(page.get_by_test_id("secret")).to_have_count(0)
    assert secret not in page.content()
    expect(row).to_contain_text("Last used")

    row.get_by_role("button", name="Revoke ci-runner").click()
    page.get_by_role("dialog").get_by_role("button", name="Revoke token").click()
    expect(row).to_have_count(0)
    gone = httpx.get(f"{tonearm.url}/api/me", headers={"Authorization": f"Bearer {secret}"})
    assert gone.status_code == 401


def test_sessions_end_one_and_everywhere(pages: Pages, tonearm: Server) -> None:
    make_member(tonearm, "carol").close()
    carol = ("carol", MEMBER_PASSWORD)
    laptop = pages.open(tonearm, user=carol)
    phone = pages.open(tonearm, user=carol, viewport=PHONE)
    phone.goto("/")
    expect(phone.get_by_role("heading", name="Your music")).to_be_visible()

    laptop.goto("/#/settings")
    sessions = laptop.get_by_test_id("session")
    expect(sessions).to_have_count(2)
    expect(sessions.filter(has_text="This device")).to_have_count(1)
    other = sessions.filter(has_not_text="This device")
    other.get_by_role("button", name=re.compile("^Sign out")).click()
    expect(sessions).to_have_count(1)

    # The phone learns it at its next request: back to sign-in, told why.
    phone.get_by_role("link", name="Settings").click()
    expect(phone.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(phone.get_by_test_id("auth-notice")).to_contain_text("session has ended")
    fill_credentials(phone, *carol)
    phone.get_by_role("button", name="Sign in").click()
    # Back where it was going.
    expect(phone.get_by_role("heading", name="Where you are signed in")).to_be_visible()

    laptop.get_by_role("button", name="Sign out everywhere").click()
    laptop.get_by_role("dialog").get_by_role("button", name="Sign out everywhere").click()
    expect(laptop.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(laptop.get_by_test_id("auth-notice")).to_contain_text("every device")
    phone.reload()
    expect(phone.get_by_role("heading", name="Sign in")).to_be_visible()


def test_change_password(pages: Pages, tonearm: Server) -> None:
    make_member(tonearm, "dave").close()
    page = pages.open(tonearm, user=("dave", MEMBER_PASSWORD))
    page.goto("/#/settings")
    page.get_by_label("Current password").fill("not my password")
    page.get_by_label("New password", exact=True).fill("a brand new secret")
    page.get_by_label("New password again").fill("a brand new secret")
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("alert")).to_contain_text("current password is wrong")

    page.get_by_label("Current password").fill(MEMBER_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("status").filter(has_text="Password changed")).to_be_visible()
    login = "/api/auth/login"
    old = httpx.post(
        f"{tonearm.url}{login}", json={"username": "dave", "password": MEMBER_PASSWORD}
    )
    new = httpx.post(
        f"{tonearm.url}{login}", json={"username": "dave", "password": "a brand new secret"}
    )
    assert (old.status_code, new.status_code) == (401, 200)


def test_upload_choice_row_visibility_and_delete(
    page: Page, tonearm: Server, tmp_path: Path
) -> None:
    song = make_audio(tmp_path / "visible-tone.flac", seconds=3)
    page.goto("/#/upload")
    page.get_by_role("radio", name=re.compile("^Public")).check()
    page.get_by_test_id("file-input").set_input_files(song)
    expect(page.get_by_test_id("upload").filter(has_text="visible-tone")).to_be_visible()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Home").click()
    row = page.get_by_test_id("track").filter(has_text="visible-tone")
    expect(row.get_by_test_id("visibility")).to_have_value("public", timeout=30_000)
    (track,) = [
        t
        for t in tonearm.http.get("/api/tracks?mine=true").json()["items"]
        if t["filename"] == "visible-tone.flac"
    ]
    assert track["visibility"] == "public"

    with page.expect_response(lambda r: r.request.method == "PATCH") as patched:
        row.get_by_test_id("visibility").select_option("unlisted")
    assert patched.value.status == 200
    assert patched.value.request.headers.get("x-csrf-token")
    assert tonearm.track(track["id"])["visibility"] == "unlisted"

    row.get_by_role("button", name="Delete visible-tone").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("cannot be undone")
    assert_accessible(page)
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_have_count(0)
    expect(row).to_have_count(1)

    row.get_by_role("button", name="Delete visible-tone").click()
    page.get_by_role("dialog").get_by_role("button", name="Delete track").click()
    expect(row).to_have_count(0)
    # Focus does not fall to the top of the page with the deleted row: it stays in the list.
    expect(page.locator("#library")).to_be_focused()
    assert tonearm.http.get(f"/api/tracks/{track['id']}").status_code == 404


def test_admin_manages_people_and_invites(pages: Pages, tonearm: Server, screenshots: Path) -> None:
    page = pages.open(tonearm)
    page.goto("/#/admin")
    form = page.get_by_role("form", name="New account")
    form.get_by_label("Username").fill("erin")
    form.get_by_label("Password").fill("erin's long password")
    form.get_by_label("Role").select_option("moderator")
    form.get_by_label("Quota in GB").fill("2")
    form.get_by_role("button", name="Add account").click()
    row = page.locator("[data-testid=user][data-username=erin]")
    expect(row).to_contain_text("Quota 2.0 GB")
    role = row.get_by_label("Role of erin")
    expect(role).to_have_value("moderator")

    def erin() -> dict[str, object]:
        users = tonearm.http.get("/api/users").json()
        return next(u for u in users if u["username"] == "erin")

    def erin_signs_in(password: str) -> int:
        body = {"username": "erin", "password": password}
        return httpx.post(f"{tonearm.url}/api/auth/login", json=body).status_code

    role.select_option("member")
    expect(row.get_by_label("Role of erin")).to_have_value("member")
    expect(page.get_by_role("status").filter(has_text="erin is now member")).to_be_attached()
    assert erin()["role"] == "member"

    row.get_by_label("Quota of erin in GB").fill("")
    row.get_by_role("button", name="Set quota of erin").click()
    expect(row).to_contain_text("No storage limit")
    assert erin()["quota_bytes"] is None

    row.get_by_role("button", name="Disable erin").click()
    expect(row).to_contain_text("Disabled")
    assert erin_signs_in("erin's long password") == 401
    row.get_by_role("button", name="Enable erin").click()
    expect(row.get_by_role("button", name="Disable erin")).to_be_visible()

    row.get_by_role("button", name="New password for erin").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("New password").fill("erin's newer password")
    dialog.get_by_role("button", name="Set password").click()
    expect(dialog).to_have_count(0)
    assert erin_signs_in("erin's newer password") == 200
    # The admin's own row has no delete or disable: an admin cannot lock themself out.
    own = page.locator(f"[data-testid=user][data-username={ADMIN}]")
    expect(own.get_by_role("button", name=f"Delete {ADMIN}")).to_have_count(0)

    row.get_by_role("button", name="Delete erin").click()
    page.get_by_role("dialog").get_by_role("button", name="Delete account").click()
    expect(row).to_have_count(0)
    assert "erin" not in [u["username"] for u in tonearm.http.get("/api/users").json()]

    # An invite: its link is shown once, and lets one person in.
    invite_form = page.get_by_role("form", name="New invite")
    invite_form.get_by_label("People who may use it").fill("1")
    invite_form.get_by_role("button", name="Create invite link").click()
    link = page.get_by_test_id("secret-value").input_value()
    assert re.fullmatch(rf"{re.escape(tonearm.url)}/#/join/\S+", link), link
    invite = page.get_by_test_id("invite").first
    expect(invite).to_contain_text("0 of 1 used")
    assert_accessible(page)
    page.screenshot(path=screenshots / "admin.png", full_page=True)

    newcomer = pages.open(tonearm, user=None)
    newcomer.goto(link)
    expect(newcomer.get_by_role("heading", name="Create your account")).to_be_visible()
    fill_credentials(newcomer, "frank", "frank's own password", again=True)
    newcomer.get_by_role("button", name="Create account").click()
    expect(newcomer.get_by_role("heading", name="Your music")).to_be_visible()
    expect(newcomer.get_by_test_id("username")).to_have_text("frank")
    assert "/join/" not in newcomer.url
    expect(newcomer.get_by_role("link", name="Admin")).to_have_count(0)

    late = pages.open(tonearm, user=None)
    late.goto(link)
    fill_credentials(late, "grace", "grace's own password", again=True)
    late.get_by_role("button", name="Create account").click()
    expect(late.get_by_test_id("auth-error")).to_contain_text("not valid")

    page.reload()
    expect(invite).to_contain_text("Used up")
    expect(page.get_by_test_id("secret")).to_have_count(0)


@pytest.fixture
def open_server(tmp_path: Path) -> Iterator[Server]:
    """A server that lets visitors listen to public tracks."""
    with fresh_database("sqlite", tmp_path) as url:
        server = Server(
            tmp_path / "data", url, env={"TONEARM_ACCOUNTS_ANONYMOUS_LISTENING": "true"}
        )
        yield server
        server.stop()


def test_visitors_hear_public_tracks_when_the_server_allows(
    pages: Pages, open_server: Server, tones: list[Path], screenshots: Path
) -> None:
    public = upload(open_server.http, tones[0], "for-everyone.flac", "public")
    upload(open_server.http, tones[1], "for-me-only.flac", "private")
    visitor = pages.open(open_server, user=None)
    visitor.goto("/")
    expect(visitor.get_by_role("heading", name="Public music")).to_be_visible()
    rows = visitor.get_by_test_id("track")
    expect(rows.filter(has_text="for-everyone")).to_have_count(1)
    expect(rows.filter(has_text="for-me-only")).to_have_count(0)
    expect(visitor.get_by_role("heading", name="Add music")).to_have_count(0)
    assert_accessible(visitor)
    visitor.screenshot(path=screenshots / "visitor.png")
    open_server.wait_ready(public)
    visitor.get_by_role("button", name="Play for-everyone").click()
    visitor.wait_for_function(
        "() => document.querySelector('audio').currentTime > 0.2", timeout=30_000
    )

    visitor.get_by_role("link", name="Sign in").click()
    expect(visitor.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(
        visitor.get_by_role("link", name="Listen to public music without signing in")
    ).to_be_visible()
    fill_credentials(visitor, ADMIN, PASSWORD)
    visitor.get_by_role("button", name="Sign in").click()
    expect(visitor.get_by_role("heading", name="Your music")).to_be_visible()
    expect(rows.filter(has_text="for-me-only")).to_have_count(1)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_account_pages_are_accessible_on_desktop_and_phone(
    pages: Pages, tonearm: Server, screenshots: Path, scheme: str
) -> None:
    visitor = pages.open(tonearm, user=None)
    admin = pages.open(tonearm)
    # A quota, so the storage meter is on the settings page too.
    me = tonearm.http.get("/api/me").json()["id"]
    tonearm.http.patch(f"/api/users/{me}", json={"quota_bytes": 10 * 2**30}).raise_for_status()
    for page, place, name in [
        (visitor, "/", "sign-in"),
        (visitor, "/#/join/some-invite", "join"),
        (admin, "/#/settings", "settings"),
        (admin, "/#/admin", "admin"),
    ]:
        page.emulate_media(color_scheme=scheme)
        for size, viewport in [("desktop", DESKTOP), ("phone", PHONE)]:
            page.set_viewport_size(viewport)
            page.goto(place)
            expect(page.locator("main h2").first).to_be_visible()
            expect(page.get_by_text("Loading…")).to_have_count(0)
            assert_accessible(page)
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"{name} is {overflow}px wider than the {size} screen"
            page.screenshot(path=screenshots / f"{name}-{size}-{scheme}.png", full_page=True)
    admin.goto("/#/settings")
    expect(admin.get_by_role("meter", name="Storage used")).to_be_visible()
    expect(admin.get_by_test_id("storage")).to_contain_text("of 10 GB used")
    tonearm.http.patch(f"/api/users/{me}", json={"clear_quota": True}).raise_for_status()
