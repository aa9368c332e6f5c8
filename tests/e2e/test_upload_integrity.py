"""What the reliability and security probe found in uploads, each fixed and held here.

* two PATCHes at one offset: the loser touches no byte, the stored original is exactly
  the uploaded file and is stored under the SHA-256 of its own bytes;
* a process killed between committing the last bytes and creating the track: the upload
  is finished on the next HEAD, or at start-up;
* temp files of killed multipart uploads go at start-up, live ones stay;
* malformed numbers are 400 problems, a stalled body is cut off, what arrived is kept.
"""

from __future__ import annotations

import base64
import hashlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import ValidationError
from sqlalchemy import create_engine, update

from tests.fixtures.audio import MakeAudio
from tests.fixtures.database import fresh_database
from tests.fixtures.server import Server
from tonearm.ingest.staging import FileLock
from tonearm.models import Upload
from tonearm.settings import Settings

pytestmark = pytest.mark.e2e
TUS = {"Tus-Resumable": "1.0.0"}
PATCH = {**TUS, "Content-Type": "application/offset+octet-stream"}


def _create(server: Server, length: int, name: str = "a.flac") -> str:
    meta = "filename " + base64.b64encode(name.encode()).decode()
    r = server.http.post(
        "/api/uploads", headers={**TUS, "Upload-Length": str(length), "Upload-Metadata": meta}
    )
    assert r.status_code == 201, r.text
    return r.headers["location"]


def _raw_patch_start(server: Server, path: str, offset: int, length: int) -> socket.socket:
    """A PATCH whose headers promise ``length`` bytes; the caller sends the body."""
    sock = socket.create_connection(("127.0.0.1", server.port))
    sock.sendall(
        (
            f"PATCH {path} HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
            f"Authorization: {server.auth['Authorization']}\r\n"
            "Tus-Resumable: 1.0.0\r\nContent-Type: application/offset+octet-stream\r\n"
            f"Upload-Offset: {offset}\r\nContent-Length: {length}\r\n\r\n"
        ).encode()
    )
    return sock


def _status_of(sock: socket.socket) -> int:
    sock.settimeout(30)
    head = b""
    while b"\r\n" not in head:
        data = sock.recv(4096)
        if not data:
            break
        head += data
    return int(head.split(b" ", 2)[1])


def _offset(server: Server, path: str) -> int:
    return int(server.http.head(path, headers=TUS).headers["upload-offset"])


def test_a_racing_patch_touches_no_byte_and_the_blob_is_its_bytes(
    server: Server, audio: MakeAudio
) -> None:
    source = audio("race.flac", seconds=6.0, source="noise", frequency=611.0)
    data = source.read_bytes()
    path = _create(server, len(data), "race.flac")
    half = len(data) // 2

    # A is in the middle of its body when B arrives at the same offset.
    slow = _raw_patch_start(server, path, 0, half)
    slow.sendall(data[:1000])
    time.sleep(0.5)
    racer = server.http.patch(path, headers={**PATCH, "Upload-Offset": "0"}, content=data[:half])
    assert racer.status_code == 423, racer.text
    assert racer.headers["content-type"] == "application/problem+json"
    slow.sendall(data[1000:half])
    assert _status_of(slow) == 204
    slow.close()
    assert _offset(server, path) == half

    # A late duplicate of the same piece is refused (409) and changes nothing.
    late = server.http.patch(path, headers={**PATCH, "Upload-Offset": "0"}, content=b"\0" * half)
    assert late.status_code == 409
    done = server.http.patch(
        path, headers={**PATCH, "Upload-Offset": str(half)}, content=data[half:]
    )
    assert done.status_code == 204, done.text
    track = server.wait_ready(done.headers["tonearm-track-id"])
    stored = server.http.get(track["urls"]["original"]).content
    assert stored == data
    assert track["source"]["sha256"] == hashlib.sha256(stored).hexdigest()


def test_malformed_numbers_are_400_problems(server: Server) -> None:
    for value in (b"\xb2", b"9" * 4400, b"-1", b"+5", b"1e3"):
        r = server.http.post(
            "/api/uploads", headers=[(b"Tus-Resumable", b"1.0.0"), (b"Upload-Length", value)]
        )
        assert r.status_code == 400, (value[:10], r.status_code, r.text)
        assert r.headers["content-type"] == "application/problem+json"
    path = _create(server, 10)
    for value in (b"\xb2", b"0" * 4400):
        headers = [(k.encode(), v.encode()) for k, v in PATCH.items()]
        r = server.http.patch(path, headers=[*headers, (b"Upload-Offset", value)], content=b"x")
        assert r.status_code == 400, (value[:10], r.status_code)


def test_version_and_ids(server: Server) -> None:
    r = server.http.post("/api/uploads", headers={"Tus-Resumable": "0.2.2", "Upload-Length": "5"})
    assert r.status_code == 412
    assert r.headers["tus-version"] == "1.0.0"
    for bad in ("nothex", "../../etc/passwd", "A" * 32, "0" * 33):
        assert server.http.head(f"/api/uploads/{bad}", headers=TUS).status_code == 404
        assert server.http.get(f"/api/uploads/{bad}").status_code == 404


def test_a_stalled_body_is_cut_off_and_what_arrived_is_kept(server: Server) -> None:
    path = _create(server, 10_000)
    sock = _raw_patch_start(server, path, 0, 1000)
    sock.sendall(b"x" * 500)
    # The server is started with a 4 s idle timeout (see the fixture below).
    assert _status_of(sock) == 408
    sock.close()
    assert _offset(server, path) == 500


def test_bytes_before_an_abrupt_disconnect_are_kept(server: Server) -> None:
    path = _create(server, 10_000)
    sock = _raw_patch_start(server, path, 0, 1000)
    sock.sendall(b"y" * 500)
    time.sleep(0.5)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    sock.close()  # RST
    deadline = time.monotonic() + 10
    while _offset(server, path) != 500 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _offset(server, path) == 500


def test_an_upload_record_goes_with_its_track(server: Server, audio: MakeAudio) -> None:
    data = audio("gone.flac", seconds=2.0, frequency=923.0).read_bytes()
    path = _create(server, len(data), "gone.flac")
    r = server.http.patch(path, headers={**PATCH, "Upload-Offset": "0"}, content=data)
    track_id = r.headers["tonearm-track-id"]
    upload_id = path.rsplit("/", 1)[-1]
    assert server.http.get(f"/api/uploads/{upload_id}").json()["track_id"] == track_id
    assert server.http.delete(f"/api/tracks/{track_id}").status_code == 204
    assert server.http.get(f"/api/uploads/{upload_id}").status_code == 404


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    data = tmp_path_factory.mktemp("integrity")
    with fresh_database("sqlite", data) as url:
        srv = Server(data, url, env={"TONEARM_HTTP_BODY_IDLE_TIMEOUT_S": "4"})
        yield srv
        srv.stop()


def _crash_after_commit(server: Server, data: bytes, name: str) -> str:
    """Leave an upload as a process killed right after committing its last bytes would."""
    path = _create(server, len(data), name)
    upload_id = path.rsplit("/", 1)[-1]
    (server.data_dir / "tmp" / "uploads" / f"{upload_id}.part").write_bytes(data)
    engine = create_engine(server.database_url)
    with engine.begin() as conn:
        conn.execute(update(Upload).where(Upload.id == upload_id).values(offset=len(data)))
    engine.dispose()
    return path


def test_an_upload_stuck_by_a_crash_is_finished(tmp_path: Path, audio: MakeAudio) -> None:
    one = audio("stuck1.flac", seconds=2.0, frequency=311.0).read_bytes()
    two = audio("stuck2.flac", seconds=2.0, frequency=322.0).read_bytes()
    with fresh_database("sqlite", tmp_path) as url:
        srv = Server(tmp_path / "data", url, workers=0)
        try:
            first = _crash_after_commit(srv, one, "stuck1.flac")
            second = _crash_after_commit(srv, two, "stuck2.flac")
            # On the next HEAD ...
            head = srv.http.head(first, headers=TUS)
            assert head.status_code == 200
            assert head.headers.get("tonearm-track-id")
            # ... a killed multipart upload's temp file, and a live one ...
            uploads = srv.data_dir / "tmp" / "uploads"
            orphan = uploads / "0123456789abcdef01234567.part"
            orphan.write_bytes(b"partial")
            live = uploads / "fedcba9876543210fedcba98.part"
            live.write_bytes(b"being written")
            held = FileLock(live)
            held.acquire()
        finally:
            srv.stop()
        # ... and at start-up, without any request.
        srv = Server(tmp_path / "data", url, workers=0)
        try:
            upload_id = second.rsplit("/", 1)[-1]
            deadline = time.monotonic() + 20
            state: dict[str, object] = {}
            while time.monotonic() < deadline:
                state = srv.http.get(f"/api/uploads/{upload_id}").json()
                if state.get("track_id") and not orphan.exists():
                    break
                time.sleep(0.2)
            assert state.get("track_id"), state
            assert not orphan.exists()
            assert live.exists()
            names = {t["filename"] for t in srv.http.get("/api/tracks").json()["items"]}
            assert names == {"stuck1.flac", "stuck2.flac"}
        finally:
            held.release()
            srv.stop()


def test_one_secret_key_for_processes_starting_at_once(tmp_path: Path) -> None:
    """Four processes on a fresh data directory, 30 times: one key, never short."""
    script = (
        "import sys; from pathlib import Path; from tonearm.settings import Settings;"
        "print(Settings(data_dir=Path(sys.argv[1])).resolved_secret_key().decode())"
    )
    for trial in range(30):
        data = tmp_path / f"d{trial}"
        procs = [
            subprocess.Popen([sys.executable, "-c", script, str(data)], stdout=subprocess.PIPE)
            for _ in range(4)
        ]
        keys = {p.communicate(timeout=60)[0].strip() for p in procs}
        assert len(keys) == 1, keys
        key = keys.pop()
        assert len(key) == 64
        assert oct((data / "secret.key").stat().st_mode & 0o777) == "0o600"


def test_a_short_secret_key_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="at least 32 bytes"):
        Settings(data_dir=tmp_path, secret_key="short")
    env = {**os.environ, "TONEARM_SECRET_KEY": "x" * 10, "TONEARM_DATA_DIR": str(tmp_path)}
    tonearm = str(Path(sys.executable).parent / "tonearm")
    done = subprocess.run(
        [tonearm, "db", "upgrade"], check=False, env=env, capture_output=True, text=True
    )
    assert done.returncode == 2
    assert "at least 32 bytes" in done.stderr
    assert "Traceback" not in done.stderr



def test_a_quote_in_a_form_filename_stays_a_quote(server: Server, audio: MakeAudio) -> None:
    """Forms send '"' as %22; the track keeps the name the person gave it."""
    source = audio("quoted.flac", seconds=2.0, frequency=1234.0)
    with source.open("rb") as fh:
        r = server.http.post("/api/tracks", files={"file": ('Say "Hi".flac', fh)})
    assert r.status_code == 201, r.text
    assert r.json()["filename"] == 'Say "Hi".flac'
