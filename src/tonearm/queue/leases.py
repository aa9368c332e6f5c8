"""Leases and fencing tokens on the ``jobs`` table.

Claiming a job bumps its token; every later write by that attempt is conditional on
the token, so an attempt that lost its lease (killed, stalled, partitioned) can no
longer change anything. The reaper finds queued jobs nobody picked up and running
jobs whose lease expired, and hands them back to the queue.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from tonearm.models import Job, JobState, utcnow
from tonearm.types import FencingToken, JobId


@dataclass(frozen=True)
class Claim:
    job_id: JobId
    blob_hash: str
    kind: str
    token: FencingToken
    attempt: int


class LostLease(Exception):
    """This attempt's token is no longer current: stop and publish nothing."""


class JobLeases:
    def __init__(self, session: Session) -> None:
        self.session = session

    def create(self, blob_hash: str, kind: str) -> Job:
        job = Job(blob_hash=blob_hash, kind=kind, state=JobState.QUEUED)
        self.session.add(job)
        self.session.flush()
        return job

    def blob_of(self, job_id: JobId) -> str | None:
        """The blob a job works on, read without locking (to lock the blob first)."""
        return self.session.scalar(select(Job.blob_hash).where(Job.id == job_id))

    def get_for_blob(self, blob_hash: str, kind: str) -> Job | None:
        return self.session.scalar(
            select(Job).where(Job.blob_hash == blob_hash, Job.kind == kind).with_for_update()
        )

    def requeue(self, job: Job) -> None:
        """Start a finished or failed job over (its blob's files must be made again)."""
        job.state = JobState.QUEUED
        job.attempts = 0
        job.lease_until = None
        job.error = None
        job.progress = 0.0
        job.step = "queued"
        job.enqueued_at = utcnow()

    def claim(
        self, job_id: JobId, *, lease_s: float, worker: str, max_attempts: int
    ) -> Claim | None:
        """Take the job if it is queued or its lease ran out; None if someone else holds it."""
        now = utcnow()
        job = self.session.get(Job, job_id, with_for_update=True)
        if job is None or job.state in (JobState.DONE, JobState.FAILED):
            return None
        if job.state == JobState.RUNNING and job.lease_until and job.lease_until > now:
            return None
        if job.attempts >= max_attempts:
            job.state = JobState.FAILED
            job.error = job.error or "Processing was interrupted too many times."
            return None
        job.state = JobState.RUNNING
        job.token += 1
        job.attempts += 1
        job.lease_until = now + timedelta(seconds=lease_s)
        job.worker = worker
        job.step = "starting"
        job.progress = 0.0
        self.session.flush()
        return Claim(JobId(job.id), job.blob_hash, job.kind, FencingToken(job.token), job.attempts)

    def _fenced(self, claim: Claim) -> Job:
        job = self.session.get(Job, claim.job_id, with_for_update=True)
        if job is None or job.token != claim.token or job.state != JobState.RUNNING:
            raise LostLease(f"job {claim.job_id} token {claim.token} is stale")
        return job

    def check(self, claim: Claim) -> None:
        """Raise ``LostLease`` unless ``claim`` still holds the job."""
        self._fenced(claim)

    def heartbeat(
        self,
        claim: Claim,
        *,
        lease_s: float,
        progress: float | None = None,
        step: str | None = None,
    ) -> None:
        job = self._fenced(claim)
        job.lease_until = utcnow() + timedelta(seconds=lease_s)
        if progress is not None:
            job.progress = round(progress, 1)
        if step is not None:
            job.step = step

    def finish(self, claim: Claim) -> None:
        job = self._fenced(claim)
        job.state = JobState.DONE
        job.progress = 100.0
        job.step = "done"
        job.lease_until = None
        job.error = None

    def fail(self, claim: Claim, reason: str) -> None:
        job = self._fenced(claim)
        job.state = JobState.FAILED
        job.step = "failed"
        job.lease_until = None
        job.error = reason

    def release(self, claim: Claim, reason: str) -> None:
        """Give the job back for another attempt (a transient failure)."""
        job = self._fenced(claim)
        job.state = JobState.QUEUED
        job.lease_until = None
        job.error = reason
        job.enqueued_at = utcnow()

    def reap(self, *, stale_after_s: float) -> list[JobId]:
        """Jobs to send again: expired leases, and queued jobs nobody took for a while."""
        now = utcnow()
        stale: datetime = now - timedelta(seconds=stale_after_s)
        rows = self.session.scalars(
            select(Job.id)
            .where(
                or_(
                    (Job.state == JobState.RUNNING) & (Job.lease_until < now),
                    Job.state == JobState.QUEUED,
                ),
                # Sent recently: give that message time to arrive before sending again.
                Job.enqueued_at < stale,
            )
            .with_for_update(skip_locked=True)
        ).all()
        if rows:
            self.session.execute(update(Job).where(Job.id.in_(rows)).values(enqueued_at=now))
        return [JobId(r) for r in rows]

    def active_for_blob(self, blob_hash: str) -> bool:
        return (
            self.session.scalar(
                select(Job.id).where(
                    Job.blob_hash == blob_hash,
                    Job.state.in_([JobState.QUEUED, JobState.RUNNING]),
                )
            )
            is not None
        )
