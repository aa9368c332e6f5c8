"""The whole HTTP app in process: Host allow-list, security headers, problems, /docs,
the OpenAPI document, and the file routes' RFC 9110 behaviour."""

from __future__ import annotations

import base64
import re
import warnings
from collections.abc import Iterator
from typing import Any

import pytest

from tests.fixtures.accounts import admin_token, build_container
from tests.fixtures.asgi import call
from tests.fixtures.audio import make_audio
from tonearm.container import Container
from tonearm.http import edge
from tonearm.http.app import create_app

PUBLIC = "music.example.org"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Container]:
    data = tmp_path_factory.mktemp("app")
    c = build_container(
        data, f"sqlite:///{data / 'tonearm.db'}", http={"public_url": f"https://{PUBLIC}/"}
    )
    yield c
    c.close()


@pytest.fixture(scope="module")
def app(built: Container) -> Any:
    return create_app(built)


@pytest.fixture(scope="module")
def auth(built: Container) -> dict[str, str]:
    """The admin's token (every API route needs a viewer)."""
    return admin_token(built)


@pytest.fixture(scope="module")
def track(
    app: Any, auth: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Any]:
    """A track uploaded over tus as 'My "Best" Song.wav' (tus metadata carries the
    name exactly); not processed, but its original is stored."""
    data = make_audio(tmp_path_factory.mktemp("audio") / "song.wav", seconds=2.0).read_bytes()
    name = base64.b64encode(b'My "Best" Song.wav').decode()
    response = call(
        app,
        "POST",
        "/api/uploads",
        {
            **auth,
            "tus-resumable": "1.0.0",
            "upload-length": str(len(data)),
            "upload-metadata": f"filename {name}",
            "content-type": "application/offset+octet-stream",
        },
        content=data,
    )
    assert response.status_code == 201, response.text
    result: dict[str, Any] = call(
        app, "GET", f"/api/tracks/{response.headers['tonearm-track-id']}", auth
    ).json()
    result["bytes"] = data
    return result


def _problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["status"] == status and body["title"] and body["detail"]
    return body


@pytest.mark.parametrize(
    "host", ["evil.example", "127.0.0.1.evil.example", "localhost.evil:8000", "[::2]", ""]
)
def test_unknown_host_names_are_refused(app: Any, host: str) -> None:
    """DNS rebinding: a page on evil.example resolves its own name to 127.0.0.1."""
    for path in ("/", "/api/tracks", "/docs", f"/s/{'a' * 64}/64k/{'a' * 64}.m4s"):
        response = call(app, "GET", path, {"host": host})
        body = _problem(response, 400)
        assert "TONEARM_HTTP_ALLOWED_HOSTS" in body["detail"]
        assert response.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize(
    "host",
    ["127.0.0.1", "127.0.0.1:8000", "localhost:8000", "LOCALHOST", "[::1]:8000", PUBLIC],
)
def test_our_own_host_names_are_served(app: Any, auth: dict[str, str], host: str) -> None:
    assert call(app, "GET", "/api/tracks", {"host": host, **auth}).status_code == 200


def test_health_probes_answer_any_host(app: Any) -> None:
    """Orchestrators probe by bare IP; the probes reveal nothing worth rebinding for."""
    assert call(app, "GET", "/healthz", {"host": "10.1.2.3:8000"}).status_code == 200


def test_allowed_hosts_setting() -> None:
    assert edge.allowed_hosts(("*",), "127.0.0.1", None) is None
    assert edge.allowed_hosts(
        ("Music.Example.org:443", "::1"), "192.0.2.1", "https://box.lan:8443/"
    ) == frozenset({"192.0.2.1", "localhost", "127.0.0.1", "[::1]", "music.example.org", "box.lan"})


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/"),
        ("GET", "/api/tracks"),
        ("GET", "/no/such/page"),
        ("PUT", "/api/tracks"),
        ("GET", "/docs"),
        ("GET", "/openapi.json"),
        ("GET", "/healthz"),
    ],
)
def test_every_response_carries_the_security_headers(app: Any, method: str, path: str) -> None:
    headers = call(app, method, path).headers
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"
    assert headers["cross-origin-opener-policy"] == "same-origin"
    csp = headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp


def test_segment_answers_carry_the_media_headers(app: Any) -> None:
    """Segments get what applies to audio (no sniffing, no referrer), not a page's CSP."""
    headers = call(app, "GET", f"/s/{'a' * 64}/64k/{'a' * 64}.m4s?junk=1").headers
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"
    assert "content-security-policy" not in headers


def test_every_error_is_a_problem(app: Any, auth: dict[str, str]) -> None:
    _problem(call(app, "GET", "/no/such/page"), 404)
    _problem(call(app, "GET", "/assets/no-such.js"), 404)
    _problem(call(app, "GET", "/api/tracks"), 401)  # signed out
    _problem(call(app, "GET", "/api/tracks/nope", auth), 404)
    put = call(app, "PUT", "/api/tracks")
    _problem(put, 405)
    assert put.headers["allow"] == "GET, POST, PATCH"  # two routers share the path
    delete = call(app, "DELETE", "/api/tracks/abc/original")
    _problem(delete, 405)
    assert delete.headers["allow"] == "GET, HEAD"
    invalid = _problem(call(app, "GET", "/api/tracks?limit=0", auth), 422)
    assert invalid["errors"][0]["where"] == "query.limit"


def test_docs_work_without_internet(app: Any) -> None:
    page = call(app, "GET", "/docs")
    assert page.status_code == 200
    refs = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert refs and all(r.startswith("/") and not r.startswith("//") for r in refs), refs
    assert any(r.endswith("swagger-ui-bundle.js") for r in refs)
    assert "<script>" not in page.text  # no inline script: the CSP forbids it
    for ref in refs:
        asset = call(app, "GET", ref)
        assert asset.status_code == 200, ref
        assert len(asset.content) > 100, ref
    assert call(app, "GET", "/redoc").status_code == 404


def test_openapi_document(app: Any) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # FastAPI warns on duplicate operation ids
        response = call(app, "GET", "/openapi.json")
    assert response.status_code == 200
    spec = response.json()
    operations = [
        (path, method, op)
        for path, item in spec["paths"].items()
        for method, op in item.items()
        if method in ("get", "head", "post", "put", "patch", "delete", "options")
    ]
    ids = [op["operationId"] for _, _, op in operations]
    assert len(ids) == len(set(ids))
    schemas = spec["components"]["schemas"]
    assert {"Problem", "ValidationProblem"} <= set(schemas)
    assert "HTTPValidationError" not in schemas
    allow = spec["components"]["responses"]["MethodNotAllowed"]["headers"]["Allow"]
    assert allow["required"] is True
    for path, method, op in operations:
        responses = op["responses"]
        assert {"4XX", "5XX"} <= set(responses), (path, method)
        for code, answer in responses.items():
            if code[0] in "45":
                assert list(answer["content"]) == ["application/problem+json"], (path, code)
        if "422" in responses:
            schema = responses["422"]["content"]["application/problem+json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/ValidationProblem"}
    original = spec["paths"]["/api/tracks/{track_id}/original"]["get"]
    assert {"200", "206", "304", "416"} <= set(original["responses"])
    headers = {p["name"] for p in original["parameters"] if p["in"] == "header"}
    assert headers == {"Range", "If-Range", "If-None-Match", "If-Modified-Since"}


def test_the_original_through_the_app(
    app: Any, auth: dict[str, str], track: dict[str, Any]
) -> None:
    url = track["urls"]["original"]
    data = track["bytes"]
    full = call(app, "GET", url, auth)
    assert full.status_code == 200 and full.content == data
    disposition = full.headers["content-disposition"]
    assert disposition == (
        'inline; filename="My \\"Best\\" Song.wav"; filename*=UTF-8\'\'My%20%22Best%22%20Song.wav'
    )
    for header in ("bytes=5-2", "items=0-5", "bytes=x", "bytes=0-1,5-6"):
        ignored = call(app, "GET", url, {**auth, "range": header})
        assert ignored.status_code == 200 and ignored.content == data, header
    part = call(app, "GET", url, {**auth, "range": "bytes=4-11"})
    assert part.status_code == 206 and part.content == data[4:12]
    _problem(call(app, "GET", url, {**auth, "range": f"bytes={len(data)}-"}), 416)
    etag = full.headers["etag"]
    assert call(app, "GET", url, {**auth, "if-none-match": f"W/{etag}"}).status_code == 304
    modified = full.headers["last-modified"]
    assert call(app, "GET", url, {**auth, "if-modified-since": modified}).status_code == 304
    head = call(app, "HEAD", url, auth)
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-length"] == str(len(data))


def test_files_not_made_yet_are_problems(
    app: Any, auth: dict[str, str], track: dict[str, Any]
) -> None:
    base = f"/api/tracks/{track['id']}"
    for path in ("/stream.mp3", "/waveform.json", "/hls/master.m3u8", "/hls/64k.m3u8"):
        response = call(app, "GET", base + path, auth)
        assert response.status_code in (404, 409), path
        _problem(response, response.status_code)
