"""The segment fast path in process: signed URLs only, bound to the viewer they were
signed for, bounded memory, RFC 9110 answers."""

from __future__ import annotations

import hashlib
import logging
from typing import Any

import pytest

from tests.fixtures.asgi import call
from tonearm.accounts.credentials import SESSION_COOKIE, binding_of
from tonearm.storage import MemoryStore
from tonearm.streaming.fastpath import SegmentCache, SegmentServer, VerifiedUrls
from tonearm.streaming.signing import UrlSigner

BLOB = "b" * 64
DATA = bytes(range(256)) * 40  # 10,240 bytes
TOKEN = "tnrm_" + "t" * 43
BINDING = binding_of(TOKEN)
"""Most links here are signed for one API token, and sent with it."""


class Fallthrough:
    """Stands for the application behind the fast path: answers 204 to anything."""

    def __init__(self) -> None:
        self.calls = 0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        self.calls += 1
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})


def _segment(store: MemoryStore, data: bytes, rung: str = "64k") -> str:
    digest = hashlib.sha256(data).hexdigest()
    store.put_bytes(f"hls/{BLOB}/{rung}/{digest}.m4s", data)
    return f"/s/{BLOB}/{rung}/{digest}.m4s"


@pytest.fixture
def store() -> MemoryStore:
    return MemoryStore()


@pytest.fixture
def signer() -> UrlSigner:
    return UrlSigner(b"test-key", ttl_s=3600)


def _server(
    store: MemoryStore, signer: UrlSigner, *, cache_bytes: int = 1 << 20, memo: int = 64
) -> SegmentServer:
    return SegmentServer(
        Fallthrough(), store, signer, SegmentCache(cache_bytes), VerifiedUrls(memo)
    )


def _call(
    server: Any, method: str, url: str, headers: dict[str, str] | None = None
) -> Any:
    """A request carrying the token the links are signed for."""
    return call(server, method, url, {"authorization": f"Bearer {TOKEN}", **(headers or {})})


def _problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["status"] == status and body["title"] and body["detail"]
    return body


def test_a_signed_url_is_served(store: MemoryStore, signer: UrlSigner) -> None:
    server = _server(store, signer)
    url = signer.sign(_segment(store, DATA), BINDING)
    response = _call(server, "GET", url)
    assert response.status_code == 200 and response.content == DATA
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"


def test_junk_duplicate_and_non_canonical_parameters_are_refused(
    store: MemoryStore, signer: UrlSigner, caplog: pytest.LogCaptureFixture
) -> None:
    """Every variant of a valid URL is refused as a problem, is never remembered, and
    logs nothing: none of them can grow memory or fill the log."""
    server = _server(store, signer)
    url = signer.sign(_segment(store, DATA), BINDING)
    path, query = url.split("?", 1)
    expires = query.split("&")[0].removeprefix("e=")
    signature = query.split("&")[1].removeprefix("s=")
    variants = [
        f"{query}&junk={'x' * 60_000}",
        f"junk=1&{query}",
        f"{query}&{query}",
        f"{query}&e={expires}",
        f"s={signature}&e={expires}",
        f"e=0{expires}&s={signature}",
        f"e=%2B{expires}&s={signature}",
        f"e={expires}%C2%B2&s={signature}",
        f"e=%C2%B2&s={signature}",
        f"e={'9' * 4400}&s={signature}",
        f"e={expires}&s={signature}=",
        f"e={expires}",
        "",
    ]
    with caplog.at_level(logging.DEBUG):
        for variant in variants:
            for method in ("GET", "HEAD"):
                response = _call(server, method, f"{path}?{variant}" if variant else path)
                assert response.status_code == 403, variant[:80]
                if method == "GET":
                    _problem(response, 403)
    assert len(server.verified) == 0
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert _call(server, "HEAD", url).status_code == 200
    assert len(server.verified) == 1


def test_the_verified_memo_and_segment_cache_stay_bounded(
    store: MemoryStore, signer: UrlSigner
) -> None:
    cache = SegmentCache(64 * 1024)
    server = SegmentServer(Fallthrough(), store, signer, cache, VerifiedUrls(16))
    urls = [signer.sign(_segment(store, DATA[:2000] + bytes([i])), BINDING) for i in range(200)]
    for url in urls:
        assert _call(server, "HEAD", url).status_code == 200
    assert len(server.verified) == 16
    assert cache.size <= 64 * 1024 and 0 < len(cache) < 200
    assert _call(server, "GET", urls[-1]).status_code == 200
    assert _call(server, "GET", urls[0]).status_code == 200  # evicted, checked again
    assert len(server.verified) == 16


def test_tiny_segments_are_bounded_by_count_too(store: MemoryStore, signer: UrlSigner) -> None:
    cache = SegmentCache(16 * 1024)
    server = SegmentServer(Fallthrough(), store, signer, cache)
    for i in range(300):
        url = signer.sign(_segment(store, bytes([i % 256, i // 256])), BINDING)
        assert _call(server, "GET", url).status_code == 200
    assert len(cache) <= 16  # 1 KiB of bookkeeping per entry counts against the budget


def test_other_paths_fall_through(store: MemoryStore, signer: UrlSigner) -> None:
    app = Fallthrough()
    server = SegmentServer(app, store, signer, SegmentCache(1 << 20))
    assert _call(server, "GET", "/api/tracks?junk=1").status_code == 204
    assert app.calls == 1


def test_wrong_method_and_unknown_segment_are_problems(
    store: MemoryStore, signer: UrlSigner
) -> None:
    server = _server(store, signer)
    url = signer.sign(_segment(store, DATA), BINDING)
    response = _call(server, "POST", url)
    _problem(response, 405)
    assert response.headers["allow"] == "GET, HEAD"
    missing = signer.sign(f"/s/{BLOB}/64k/{'c' * 64}.m4s", BINDING)
    _problem(_call(server, "GET", missing), 404)
    malformed = signer.sign(f"/s/{BLOB}/64k/../x.m4s", BINDING)
    _problem(_call(server, "GET", malformed), 404)
    tampered = url.replace("&s=", "&s=A")[:-1]
    _problem(_call(server, "GET", tampered), 403)


@pytest.mark.parametrize(
    "header",
    ["bytes=5-2", "items=0-5", "bytes=abc", "bytes=", "bytes=0-1,4-5", "bytes=²-3", "0-5"],
)
def test_invalid_or_unknown_ranges_are_ignored(
    store: MemoryStore, signer: UrlSigner, header: str
) -> None:
    server = _server(store, signer)
    url = signer.sign(_segment(store, DATA), BINDING)
    response = _call(server, "GET", url, {"range": header})
    assert response.status_code == 200 and response.content == DATA


def test_ranges_and_validators(store: MemoryStore, signer: UrlSigner) -> None:
    server = _server(store, signer)
    url = signer.sign(_segment(store, DATA), BINDING)
    etag = _call(server, "GET", url).headers["etag"]
    part = _call(server, "GET", url, {"range": "bytes=10-19"})
    assert part.status_code == 206 and part.content == DATA[10:20]
    assert part.headers["content-range"] == f"bytes 10-19/{len(DATA)}"
    huge = _call(server, "GET", url, {"range": f"bytes=100-{'9' * 4400}"})
    assert huge.status_code == 206 and huge.content == DATA[100:]
    beyond = _call(server, "GET", url, {"range": f"bytes={'9' * 4400}-"})
    _problem(beyond, 416)
    assert beyond.headers["content-range"] == f"bytes */{len(DATA)}"
    # Weak comparison for If-None-Match, in a list too.
    for inm in (etag, f"W/{etag}", f'"nope", W/{etag}', "*"):
        response = _call(server, "GET", url, {"if-none-match": inm})
        assert response.status_code == 304, inm
        assert response.headers["etag"] == etag and response.content == b""
    assert _call(server, "GET", url, {"if-none-match": '"nope"'}).status_code == 200
    # If-Range needs the strong tag; a weak or stale one gets the whole segment.
    kept = _call(server, "GET", url, {"range": "bytes=0-9", "if-range": etag})
    assert kept.status_code == 206
    for stale in (f"W/{etag}", '"stale"', "Sun, 06 Nov 1994 08:49:37 GMT"):
        whole = _call(server, "GET", url, {"range": "bytes=0-9", "if-range": stale})
        assert whole.status_code == 200 and whole.content == DATA
    head = _call(server, "HEAD", url, {"range": "bytes=0-9"})
    assert head.status_code == 200 and head.headers["content-length"] == str(len(DATA))


def test_a_link_plays_only_for_the_viewer_it_was_signed_for(
    store: MemoryStore, signer: UrlSigner
) -> None:
    """The fast path recomputes the binding from the request (bearer token, else the
    session cookie): a link copied to another client is refused, even after it was
    served (and remembered as verified) for its own viewer."""
    server = _server(store, signer)
    path = _segment(store, DATA)
    for_token = signer.sign(path, BINDING)
    assert _call(server, "GET", for_token).status_code == 200
    assert len(server.verified) == 1
    other_token = {"authorization": f"Bearer tnrm_{'o' * 43}"}
    cookie = {"cookie": f"theme=dark; {SESSION_COOKIE}={'c' * 43}"}
    for headers in ({}, other_token, cookie):
        _problem(call(server, "GET", for_token, headers), 403)
        assert call(server, "HEAD", for_token, headers).status_code == 403
    # A session link: the cookie's digest, among other cookies; a bearer header wins.
    session = "s" * 43
    for_session = signer.sign(path, binding_of(session))
    with_cookie = {"cookie": f"a=1; {SESSION_COOKIE}={session}; b=2"}
    assert call(server, "GET", for_session, with_cookie).status_code == 200
    _problem(call(server, "GET", for_session, {**with_cookie, **other_token}), 403)
    _problem(_call(server, "GET", for_session), 403)
    # A link signed with no binding (an anonymous visitor's, for a public track while
    # anonymous listening is on) plays for anyone.
    anonymous = signer.sign(path)
    for headers in ({}, other_token, with_cookie):
        assert call(server, "GET", anonymous, headers).status_code == 200


def test_links_can_be_bound_to_the_client_address(store: MemoryStore, signer: UrlSigner) -> None:
    server = SegmentServer(
        Fallthrough(), store, signer, SegmentCache(1 << 20), bind_to_address=True
    )
    path = _segment(store, DATA)
    here = signer.sign(path, binding_of(TOKEN, "127.0.0.1"))  # call() comes from 127.0.0.1
    elsewhere = signer.sign(path, binding_of(TOKEN, "192.0.2.7"))
    assert _call(server, "GET", here).status_code == 200
    _problem(_call(server, "GET", elsewhere), 403)
    _problem(call(server, "GET", here), 403)  # the right address, but not the viewer
    assert call(server, "GET", signer.sign(path, binding_of(None, "127.0.0.1"))).status_code == 200
    _problem(call(server, "GET", signer.sign(path, binding_of(None, "192.0.2.7"))), 403)
