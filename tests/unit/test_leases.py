"""Leases and fencing on SQLite and PostgreSQL, built by the real migrations."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session, sessionmaker

from tonearm.db import migrate
from tonearm.db.engine import make_engine, make_session_factory
from tonearm.jobs.leases import Claim, GaveUp, JobLeases, LostLease
from tonearm.models import Blob, Job, JobState
from tonearm.types import JobId


@pytest.fixture
def sessions(database_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(database_url)
    migrate.upgrade(engine)
    yield make_session_factory(engine)
    engine.dispose()


def _job(sessions: sessionmaker[Session]) -> int:
    with sessions.begin() as s:
        s.add(
            Blob(
                hash="b" * 64,
                size=1,
                refcount=1,
                format_name="flac",
                codec="flac",
                sample_rate=44100,
                channels=2,
                duration=1.0,
                tags={},
                artwork_sizes=[],
            )
        )
        s.flush()
        return JobLeases(s).schedule("blobs.process", "b" * 64).id


def test_claim_fences_every_later_write(sessions: sessionmaker[Session]) -> None:
    job_id = JobId(_job(sessions))
    with sessions.begin() as s:
        first = JobLeases(s).claim(job_id, lease_s=0.2, worker="w1", max_attempts=3)
    assert isinstance(first, Claim) and first.token == 1
    with sessions.begin() as s:
        assert JobLeases(s).claim(job_id, lease_s=10, worker="w2", max_attempts=3) is None
    time.sleep(0.3)
    with sessions.begin() as s:
        second = JobLeases(s).claim(job_id, lease_s=10, worker="w2", max_attempts=3)
    assert isinstance(second, Claim) and second.token == 2 and second.attempt == 2
    with pytest.raises(LostLease), sessions.begin() as s:
        JobLeases(s).heartbeat(first, lease_s=10, progress=50)
    with pytest.raises(LostLease), sessions.begin() as s:
        JobLeases(s).finish(first)
    with sessions.begin() as s:
        JobLeases(s).heartbeat(second, lease_s=10, progress=40, step="encoding")
        JobLeases(s).finish(second)
    with sessions.begin() as s:
        job = s.get(Job, job_id)
        assert job is not None and job.state == JobState.DONE and job.token == 2


def test_reaper_resends_expired_and_forgotten_jobs_once(sessions: sessionmaker[Session]) -> None:
    job_id = JobId(_job(sessions))
    with sessions.begin() as s:
        assert JobLeases(s).reap(stale_after_s=3600) == []
        assert JobLeases(s).reap(stale_after_s=0) == [job_id]
    with sessions.begin() as s:
        assert JobLeases(s).reap(stale_after_s=3600) == []  # just re-sent
        JobLeases(s).claim(job_id, lease_s=0.1, worker="w", max_attempts=3)
    time.sleep(0.2)
    with sessions.begin() as s:
        assert JobLeases(s).reap(stale_after_s=0) == [job_id]


def test_attempts_are_bounded(sessions: sessionmaker[Session]) -> None:
    job_id = JobId(_job(sessions))
    for _ in range(2):
        with sessions.begin() as s:
            assert JobLeases(s).claim(job_id, lease_s=0.0, worker="w", max_attempts=2)
    with sessions.begin() as s:
        gave_up = JobLeases(s).claim(job_id, lease_s=0.0, worker="w", max_attempts=2)
    assert isinstance(gave_up, GaveUp) and gave_up.subject == "b" * 64
    with sessions.begin() as s:
        job = s.get(Job, job_id)
        assert job is not None and job.state == JobState.FAILED and job.error
        # Finished jobs are not claimed again.
        assert JobLeases(s).claim(job_id, lease_s=0.0, worker="w", max_attempts=2) is None
