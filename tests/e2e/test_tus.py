"""Resumable upload with the real tuspy client, plus the protocol's failure paths."""

from __future__ import annotations

import base64
import hashlib
import socket
import time
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from tusclient import client as tus_client

from tests.fixtures.accounts import build_container, member_viewer
from tests.fixtures.audio import MakeAudio
from tests.fixtures.server import Server
from tonearm.ingest.staging import FileLock
from tonearm.models import Upload, utcnow

pytestmark = pytest.mark.e2e
TUS = {"Tus-Resumable": "1.0.0"}


def _upload_id(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1]


def _track_of(server: Server, upload_url: str) -> str:
    state = server.http.get(f"/api/uploads/{_upload_id(upload_url)}").json()
    assert state["track_id"], state
    return str(state["track_id"])


def test_tuspy_uploads_with_checksums(server: Server, audio: MakeAudio) -> None:
    source = audio("tus.flac", seconds=12.0, source="noise")
    tus = tus_client.TusClient(f"{server.url}/api/uploads", headers=server.auth)
    uploader = tus.uploader(
        str(source), chunk_size=64 * 1024, upload_checksum=True, metadata={"filename": "tus.flac"}
    )
    uploader.upload()
    track = server.wait_ready(_track_of(server, uploader.url))
    assert track["filename"] == "tus.flac"
    assert track["source"]["sha256"] == hashlib.sha256(source.read_bytes()).hexdigest()
    assert server.http.get(track["urls"]["original"]).content == source.read_bytes()


def test_interrupted_upload_is_finished_by_a_new_client(server: Server, audio: MakeAudio) -> None:
    source = audio("resume.flac", seconds=12.0, source="noise", frequency=300.0)
    data = source.read_bytes()
    first = tus_client.TusClient(f"{server.url}/api/uploads", headers=server.auth).uploader(
        str(source), chunk_size=32 * 1024, metadata={"filename": "resume.flac"}
    )
    first.upload(stop_at=96 * 1024)
    url = first.url
    assert server.http.head(url, headers=TUS).headers["upload-offset"] == str(96 * 1024)

    # A connection that drops half-way through a PATCH: what arrived counts.
    offset = 96 * 1024
    chunk = data[offset : offset + 64 * 1024]
    host, port = server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port))) as sock:
        sock.sendall(
            (
                f"PATCH {httpx.URL(url).path} HTTP/1.1\r\nHost: {host}\r\n"
                f"Authorization: {server.auth['Authorization']}\r\n"
                "Tus-Resumable: 1.0.0\r\nContent-Type: application/offset+octet-stream\r\n"
                f"Upload-Offset: {offset}\r\nContent-Length: {len(chunk)}\r\n\r\n"
            ).encode()
            + chunk[: 20 * 1024]
        )
        sock.shutdown(socket.SHUT_WR)
        sock.recv(1024)
    # The connection may close before the server has committed what arrived; it is
    # done when it lets go of the upload's lock.
    staged = server.data_dir / "tmp" / "uploads" / f"{_upload_id(url)}.part"
    deadline = time.monotonic() + 30
    while FileLock.is_held(staged) and time.monotonic() < deadline:
        time.sleep(0.05)
    resumed_at = int(server.http.head(url, headers=TUS).headers["upload-offset"])
    assert offset <= resumed_at <= offset + 20 * 1024

    second = tus_client.TusClient(f"{server.url}/api/uploads", headers=server.auth).uploader(
        str(source), url=url, chunk_size=32 * 1024
    )
    assert second.offset == resumed_at  # it asked the server, not its own memory
    second.upload()
    track = server.wait_ready(_track_of(server, url))
    assert server.http.get(track["urls"]["original"]).content == data


def test_wrong_offset_bad_checksum_and_termination(server: Server) -> None:
    created = server.http.post(
        "/api/uploads",
        headers={
            **TUS,
            "Upload-Length": "1000",
            "Upload-Metadata": "filename " + base64.b64encode(b"x.mp3").decode(),
        },
    )
    assert created.status_code == 201
    url = created.headers["location"]
    patch = {**TUS, "Content-Type": "application/offset+octet-stream"}

    wrong = server.http.patch(url, content=b"a" * 10, headers={**patch, "Upload-Offset": "5"})
    assert wrong.status_code == 409
    assert wrong.headers["content-type"] == "application/problem+json"
    assert "offset" in wrong.json()["detail"].lower()

    good_sum = base64.b64encode(hashlib.sha1(b"a" * 10).digest()).decode()
    bad = server.http.patch(
        url,
        content=b"b" * 10,
        headers={**patch, "Upload-Offset": "0", "Upload-Checksum": f"sha1 {good_sum}"},
    )
    assert bad.status_code == 460
    assert server.http.head(url, headers=TUS).headers["upload-offset"] == "0"
    ok = server.http.patch(
        url,
        content=b"a" * 10,
        headers={**patch, "Upload-Offset": "0", "Upload-Checksum": f"sha1 {good_sum}"},
    )
    assert ok.status_code == 204 and ok.headers["upload-offset"] == "10"

    assert (
        server.http.patch(
            url, content=b"a", headers={**patch, "Upload-Offset": "10", "Tus-Resumable": "0.2.2"}
        ).status_code
        == 412
    )
    assert (
        server.http.patch(
            url, content=b"a", headers={**TUS, "Upload-Offset": "10", "Content-Type": "text/plain"}
        ).status_code
        == 415
    )
    too_far = server.http.patch(url, content=b"a" * 2000, headers={**patch, "Upload-Offset": "10"})
    assert too_far.status_code == 409
    assert server.http.head(url, headers=TUS).headers["upload-offset"] == "10"

    assert server.http.delete(url, headers=TUS).status_code == 204
    assert server.http.head(url, headers=TUS).status_code == 404
    leftovers = list((server.data_dir / "tmp" / "uploads").glob(f"{_upload_id(url)}*"))
    assert leftovers == []


def test_options_and_size_limit(server: Server) -> None:
    options = server.http.options("/api/uploads")
    assert options.status_code == 204
    assert "checksum" in options.headers["tus-extension"]
    assert "sha1" in options.headers["tus-checksum-algorithm"]
    limit = int(options.headers["tus-max-size"])
    too_big = server.http.post("/api/uploads", headers={**TUS, "Upload-Length": str(limit + 1)})
    assert too_big.status_code == 413
    assert too_big.json()["status"] == 413


def test_abandoned_uploads_expire(tmp_path: Path, database_url: str) -> None:
    c = build_container(tmp_path, database_url)
    owner = member_viewer(c, "owner")
    assert owner.user_id is not None
    with c.infra.uows() as uow:
        upload = c.ingest.uploads.create(uow, owner.user_id, 100, {"filename": "a.flac"})
    path = c.ingest.staging.path_for(upload.id)
    assert path.exists()
    with c.infra.uows() as uow:
        row = uow.session.get(Upload, upload.id)
        assert row is not None
        row.expires_at = utcnow() - timedelta(seconds=1)
    assert c.ingest.expire() == 1
    assert not path.exists()
    with c.infra.uows.read() as session:
        assert session.get(Upload, upload.id) is None
    c.close()


def test_a_failure_while_finishing_leaves_nothing_behind(server: Server, audio: MakeAudio) -> None:
    """The store fails (a file sits where its directory must go): the last PATCH gets a
    500 problem, and no upload row, temp file, blob row or stored file remains."""
    source = audio("blocked.flac", seconds=3.0, frequency=777.0)
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    shard = server.data_dir / "blobs" / "originals" / digest[:2]
    if shard.exists():
        pytest.skip("another stored blob shares this shard")
    shard.parent.mkdir(parents=True, exist_ok=True)
    shard.write_bytes(b"in the way")
    try:
        uploader = tus_client.TusClient(f"{server.url}/api/uploads", headers=server.auth).uploader(
            str(source), chunk_size=1 << 20, metadata={"filename": "blocked.flac"}, retries=0
        )
        with pytest.raises(Exception, match="500"):
            uploader.upload()
        upload_id = _upload_id(uploader.url)
        assert server.http.get(f"/api/uploads/{upload_id}").status_code == 404
        assert list((server.data_dir / "tmp" / "uploads").glob(f"{upload_id}*")) == []
        sha_listing = [
            t["source"]["sha256"]
            for t in server.http.get("/api/tracks", params={"limit": 500}).json()["items"]
        ]
        assert digest not in sha_listing
        assert not list((server.data_dir / "blobs").rglob(f"{digest}*"))
    finally:
        shard.unlink()
    # Once the store works again the same file goes through.
    again = tus_client.TusClient(f"{server.url}/api/uploads", headers=server.auth).uploader(
        str(source), chunk_size=1 << 20, metadata={"filename": "blocked.flac"}
    )
    again.upload()
    assert server.wait_ready(_track_of(server, again.url))["source"]["sha256"] == digest
