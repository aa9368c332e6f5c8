"""Stored files answered per RFC 9110, over every store (local files, memory, S3)."""

from __future__ import annotations

import os
from email.utils import formatdate
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from starlette.requests import Request

from tests.fixtures.asgi import call, sent
from tonearm.errors import NotFound
from tonearm.storage import BlobStore, LocalStore, MemoryStore
from tonearm.streaming.file_response import (
    CHUNK,
    RangedFileResponse,
    StoredObject,
    content_disposition,
)

KEY = "originals/ab/abcdef.flac"
DATA = os.urandom(3 * CHUNK + 123)
ETAG = '"abcdef"'
MTIME = 1_700_000_000


@pytest.fixture(params=["file", "memory", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> BlobStore:
    """Every backend: local files (open and seek), memory and S3 (read_range)."""
    if request.param == "s3":
        store: BlobStore = request.getfixturevalue("s3_store")
    elif request.param == "file":
        store = LocalStore(tmp_path / "blobs")
    else:
        store = MemoryStore()
    store.put_bytes(KEY, DATA)
    path = store.local_path(KEY)
    if path is not None:
        os.utime(path, (MTIME, MTIME))
    return store


def _app(store: BlobStore, name: str | None = "Song.flac") -> Any:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        request = Request(scope)
        source = StoredObject(store, KEY)
        response = RangedFileResponse(
            source,
            method=request.method,
            request_headers=request.headers,
            media_type="audio/flac",
            etag=ETAG,
            cache_control="public, max-age=60",
            download_name=name,
        )
        await response(scope, receive, send)

    return app


def _problem(response: Any, status: int) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == status


def test_whole_file_and_head(store: BlobStore) -> None:
    app = _app(store)
    full = call(app, "GET", "/")
    assert full.status_code == 200 and full.content == DATA
    assert full.headers["etag"] == ETAG
    assert full.headers["accept-ranges"] == "bytes"
    assert full.headers["content-type"] == "audio/flac"
    head = call(app, "HEAD", "/")
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-length"] == str(len(DATA))


@pytest.mark.parametrize(
    "header",
    [
        "bytes=5-2",
        "items=0-5",
        "bytes=abc",
        "bytes",
        "bytes=",
        "bytes=-",
        "bytes=0-5,10-20",
        "bytes=\xb2-3",
        "bytes=1-\xb2",
        "=0-5",
        "bytes=+1-5",
    ],
)
def test_invalid_or_unknown_ranges_get_the_whole_file(store: BlobStore, header: str) -> None:
    response = call(_app(store), "GET", "/", {"range": header})
    assert response.status_code == 200, response.text
    assert response.content == DATA
    assert "content-range" not in response.headers


def test_single_ranges_are_byte_exact(store: BlobStore) -> None:
    app = _app(store)
    size = len(DATA)
    for header, start, end in [
        ("bytes=0-0", 0, 0),
        ("bytes=100-4195", 100, 4195),
        (f"bytes={size - 10}-", size - 10, size - 1),
        (f"bytes=1000-{size + 500}", 1000, size - 1),
        ("bytes=-500", size - 500, size - 1),
        (f"bytes=-{size * 2}", 0, size - 1),
        ("BYTES = 7-8", 7, 8),
        (f"bytes=5-{'9' * 4400}", 5, size - 1),
    ]:
        response = call(app, "GET", "/", {"range": header})
        assert response.status_code == 206, header
        assert response.headers["content-range"] == f"bytes {start}-{end}/{size}"
        assert response.content == DATA[start : end + 1]
    # HEAD ignores Range (RFC 9110 14.2: range handling is defined for GET only).
    head = call(app, "HEAD", "/", {"range": "bytes=0-9"})
    assert head.status_code == 200 and head.headers["content-length"] == str(size)


def test_unsatisfiable_range_is_a_problem(store: BlobStore) -> None:
    size = len(DATA)
    for header in (f"bytes={size}-", f"bytes={'9' * 4400}-", "bytes=-0"):
        response = call(_app(store), "GET", "/", {"range": header})
        _problem(response, 416)
        assert response.headers["content-range"] == f"bytes */{size}"


def test_validators(store: BlobStore) -> None:
    app = _app(store)
    for inm in (ETAG, f"W/{ETAG}", f'"other", W/{ETAG}', "*"):
        response = call(app, "GET", "/", {"if-none-match": inm})
        assert response.status_code == 304, inm
        assert response.content == b"" and response.headers["etag"] == ETAG
        assert "content-type" not in response.headers
    assert call(app, "GET", "/", {"if-none-match": '"other"'}).status_code == 200
    kept = call(app, "GET", "/", {"range": "bytes=0-9", "if-range": ETAG})
    assert kept.status_code == 206 and kept.content == DATA[:10]
    for stale in (f"W/{ETAG}", '"stale"', "not a date"):
        whole = call(app, "GET", "/", {"range": "bytes=0-9", "if-range": stale})
        assert whole.status_code == 200 and whole.content == DATA


def test_last_modified_where_the_store_knows_it(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "blobs")
    store.put_bytes(KEY, DATA)
    os.utime(store.local_path(KEY) or "", (MTIME, MTIME))
    app = _app(store)
    stored = formatdate(MTIME, usegmt=True)
    assert call(app, "GET", "/").headers["last-modified"] == stored
    for since in (stored, formatdate(MTIME + 60, usegmt=True), "Tuesday, 14-Nov-23 22:13:20 GMT"):
        response = call(app, "GET", "/", {"if-modified-since": since})
        assert response.status_code == 304, since
        assert response.headers["last-modified"] == stored
    for since in (formatdate(MTIME - 1, usegmt=True), "yesterday", "9" * 4400):
        assert call(app, "GET", "/", {"if-modified-since": since}).status_code == 200
    # If-None-Match wins over If-Modified-Since (RFC 9110 13.2.2).
    both = call(app, "GET", "/", {"if-none-match": '"other"', "if-modified-since": stored})
    assert both.status_code == 200
    # If-Range with the exact date keeps the range; another date does not.
    kept = call(app, "GET", "/", {"range": "bytes=0-9", "if-range": stored})
    assert kept.status_code == 206
    other = formatdate(MTIME - 1, usegmt=True)
    assert call(app, "GET", "/", {"range": "bytes=0-9", "if-range": other}).status_code == 200


def test_the_body_streams_in_chunks(store: BlobStore) -> None:
    messages = sent(_app(store), "GET", "/")
    bodies = [m["body"] for m in messages if m["type"] == "http.response.body"]
    assert b"".join(bodies) == DATA
    assert len(bodies) >= 4 and max(len(b) for b in bodies) <= CHUNK
    ranged = sent(_app(store), "GET", "/", {"range": f"bytes=10-{CHUNK * 2}"})
    assert b"".join(m.get("body", b"") for m in ranged[1:]) == DATA[10 : CHUNK * 2 + 1]


def test_a_missing_object_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(NotFound):
        StoredObject(LocalStore(tmp_path), "originals/no/such.flac")
    with pytest.raises(NotFound):
        StoredObject(MemoryStore(), "originals/no/such.flac")


@pytest.mark.parametrize(
    "name",
    ['My "Best" Song.flac', "Björk – Jóga.flac", "back\\slash.mp3", "new\r\nline.mp3", "a;b=c.mp3"],
)
def test_content_disposition_carries_any_file_name(store: BlobStore, name: str) -> None:
    """RFC 6266: a quoted ASCII fallback, and the exact name in filename* (RFC 8187)."""
    header = call(_app(store, name), "GET", "/").headers["content-disposition"]
    assert header.startswith('inline; filename="')
    assert "%22" not in header.split("filename*=")[0]
    fallback, star = header.removeprefix('inline; filename="').split("\"; filename*=UTF-8''")
    assert unquote(star) == name
    assert all(32 <= ord(c) < 127 for c in fallback)
    # The fallback is a valid quoted-string: every quote and backslash escaped.
    unescaped = fallback.replace("\\\\", "").replace('\\"', "")
    assert '"' not in unescaped and "\\" not in unescaped
    assert content_disposition("inline", name) == header
