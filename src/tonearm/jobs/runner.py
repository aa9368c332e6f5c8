"""Running one attempt of any job: claim, heartbeat, route by kind, settle.

The queue delivers ``jobs.run(job_id)`` (the reaper re-sends the same). The runner
claims the job row, hands the attempt to the handler registered for its kind, and
settles the outcome in one place:

* the handler returned: the job is done (unless the handler already finished it in
  its own last transaction);
* it raised a ``TonearmError``: a reason for people; the job fails with no retry;
* it raised anything else: another attempt, until ``max_attempts``;
* the job ran out of attempts (here or at claim time): the job fails and the handler's
  ``gave_up`` leaves its subject failed with the reason, so nothing waits forever;
* the lease was lost: another attempt owns the job; touch nothing;
* the process is stopping (SIGTERM): the lease is handed back at once, the attempt
  refunded and the job re-sent, so another worker resumes without waiting for expiry.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from tonearm.db.unit_of_work import UnitOfWork, UnitOfWorkFactory
from tonearm.errors import TonearmError
from tonearm.jobs.heartbeat import Heartbeat
from tonearm.jobs.leases import Claim, GaveUp, JobLeases, LostLease
from tonearm.types import JobId

log = logging.getLogger(__name__)

RUN_TASK = "jobs.run"
CRASHED = "The work failed because of an internal error; the server log has the details."


@dataclass
class JobContext:
    """What a handler gets for one attempt."""

    claim: Claim
    cancel: threading.Event
    """Set when the lease is lost or the process stops: stop work, publish nothing."""
    report: Callable[[float, str], None]
    """Progress (percent of this attempt, step) for people; written about once a second."""
    finished: list[bool] = field(default_factory=lambda: [False])

    def finish(self, uow: UnitOfWork) -> None:
        """Mark the job done inside the handler's own last transaction (atomic with it)."""
        JobLeases(uow.session).finish(self.claim)
        self.finished[0] = True


class JobHandler(Protocol):
    """One kind of job.

    MUST: ``run`` be idempotent (an attempt may be repeated after a crash), check
    ``ctx.cancel`` or fence its writes with ``JobLeases.check``, and raise
    ``TonearmError`` only for failures a retry cannot fix. ``gave_up`` MUST leave the
    subject in a final, failed state with ``reason`` (in the given transaction) and
    MUST tolerate a subject that no longer exists.
    """

    def run(self, ctx: JobContext) -> None: ...

    def gave_up(self, uow: UnitOfWork, subject: str, reason: str) -> None: ...


@dataclass(frozen=True)
class RunnerConfig:
    worker_name: str
    lease_s: float
    max_attempts: int


class JobRunner:
    def __init__(self, uows: UnitOfWorkFactory, config: RunnerConfig) -> None:
        self._uows = uows
        self._config = config
        self._handlers: dict[str, JobHandler] = {}
        self._stopping = threading.Event()
        self._active: dict[JobId, threading.Event] = {}
        self._lock = threading.Lock()

    def register(self, kind: str, handler: JobHandler) -> None:
        self._handlers[kind] = handler

    def shutdown(self) -> None:
        """Stop every running attempt and hand its lease back (see the module doc)."""
        self._stopping.set()
        with self._lock:
            for cancel in self._active.values():
                cancel.set()

    def __call__(self, job_id: int) -> None:
        jid = JobId(job_id)
        if self._stopping.is_set():
            self._resend(jid)
            return
        with self._uows() as uow:
            outcome = JobLeases(uow.session).claim(
                jid,
                lease_s=self._config.lease_s,
                worker=self._config.worker_name,
                max_attempts=self._config.max_attempts,
            )
            if isinstance(outcome, GaveUp):
                self._handler(outcome.kind).gave_up(uow, outcome.subject, outcome.reason)
                log.warning("job %s (%s) gave up: %s", jid, outcome.kind, outcome.reason)
        if not isinstance(outcome, Claim):
            return
        self._attempt(outcome)

    def _handler(self, kind: str) -> JobHandler:
        handler = self._handlers.get(kind)
        if handler is None:
            raise LookupError(f"no handler for job kind {kind!r}")
        return handler

    def _attempt(self, claim: Claim) -> None:
        handler = self._handler(claim.kind)
        cancel = threading.Event()
        with self._lock:
            self._active[claim.job_id] = cancel
        heart = Heartbeat(self._uows, claim, self._config.lease_s, cancel)
        ctx = JobContext(claim=claim, cancel=cancel, report=heart.report)
        log.info("job %s %s(%s) attempt %s", claim.job_id, claim.kind, claim.subject, claim.attempt)
        heart.start()
        try:
            handler.run(ctx)
        except Exception as exc:
            self._settle_error(handler, claim, exc, lost=heart.lost)
        else:
            if not ctx.finished[0]:
                try:
                    with self._uows() as uow:
                        JobLeases(uow.session).finish(claim)
                except LostLease:
                    log.warning("job %s finished after losing its lease", claim.job_id)
        finally:
            heart.stop()
            with self._lock:
                self._active.pop(claim.job_id, None)

    def _settle_error(
        self, handler: JobHandler, claim: Claim, exc: Exception, *, lost: bool
    ) -> None:
        if isinstance(exc, LostLease) or lost:
            log.warning("job %s attempt %s lost its lease", claim.job_id, claim.attempt)
            return
        if self._stopping.is_set():
            self._give_back(claim)
            return
        if isinstance(exc, TonearmError):
            self._fail(handler, claim, exc.message)
            return
        log.error("job %s attempt %s crashed", claim.job_id, claim.attempt, exc_info=exc)
        if claim.attempt >= self._config.max_attempts:
            self._fail(handler, claim, CRASHED)
            return
        try:
            with self._uows() as uow:
                JobLeases(uow.session).release(claim, f"{type(exc).__name__}: {exc}"[:2000])
                uow.enqueue(RUN_TASK, claim.job_id)
        except LostLease:
            return

    def _fail(self, handler: JobHandler, claim: Claim, reason: str) -> None:
        log.info("job %s %s(%s) failed: %s", claim.job_id, claim.kind, claim.subject, reason)
        try:
            with self._uows() as uow:
                # The subject first, then the job row: the lock order of every domain.
                handler.gave_up(uow, claim.subject, reason)
                JobLeases(uow.session).fail(claim, reason)
        except LostLease:
            return

    def _give_back(self, claim: Claim) -> None:
        try:
            with self._uows() as uow:
                JobLeases(uow.session).release(claim, "worker stopped", refund=True)
                uow.enqueue(RUN_TASK, claim.job_id)
            log.info("job %s handed back (worker stopping)", claim.job_id)
        except LostLease:
            return

    def _resend(self, job_id: JobId) -> None:
        with self._uows() as uow:
            uow.enqueue(RUN_TASK, job_id)

    def reap(self, stale_after_s: float) -> int:
        """Send again the jobs whose lease ran out or whose message was lost."""
        with self._uows() as uow:
            job_ids = JobLeases(uow.session).reap(stale_after_s=stale_after_s)
            for job_id in job_ids:
                uow.enqueue(RUN_TASK, job_id)
        if job_ids:
            log.info("reaper re-sent %d jobs", len(job_ids))
        return len(job_ids)
