"""Every kind of bad input gets a clear problem response and leaves nothing behind."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, func, select

from tests.fixtures.audio import MakeAudio, image_bytes
from tests.fixtures.server import Server
from tonearm.models import Blob, Job, Track, Upload

pytestmark = pytest.mark.e2e


def _problem(response: Any, status: int, *words: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["status"] == status and body["title"] and body["detail"]
    for word in words:
        assert word in body["detail"].lower(), body
    return body


def _assert_nothing_left(server: Server) -> None:
    engine = create_engine(server.database_url)
    with engine.connect() as conn:
        for model in (Blob, Track, Job, Upload):
            assert conn.scalar(select(func.count()).select_from(model)) == 0, model
    engine.dispose()
    leftovers = [p for p in (server.data_dir / "tmp").rglob("*") if p.is_file()]
    assert leftovers == []
    blobs = [p for p in (server.data_dir / "blobs").rglob("*") if p.is_file()]
    assert blobs == []


@pytest.fixture
def clean(server: Server) -> Server:
    for track in server.http.get("/api/tracks", params={"limit": 500}).json()["items"]:
        server.http.delete(f"/api/tracks/{track['id']}")
    return server


def test_empty_file(clean: Server, tmp_path: Path) -> None:
    empty = tmp_path / "empty.mp3"
    empty.write_bytes(b"")
    _problem(clean.upload(empty), 422, "empty")
    _assert_nothing_left(clean)


def test_non_audio_named_mp3(clean: Server, tmp_path: Path) -> None:
    fake = tmp_path / "song.mp3"
    fake.write_bytes(image_bytes((64, 64)))
    _problem(clean.upload(fake), 415, "not audio")
    text = tmp_path / "notes.flac"
    text.write_text("just some words\n" * 100)
    _problem(clean.upload(text), 415, "not audio")
    _assert_nothing_left(clean)


def test_truncated_flac(clean: Server, audio: MakeAudio, tmp_path: Path) -> None:
    whole = audio("whole.flac", seconds=20.0, source="noise").read_bytes()
    cut = tmp_path / "cut.flac"
    cut.write_bytes(whole[: len(whole) // 2])
    _problem(clean.upload(cut), 422, "truncated")
    _assert_nothing_left(clean)


def test_too_short(clean: Server, audio: MakeAudio) -> None:
    _problem(clean.upload(audio("blip.wav", seconds=0.2)), 422, "0.2")
    _assert_nothing_left(clean)


def test_too_large_is_refused_before_reading_it_all(clean: Server) -> None:
    """Content-Length over the limit: 413 from the headers alone, the body never sent."""
    declared = 200 * 1024 * 1024 + 10 * 1024 * 1024
    with socket.create_connection(("127.0.0.1", clean.port), timeout=10) as sock:
        sock.sendall(
            (
                "POST /api/tracks HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                f"Authorization: {clean.auth['Authorization']}\r\n"
                "Content-Type: multipart/form-data; boundary=x\r\n"
                f"Content-Length: {declared}\r\n\r\n"
            ).encode()
            + b"--x\r\n"
        )
        raw = b""
        while b"\r\n\r\n" not in raw or not raw.rstrip().endswith(b"}"):
            chunk = sock.recv(65536)
            if not chunk:
                break
            raw += chunk
    head, _, payload = raw.decode("latin-1").partition("\r\n\r\n")
    assert head.split()[1] == "413", head
    body = json.loads(payload)
    assert body["status"] == 413 and "limit" in body["detail"]
    _assert_nothing_left(clean)


def test_path_traversal_names_are_harmless(clean: Server, audio: MakeAudio) -> None:
    source = audio("ok.flac", seconds=3.0)
    response = clean.upload(source, name="../../../../etc/passwd.flac")
    assert response.status_code == 201
    assert response.json()["filename"] == "passwd.flac"
    clean.wait_ready(response.json()["id"])
    assert not Path("/etc/passwd.flac").exists()
    stored = [p for p in (clean.data_dir / "blobs").rglob("*") if p.is_file()]
    assert all(clean.data_dir / "blobs" in p.parents for p in stored)
    assert not any("passwd" in str(p) for p in stored)


def test_broken_artwork_and_invalid_utf8_tags_are_not_fatal(
    clean: Server, audio: MakeAudio, tmp_path: Path
) -> None:
    from mutagen.id3 import APIC, ID3, TIT2, TPE1

    path = audio("tags.mp3", seconds=4.0)
    tags = ID3(str(path))
    tags.add(APIC(encoding=3, mime="image/jpeg", type=3, desc="cover", data=b"\xff\xd8garbage"))
    tags.add(TPE1(encoding=0, text="BjÃ¶rk"))  # UTF-8 bytes read as Latin-1: mojibake
    tags.add(TIT2(encoding=3, text="Hyperballad"))
    tags.save(str(path))
    track = clean.wait_ready(clean.upload(path).json()["id"])
    assert track["artist"] == "Björk"
    assert track["title"] == "Hyperballad"
    assert track["urls"]["artwork"] == {}

    flac = audio("raw.flac", seconds=4.0)
    from mutagen.flac import FLAC

    tagged = FLAC(str(flac))
    tagged.tags.vendor = "test"  # type: ignore[union-attr]
    tagged["TITLE"] = "ok"
    tagged.save()
    raw = flac.read_bytes().replace(b"TITLE=ok", b"TITLE=\xff\xfe")
    broken = tmp_path / "badutf8.flac"
    broken.write_bytes(raw)
    track = clean.wait_ready(clean.upload(broken).json()["id"])
    assert track["status"] == "ready"


def test_worker_keeps_running_after_bad_input(clean: Server, audio: MakeAudio) -> None:
    response = clean.upload(audio("after.flac", seconds=3.0, frequency=660.0))
    assert clean.wait_ready(response.json()["id"])["status"] == "ready"


def test_unknown_routes_and_ids_are_problems(clean: Server) -> None:
    _problem(clean.http.get("/api/tracks/doesnotexist"), 404, "no such track")
    _problem(clean.http.get("/api/tracks/doesnotexist/hls/master.m3u8"), 404)
    _problem(clean.http.get("/api/tracks", params={"limit": 0}), 422)
    _problem(
        clean.http.post("/api/tracks", content=b"x", headers={"content-type": "text/plain"}), 400
    )


def test_limits_on_duration_and_streamed_size(tmp_path: Path, audio: MakeAudio) -> None:
    server = Server(
        tmp_path / "limited",
        f"sqlite:///{tmp_path / 'limited.db'}",
        env={
            "TONEARM_MEDIA_MAX_DURATION_S": "5",
            "TONEARM_UPLOADS_MAX_MULTIPART_BYTES": str(1024 * 1024),
        },
    )
    try:
        _problem(server.upload(audio("long.flac", seconds=8.0)), 422, "too long")

        def chunks() -> Any:
            yield b'--b\r\nContent-Disposition: form-data; name="file"; filename="x.wav"\r\n\r\n'
            for _ in range(40):
                yield b"\0" * 64 * 1024
            yield b"\r\n--b--\r\n"

        # No Content-Length (chunked): refused while streaming, once past the limit.
        response = server.http.post(
            "/api/tracks",
            content=chunks(),
            headers={"content-type": "multipart/form-data; boundary=b"},
        )
        _problem(response, 413, "limit")
        _assert_nothing_left(server)
    finally:
        server.stop()
