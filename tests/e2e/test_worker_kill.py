"""A worker killed with SIGKILL mid-transcode: the job is re-run and ends ready, cleanly."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select

from tests.fixtures.audio import MakeAudio, decoded_duration, ffprobe_duration
from tests.fixtures.database import BACKENDS, fresh_database
from tests.fixtures.server import Server
from tonearm.models import Job, Rendition, Segment

pytestmark = pytest.mark.e2e


@pytest.fixture(params=BACKENDS)
def api_only(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    data = tmp_path_factory.mktemp("kill")
    with fresh_database(request.param, data) as url:
        srv = Server(data, url, workers=0, env={"TONEARM_JOBS_LEASE_S": "3"})
        yield srv
        srv.stop()


def _ffmpeg_children(pid: int) -> list[int]:
    out = subprocess.run(
        ["pgrep", "-P", str(pid)], capture_output=True, text=True, check=False
    ).stdout
    return [int(p) for p in out.split()]


def test_killed_worker_leaves_work_that_is_rerun(api_only: Server, audio: MakeAudio) -> None:
    server = api_only
    source = audio("long.flac", seconds=150.0, source="noise")
    track_id = server.upload(source).json()["id"]
    worker = server.worker(TONEARM_JOBS_LEASE_S="3")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        track = server.track(track_id)
        if track["progress"]["step"] == "encoding" and track["progress"]["percent"] > 10:
            break
        time.sleep(0.1)
    else:
        pytest.fail(f"worker never got going: {track}\n{worker.output()}")
    assert track["status"] == "processing"
    children = _ffmpeg_children(worker.proc.pid)
    worker.kill()
    # ffmpeg must not outlive its worker and keep writing.
    time.sleep(0.5)
    for child in children:
        assert not _alive(child), f"ffmpeg {child} outlived its killed worker"

    replacement = server.worker(TONEARM_JOBS_LEASE_S="3")
    try:
        track = server.wait_ready(track_id, timeout=180)
    finally:
        replacement.stop()
    assert track["progress"]["attempt"] == 2
    played = decoded_duration(
        server.url + track["urls"]["hls"], extra_input_args=server.ffmpeg_auth()
    )
    assert abs(played - ffprobe_duration(str(source))) < 0.1

    # Exactly the files the database names: no duplicates, no orphans.
    blob_hash = track["source"]["sha256"]
    engine = create_engine(server.database_url)
    with engine.connect() as conn:
        job = conn.execute(select(Job.attempts, Job.token, Job.state)).one()
        named = set()
        for r in conn.execute(select(Rendition.id, Rendition.name, Rendition.init_hash)):
            named.add(f"{r.name}/{r.init_hash}.mp4")
            for s in conn.execute(select(Segment.hash).where(Segment.rendition_id == r.id)):
                named.add(f"{r.name}/{s.hash}.m4s")
    engine.dispose()
    assert (job.attempts, job.token, job.state) == (2, 2, "done")
    hls = server.data_dir / "blobs" / "hls" / blob_hash
    on_disk = {p.relative_to(hls).as_posix() for p in hls.rglob("*") if p.is_file()}
    assert on_disk == named
    assert [p for p in (server.data_dir / "tmp" / "work").rglob("*") if p.is_file()] == []


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except FileNotFoundError:
        return False


def test_undecodable_audio_fails_with_a_reason_and_the_worker_goes_on(
    api_only: Server, audio: MakeAudio
) -> None:
    """Bytes that pass the upload checks but cannot be decoded (here: the stored original
    damaged behind our back) end as ``failed`` with a reason, and the next job runs."""
    server = api_only
    bad_id = server.upload(audio("bad.flac", seconds=5.0, source="noise")).json()["id"]
    blob_hash = server.track(bad_id)["source"]["sha256"]
    original = next((server.data_dir / "blobs" / "originals").rglob(f"{blob_hash}.*"))
    data = bytearray(original.read_bytes())
    data[200:] = bytes(len(data) - 200)  # keep the header, zero every audio frame
    original.write_bytes(bytes(data))
    good_id = server.upload(audio("good.flac", seconds=4.0, frequency=550.0)).json()["id"]

    worker = server.worker()
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and server.track(bad_id)["status"] != "failed":
            time.sleep(0.2)
        failed = server.track(bad_id)
        assert failed["status"] == "failed", failed
        assert failed["error"]
        assert failed["urls"]["hls"] is None
        assert server.wait_ready(good_id)["status"] == "ready"
    finally:
        worker.stop()
    hls = server.data_dir / "blobs" / "hls" / blob_hash
    assert not hls.exists() or not any(p.is_file() for p in hls.rglob("*"))


def test_a_stopped_worker_hands_its_job_back_at_once(api_only: Server, audio: MakeAudio) -> None:
    """SIGTERM: the lease is handed back (not left to expire), the attempt is not counted,
    and another worker takes the job straight away."""
    server = api_only
    source = audio("handback.flac", seconds=150.0, source="noise", frequency=333.0)
    track_id = server.upload(source).json()["id"]
    # A long lease: only a hand-back, not expiry, can free the job within the test.
    worker = server.worker(TONEARM_JOBS_LEASE_S="120")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        track = server.track(track_id)
        if track["progress"]["step"] == "encoding" and track["progress"]["percent"] > 5:
            break
        time.sleep(0.1)
    else:
        pytest.fail(f"worker never got going: {track}\n{worker.output()}")
    worker.stop()  # SIGTERM, then wait
    engine = create_engine(server.database_url)
    with engine.connect() as conn:
        job = conn.execute(select(Job.state, Job.attempts, Job.lease_until)).one()
    engine.dispose()
    assert (job.state, job.attempts, job.lease_until) == ("queued", 0, None)
    assert "handed back" in worker.output()
    replacement = server.worker(TONEARM_JOBS_LEASE_S="120")
    try:
        track = server.wait_ready(track_id, timeout=180)
    finally:
        replacement.stop()
    assert track["progress"]["attempt"] == 1
