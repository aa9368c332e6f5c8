"""Keeping a lease alive while an attempt runs, and carrying its progress."""

from __future__ import annotations

import logging
import threading
import time

from tonearm.db.unit_of_work import UnitOfWorkFactory
from tonearm.jobs.leases import Claim, JobLeases, LostLease

log = logging.getLogger(__name__)


class Heartbeat:
    """Extends the lease every third of its length; cancels the work if it is lost."""

    def __init__(
        self, uows: UnitOfWorkFactory, claim: Claim, lease_s: float, cancel: threading.Event
    ) -> None:
        self._uows = uows
        self._claim = claim
        self._lease_s = lease_s
        self._cancel = cancel
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="job-heartbeat", daemon=True)
        self._progress: tuple[float, str] | None = None
        self._last_report = 0.0
        self._lock = threading.Lock()
        self.lost = False

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def report(self, percent: float, step: str) -> None:
        """Record progress; written with the next beat, at most about once a second."""
        with self._lock:
            self._progress = (percent, step)
        if time.monotonic() - self._last_report >= 1.0:
            self._beat()

    def _beat(self) -> None:
        with self._lock:
            progress = self._progress
            self._progress = None
            self._last_report = time.monotonic()
        if self.lost:
            return
        try:
            with self._uows() as uow:
                JobLeases(uow.session).heartbeat(
                    self._claim,
                    lease_s=self._lease_s,
                    progress=progress[0] if progress else None,
                    step=progress[1] if progress else None,
                )
        except LostLease:
            self.lost = True
            self._cancel.set()
        except Exception:
            log.exception("heartbeat failed")

    def _loop(self) -> None:
        interval = max(0.5, self._lease_s / 3)
        while not self._stop.wait(interval):
            self._beat()
            if self.lost:
                return
