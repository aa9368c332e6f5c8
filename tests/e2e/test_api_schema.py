"""The OpenAPI document against a real ``tonearm serve``: schemathesis generates
requests from the document (valid and invalid, boundary values, unlisted methods),
sends them, and checks every answer: no 5xx, only documented status codes, content
types and headers, bodies that match their schemas, 405 with ``Allow``.

One check is left out: ``positive_data_acceptance`` counts any 4xx to a request
that matches the schema as a finding, but some refusals depend on content no
schema can describe (a PNG sent as an upload is well-formed multipart and still
415). Examples per operation are bounded and the seed fixed, so a run is
repeatable and takes well under a minute on two cores.
"""

from __future__ import annotations

import base64
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.fixtures.database import fresh_database
from tests.fixtures.server import ADMIN, PASSWORD, Server
from tonearm.accounts.credentials import SESSION_COOKIE

pytestmark = pytest.mark.e2e

ST = str(Path(sys.executable).parent / "st")


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """Nothing here is processed, so the server runs without embedded workers."""
    data = tmp_path_factory.mktemp("api")
    with fresh_database("sqlite", data) as url:
        server = Server(data, url, workers=0)
        yield server
        server.stop()


REVOKE_TOKEN = "DELETE /api/me/tokens/{token_id}"
EVENTS = "GET /api/events"
"""An event stream never ends by itself: tests/e2e/test_live_events.py covers it."""


# Every operation with 25 generated cases, one after another: minutes on a busy 2-core
# machine, and more with each new route.
@pytest.mark.timeout(900)
def test_the_api_does_what_its_document_says(api: Server, tmp_path: Path) -> None:
    signed_in = httpx.post(
        f"{api.url}/api/auth/login", json={"username": ADMIN, "password": PASSWORD}, timeout=60
    )
    assert signed_in.status_code == 200, signed_in.text
    cookie = signed_in.cookies[SESSION_COOKIE]
    # Schemathesis finds the token's id in GET /api/me/tokens and revokes it: every
    # operation but that one runs first, signed in throughout, then that one alone.
    run = _schemathesis(
        api, cookie, tmp_path, "--exclude-name", REVOKE_TOKEN, "--exclude-name", EVENTS
    )
    assert run.returncode == 0, run.stdout[-12_000:] + run.stderr[-2_000:]
    assert api.http.get("/api/me").status_code == 200  # still signed in at the end
    run = _schemathesis(api, cookie, tmp_path, "--include-name", REVOKE_TOKEN)
    assert run.returncode == 0, run.stdout[-12_000:] + run.stderr[-2_000:]
    assert "Traceback" not in api.process.output()


def _schemathesis(
    api: Server, cookie: str, folder: Path, *selection: str
) -> subprocess.CompletedProcess[str]:
    # oEmbed answers 501 for a format it does not offer, as https://oembed.com says.
    (folder / "schemathesis.toml").write_text(
        '[[operations]]\ninclude-name = "GET /api/oembed"\n'
        "[operations.checks.not_a_server_error]\n"
        'expected-statuses = ["2xx", "3xx", "4xx", "501"]\n'
    )
    return subprocess.run(
        [
            ST,
            "run",
            f"{api.url}/openapi.json",
            *selection,
            "--checks",
            "all",
            "--exclude-checks",
            "positive_data_acceptance",
            "--max-examples",
            "25",
            "--seed",
            "1",
            "--workers",
            "1",
            "--generation-database",
            "none",
            "--no-color",
            # Signed in as the admin, with both credentials the document declares (the
            # operations are reached, not just their 401s). Each is given explicitly, so
            # the auth check knows them: it removes both, then sends each one invalid,
            # and expects a refusal.
            "--header",
            f"Authorization: {api.auth['Authorization']}",
            "--header",
            f"Cookie: {SESSION_COOKIE}={cookie}",
        ],
        cwd=folder,  # schemathesis may leave files in its working directory
        capture_output=True,
        text=True,
        timeout=780,
        check=False,
    )


def _cursor(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@pytest.mark.parametrize(
    ("method", "path", "headers"),
    [
        pytest.param(
            "POST",
            "/api/uploads",
            {"Tus-Resumable": "1.0.0", "Upload-Length": b"\xb2"},
            id="tus-upload-length-superscript-two",
        ),
        pytest.param(
            "PATCH",
            "/api/uploads/" + "0" * 32,
            {
                "Tus-Resumable": "1.0.0",
                "Upload-Offset": b"\xb2",
                "Content-Type": "application/offset+octet-stream",
            },
            id="tus-upload-offset-superscript-two",
        ),
        pytest.param(
            "GET",
            f"/api/tracks?cursor={_cursor(b'0001-01-01|x')}",
            {},
            id="track-cursor-year-one",
        ),
        pytest.param(
            "GET",
            f"/api/tracks?cursor={_cursor(b'0001-01-01T00:00:00+14:00|x')}",
            {},
            id="track-cursor-before-year-one-in-utc",
        ),
    ],
)
def test_odd_values_are_refused_not_crashed_on(
    api: Server, method: str, path: str, headers: dict[str, str | bytes]
) -> None:
    """Requests that made the server fail (found by fuzzing), kept as exact probes."""
    response = httpx.request(method, api.url + path, headers={**api.auth, **headers}, timeout=30)
    assert response.status_code != 401, response.text  # the probe reached the route
    assert 400 <= response.status_code < 500, response.text
    assert response.headers["content-type"] == "application/problem+json"
