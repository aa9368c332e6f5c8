"""Leases and fencing tokens on the ``jobs`` table.

Claiming a job bumps its token; every later write by that attempt is conditional on
the token, so an attempt that lost its lease (killed, stalled, partitioned) can no
longer change anything. The reaper finds queued jobs nobody picked up and running
jobs whose lease expired, and hands them back to the queue. The rule on attempts
lives here and only here (``claim``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from tonearm.models import Job, JobState, utcnow
from tonearm.types import FencingToken, JobId


@dataclass(frozen=True)
class Claim:
    job_id: JobId
    kind: str
    subject: str
    token: FencingToken
    attempt: int


@dataclass(frozen=True)
class GaveUp:
    """``claim`` found a job out of attempts: it is failed now and its subject must be too."""

    job_id: JobId
    kind: str
    subject: str
    reason: str


class LostLease(Exception):
    """This attempt's token is no longer current: stop and publish nothing."""


INTERRUPTED = "The work was interrupted too many times; the server log has the details."


class JobLeases:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, kind: str, subject: str, *, for_update: bool = False) -> Job | None:
        q = select(Job).where(Job.kind == kind, Job.subject == subject)
        return self.session.scalar(q.with_for_update() if for_update else q)

    def kind_of(self, job_id: JobId) -> tuple[str, str] | None:
        """(kind, subject), read without locking (so a handler can lock its subject first)."""
        row = self.session.execute(
            select(Job.kind, Job.subject).where(Job.id == job_id)
        ).one_or_none()
        return None if row is None else (row[0], row[1])

    def schedule(self, kind: str, subject: str) -> Job:
        """Create the job, or start a finished or failed one over; queued or running stay."""
        job = self.get(kind, subject, for_update=True)
        if job is None:
            job = Job(kind=kind, subject=subject, state=JobState.QUEUED)
            self.session.add(job)
            self.session.flush()
            return job
        if job.state in (JobState.DONE, JobState.FAILED):
            job.state = JobState.QUEUED
            job.attempts = 0
            job.lease_until = None
            job.error = None
            job.progress = 0.0
            job.step = "queued"
            job.enqueued_at = utcnow()
        return job

    def claim(
        self, job_id: JobId, *, lease_s: float, worker: str, max_attempts: int
    ) -> Claim | GaveUp | None:
        """Take the job if it is queued or its lease ran out.

        None if someone else holds it or it is finished; ``GaveUp`` if it has used all
        its attempts (it is marked failed in this transaction).
        """
        now = utcnow()
        job = self.session.get(Job, job_id, with_for_update=True, populate_existing=True)
        if job is None or job.state in (JobState.DONE, JobState.FAILED):
            return None
        if job.state == JobState.RUNNING and job.lease_until and job.lease_until > now:
            return None
        if job.attempts >= max_attempts:
            job.state = JobState.FAILED
            job.step = "failed"
            job.lease_until = None
            job.error = INTERRUPTED
            return GaveUp(JobId(job.id), job.kind, job.subject, INTERRUPTED)
        job.state = JobState.RUNNING
        job.token += 1
        job.attempts += 1
        job.lease_until = now + timedelta(seconds=lease_s)
        job.worker = worker
        job.step = "starting"
        job.progress = 0.0
        self.session.flush()
        return Claim(JobId(job.id), job.kind, job.subject, FencingToken(job.token), job.attempts)

    def _fenced(self, claim: Claim) -> Job:
        job = self.session.get(Job, claim.job_id, with_for_update=True, populate_existing=True)
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
            job.step = step[:32]

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

    def release(self, claim: Claim, reason: str, *, refund: bool = False) -> None:
        """Give the job back for another attempt now.

        ``refund`` (a clean shutdown, not a failure) does not count the attempt.
        """
        job = self._fenced(claim)
        job.state = JobState.QUEUED
        job.lease_until = None
        job.error = reason
        job.step = "queued"
        job.enqueued_at = utcnow()
        if refund:
            job.attempts = max(0, job.attempts - 1)

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

    def active(self, kind: str, subject: str) -> bool:
        return (
            self.session.scalar(
                select(Job.id).where(
                    Job.kind == kind,
                    Job.subject == subject,
                    Job.state.in_([JobState.QUEUED, JobState.RUNNING]),
                )
            )
            is not None
        )

    def of_subjects(self, kind: str, subjects: set[str]) -> dict[str, Job]:
        if not subjects:
            return {}
        rows = self.session.scalars(select(Job).where(Job.kind == kind, Job.subject.in_(subjects)))
        return {j.subject: j for j in rows}

    def forget(self, kind: str, subject: str) -> None:
        """Delete the job row (its subject is gone)."""
        self.session.execute(delete(Job).where(Job.kind == kind, Job.subject == subject))
