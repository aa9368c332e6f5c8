"""Jobs of any kind: the attempts rule, giving up, and handing leases back on a clean stop."""

from __future__ import annotations

import threading
import time

from sqlalchemy import select, update

from tests.fixtures.accounts import drain
from tests.fixtures.audio import MakeAudio
from tests.service.conftest import upload
from tonearm.accounts.principal import Viewer
from tonearm.container import Container
from tonearm.jobs.leases import INTERRUPTED
from tonearm.models import Job, JobState


def _job(app: Container) -> Job:
    with app.infra.uows.read() as s:
        job = s.scalar(select(Job))
        assert job is not None
        return job


def test_a_job_out_of_attempts_leaves_its_subject_failed(
    app: Container, viewer: Viewer, audio: MakeAudio
) -> None:
    """Reproduced before: the blob stayed 'processing' and playable forever."""
    accepted = upload(app, viewer, audio("tired.flac", seconds=2.0, frequency=410.0))
    job = _job(app)
    with app.infra.uows() as uow:
        uow.session.execute(
            update(Job).where(Job.id == job.id).values(attempts=app.settings.jobs.max_attempts)
        )
    drain(app)
    with app.infra.uows.read() as s:
        out = app.library.get(s, viewer, accepted.track_id)
    assert out.status == "failed" and out.error == INTERRUPTED
    assert out.playable is False and out.urls.hls is None
    assert out.progress.step == "failed"
    assert _job(app).state == JobState.FAILED


def test_a_clean_stop_hands_the_lease_back_at_once(
    app: Container, viewer: Viewer, audio: MakeAudio
) -> None:
    accepted = upload(app, viewer, audio("long.flac", seconds=240.0, source="noise"))
    runner = threading.Thread(target=lambda: app.infra.queue.run_one(timeout=5))
    runner.start()
    deadline = time.monotonic() + 60
    while _job(app).progress < 5 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _job(app).state == JobState.RUNNING
    app.jobs.shutdown()
    runner.join(timeout=30)
    assert not runner.is_alive()
    job = _job(app)
    # Handed back, not left to expire: an expired lease stays 'running' with its time.
    assert job.state == JobState.QUEUED and job.lease_until is None
    assert job.attempts == 0  # a clean stop is not a failed attempt
    assert app.infra.queue.pending() == 1  # sent again for another worker
    with app.infra.uows.read() as s:
        assert app.library.get(s, viewer, accepted.track_id).status == "processing"
