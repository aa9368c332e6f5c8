"""`tonearm user ...` as a person runs it, next to a running `tonearm serve` on the same data.

Every command is a real subprocess; its effect is checked over HTTP (sign-in, roles,
quotas, what is left of a deleted account) and in the tables.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, func, select

from tests.fixtures.audio import MakeAudio
from tests.fixtures.database import BACKENDS, fresh_database
from tests.fixtures.server import ADMIN, PASSWORD, TONEARM, Server
from tonearm.models import Blob, Track, Upload, User

pytestmark = pytest.mark.e2e

TUS = {"Tus-Resumable": "1.0.0"}
MiB = 1024 * 1024


class Cli:
    """`tonearm user ...` on one data directory and database, stdin a pipe (no terminal)."""

    def __init__(self, data_dir: Path, database_url: str) -> None:
        self.data_dir = data_dir
        self.database_url = database_url

    def __call__(self, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [
                TONEARM,
                "user",
                *args,
                "--data-dir",
                str(self.data_dir),
                "--database-url",
                self.database_url,
            ],
            input=stdin,
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, "TONEARM_LOG_JSON_LINES": "true"},
            check=False,
        )

    def ok(self, *args: str, stdin: str = "") -> str:
        done = self(*args, stdin=stdin)
        assert done.returncode == 0, (done.returncode, done.stdout, done.stderr)
        return done.stdout


@dataclass
class Site:
    cli: Cli
    server: Server
    first_admin: subprocess.CompletedProcess[str]


@pytest.fixture(scope="module", params=BACKENDS)
def site(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Site]:
    """A database whose first admin came from the CLI, and a server on it."""
    data = tmp_path_factory.mktemp("cli")
    with fresh_database(request.param, data) as url:
        cli = Cli(data, url)
        first = cli("add", ADMIN, "--admin", "--password-stdin", stdin=PASSWORD + "\n")
        server = Server(data, url)  # signs in as ADMIN: setup answers 409 now
        yield Site(cli, server, first)
        server.stop()


def sign_in(server: Server, name: str, password: str) -> httpx.Response:
    with httpx.Client(base_url=server.url, timeout=60) as client:
        return client.post("/api/auth/login", json={"username": name, "password": password})


def browser(server: Server, name: str, password: str) -> httpx.Client:
    """A signed-in client as the page is: session cookie plus the CSRF token."""
    client = httpx.Client(base_url=server.url, timeout=60)
    r = client.post("/api/auth/login", json={"username": name, "password": password})
    assert r.status_code == 200, r.text
    client.headers["X-CSRF-Token"] = r.json()["csrf_token"]
    return client


def refcount(site: Site, blob_hash: str) -> int:
    engine = create_engine(site.cli.database_url)
    try:
        with engine.connect() as conn:
            return int(conn.scalar(select(Blob.refcount).where(Blob.hash == blob_hash)) or 0)
    finally:
        engine.dispose()


def rows_of(listing: str) -> dict[str, dict[str, str]]:
    """`user list` parsed by its header: {name: {column: value}}."""
    lines = listing.splitlines()
    header = lines[0].split()
    starts = [lines[0].index(h) for h in header]
    rows = {}
    for line in lines[1:]:
        cells = [line[a:b].strip() for a, b in zip(starts, [*starts[1:], len(line)], strict=True)]
        rows[cells[0]] = dict(zip(header, cells, strict=True))
    return rows


def test_the_first_admin_from_the_cli_makes_setup_unnecessary(site: Site) -> None:
    assert site.first_admin.returncode == 0, site.first_admin.stderr
    assert f"Added admin '{ADMIN}'" in site.first_admin.stdout
    state = httpx.get(f"{site.server.url}/api/setup").json()
    assert state["needs_setup"] is False
    late = httpx.post(
        f"{site.server.url}/api/setup", json={"username": "mallory", "password": "x" * 12}
    )
    assert late.status_code == 409
    me = site.server.http.get("/api/me").json()
    assert (me["username"], me["role"]) == (ADMIN, "admin")


def test_the_first_account_must_be_an_admin(tmp_path: Path) -> None:
    cli = Cli(tmp_path, f"sqlite:///{tmp_path / 'tonearm.db'}")
    refused = cli("add", "bob", "--password-stdin", stdin="bobs long password\n")
    assert refused.returncode == 2
    assert "first account must be an admin" in refused.stderr
    assert "No accounts yet" in cli.ok("list")


def test_a_database_that_cannot_be_opened_is_said_so(tmp_path: Path) -> None:
    cli = Cli(tmp_path, f"sqlite:///{tmp_path / 'missing' / 'tonearm.db'}")
    failed = cli("list")
    assert failed.returncode == 6
    assert failed.stderr.strip() == "error: cannot use the database: unable to open database file"


def test_a_user_added_with_a_password_on_stdin_signs_in_over_http(site: Site) -> None:
    out = site.cli.ok("add", "ana", "--password-stdin", stdin="anas long password\n")
    assert out.strip() == "Added member 'ana'."
    assert sign_in(site.server, "ana", "anas long password").status_code == 200
    assert sign_in(site.server, "ana", "anas long password\n").status_code == 401
    me = browser(site.server, "ana", "anas long password").get("/api/me").json()
    assert (me["username"], me["role"]) == ("ana", "member")
    listed = rows_of(site.cli.ok("list"))
    assert listed["ana"]["ROLE"] == "member"
    assert listed["ana"]["DISABLED"] == "no"
    assert listed["ana"]["QUOTA"] == "none"


def test_a_taken_name_is_refused_before_asking_for_a_password(site: Site) -> None:
    site.cli.ok("add", "dup", "--password-stdin", stdin="first long password\n")
    # No --password-stdin and no terminal: the name is refused before any prompt.
    again = site.cli("add", "DUP")
    assert again.returncode == 4
    assert again.stderr.strip() == "error: cannot add 'DUP': That username is taken."
    assert again.stdout == ""
    assert list(rows_of(site.cli.ok("list"))).count("dup") == 1
    assert sign_in(site.server, "dup", "first long password").status_code == 200


def test_bad_input_is_explained(site: Site) -> None:
    weak = site.cli("add", "weak", "--password-stdin", stdin="short\n")
    assert (weak.returncode, weak.stderr.strip()) == (
        2,
        "error: cannot add 'weak': Use at least 8 characters.",
    )
    bad_name = site.cli("add", "no spaces", "--password-stdin", stdin="long enough pass\n")
    assert bad_name.returncode == 2
    assert "A username is 1 to 64 letters" in bad_name.stderr
    no_terminal = site.cli("add", "prompted")
    assert no_terminal.returncode == 2
    assert "--password-stdin" in no_terminal.stderr
    both = site.cli("add", "x", "--admin", "--role", "member", "--password-stdin")
    assert both.returncode == 2
    assert "disagree" in both.stderr
    ghost = site.cli("role", "ghost", "member")
    assert (ghost.returncode, ghost.stderr.strip()) == (
        3,
        "error: cannot change the role of 'ghost': No user called 'ghost'.",
    )
    last = site.cli("role", ADMIN, "member")
    assert last.returncode == 4
    assert "last admin" in last.stderr
    assert site.server.http.get("/api/me").json()["role"] == "admin"


def test_role_disable_and_enable(site: Site) -> None:
    site.cli.ok("add", "mod", "--role", "moderator", "--password-stdin", stdin="mods password\n")
    assert browser(site.server, "mod", "mods password").get("/api/me").json()["role"] == (
        "moderator"
    )
    assert site.cli.ok("role", "mod", "member").strip() == "'mod' is now a member."
    page = browser(site.server, "mod", "mods password")
    assert page.get("/api/me").json()["role"] == "member"
    made = page.post("/api/me/tokens", json={"name": "script", "scopes": ["read"]})
    assert made.status_code == 201, made.text
    token = {"Authorization": f"Bearer {made.json()['token']}"}
    assert httpx.get(f"{site.server.url}/api/me", headers=token).status_code == 200

    out = site.cli.ok("disable", "mod")
    assert out.startswith("Disabled 'mod': signed out everywhere")
    assert sign_in(site.server, "mod", "mods password").status_code == 401
    assert page.get("/api/me").status_code == 401
    assert httpx.get(f"{site.server.url}/api/me", headers=token).status_code == 401
    assert rows_of(site.cli.ok("list"))["mod"]["DISABLED"] == "yes"

    assert site.cli.ok("enable", "mod").strip() == "Enabled 'mod': they can sign in again."
    assert sign_in(site.server, "mod", "mods password").status_code == 200
    assert httpx.get(f"{site.server.url}/api/me", headers=token).status_code == 200


def test_passwd_ends_every_session(site: Site) -> None:
    site.cli.ok("add", "pat", "--password-stdin", stdin="old long password\n")
    page = browser(site.server, "pat", "old long password")
    assert page.get("/api/me").status_code == 200
    out = site.cli.ok("passwd", "pat", "--password-stdin", stdin="new long password\n")
    assert out.strip() == "Password of 'pat' changed; 1 session ended."
    assert page.get("/api/me").status_code == 401
    assert sign_in(site.server, "pat", "old long password").status_code == 401
    assert sign_in(site.server, "pat", "new long password").status_code == 200


def test_quota_is_enforced_at_upload_creation(site: Site) -> None:
    site.cli.ok("add", "quinn", "--password-stdin", stdin="quinns password\n")
    out = site.cli.ok("quota", "quinn", "1.5M")
    assert out.strip() == "Quota of 'quinn': 1.5 MiB (uses 0 B)."
    assert rows_of(site.cli.ok("list"))["quinn"]["QUOTA"] == "1.5 MiB"
    page = browser(site.server, "quinn", "quinns password")
    too_big = page.post("/api/uploads", headers={**TUS, "Upload-Length": str(2 * MiB)})
    assert too_big.status_code == 413
    assert too_big.json()["type"].endswith("quota-exceeded")
    assert "1.5 MiB" in too_big.json()["detail"]
    fits = page.post("/api/uploads", headers={**TUS, "Upload-Length": str(MiB)})
    assert fits.status_code == 201, fits.text

    bad = site.cli("quota", "quinn", "10X")
    assert bad.returncode == 2
    assert "is not a size" in bad.stderr
    assert site.cli.ok("quota", "quinn", "none").strip() == "'quinn' has no quota now (uses 0 B)."
    big = page.post("/api/uploads", headers={**TUS, "Upload-Length": str(2 * MiB)})
    assert big.status_code == 201, big.text


def test_delete_removes_the_account_its_tracks_and_uploads(site: Site, audio: MakeAudio) -> None:
    srv = site.server
    source = audio("shared.flac", seconds=3.0)
    kept = srv.wait_ready(srv.upload(source).json()["id"])
    site.cli.ok("add", "del", "--password-stdin", stdin="dels long password\n")
    page = browser(srv, "del", "dels long password")
    with source.open("rb") as fh:
        theirs = page.post("/api/tracks", files={"file": ("mine.flac", fh)})
    assert theirs.status_code == 201, theirs.text
    track_id = theirs.json()["id"]
    uid = page.get("/api/me").json()["id"]
    pending = page.post("/api/uploads", headers={**TUS, "Upload-Length": "1000"})
    assert pending.status_code == 201, pending.text
    staged = (
        site.cli.data_dir
        / "tmp"
        / "uploads"
        / f"{pending.headers['location'].rsplit('/', 1)[-1]}.part"
    )
    assert staged.exists()
    blob_hash = hashlib.sha256(source.read_bytes()).hexdigest()
    assert refcount(site, blob_hash) == 2

    asked = site.cli("delete", "del")
    assert asked.returncode == 2
    assert "--yes" in asked.stderr
    assert srv.http.get(f"/api/tracks/{track_id}").status_code == 200

    out = site.cli.ok("delete", "del", "--yes")
    assert out.strip() == "Deleted 'del' and 1 track."
    assert srv.http.get(f"/api/tracks/{track_id}").status_code == 404
    assert sign_in(srv, "del", "dels long password").status_code == 401
    assert page.get("/api/me").status_code == 401
    assert "del" not in rows_of(site.cli.ok("list"))
    assert not staged.exists()
    assert refcount(site, blob_hash) == 1
    engine = create_engine(site.cli.database_url)
    try:
        with engine.connect() as conn:
            left = {
                "users": (User, User.id == uid),
                "tracks": (Track, Track.owner_id == uid),
                "uploads": (Upload, Upload.owner_id == uid),
            }
            for name, (model, where) in left.items():
                assert conn.scalar(select(func.count()).select_from(model).where(where)) == 0, name
    finally:
        engine.dispose()
    # The admin uploaded the same audio: it is stored once and stays theirs.
    original = srv.http.get(f"/api/tracks/{kept['id']}/original")
    assert original.status_code == 200
    assert original.content == source.read_bytes()

    gone = site.cli("delete", "del", "--yes")
    assert gone.returncode == 3
    assert "No user called 'del'" in gone.stderr
