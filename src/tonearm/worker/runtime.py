"""Running jobs: a pool of consumer threads plus the maintenance loop.

``tonearm worker`` runs a pool in the foreground; ``tonearm serve`` runs one
inside the web process. Any number of pools may share a database and queue.
"""

from __future__ import annotations

import logging
import threading
import time

from tonearm.container import Container
from tonearm.ingest.service import COLLECT_TASK, PROCESS_TASK
from tonearm.queue.leases import JobLeases

log = logging.getLogger(__name__)

_HOUSEKEEPING_S = 60.0


class WorkerPool:
    def __init__(self, container: Container, threads: int) -> None:
        self._c = container
        self._threads = max(1, threads)
        self._stop = threading.Event()
        self._workers: list[threading.Thread] = []

    def start(self) -> None:
        for i in range(self._threads):
            t = threading.Thread(target=self._consume, name=f"worker-{i}", daemon=True)
            t.start()
            self._workers.append(t)
        m = threading.Thread(target=self._maintain, name="maintenance", daemon=True)
        m.start()
        self._workers.append(m)
        log.info("worker pool started with %d threads", self._threads)

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        deadline = time.monotonic() + timeout
        for t in self._workers:
            t.join(max(0.0, deadline - time.monotonic()))

    def wait(self) -> None:
        while not self._stop.wait(1.0):
            pass

    def _consume(self) -> None:
        while not self._stop.is_set():
            try:
                self._c.queue.run_one(timeout=1.0)
            except Exception:
                # The queue backend itself failed (Redis restarting...): back off, go on.
                log.exception("queue error")
                self._stop.wait(2.0)

    def _maintain(self) -> None:
        last_housekeeping = 0.0
        while not self._stop.wait(self._c.settings.reaper_interval_s):
            try:
                self.reap()
                if time.monotonic() - last_housekeeping > _HOUSEKEEPING_S:
                    last_housekeeping = time.monotonic()
                    self.housekeeping()
            except Exception:
                log.exception("maintenance failed")

    def reap(self) -> int:
        """Send again the jobs whose lease ran out or whose message was lost."""
        with self._c.uows() as uow:
            job_ids = JobLeases(uow.session).reap(stale_after_s=self._c.settings.job_lease_s)
            for job_id in job_ids:
                uow.enqueue(PROCESS_TASK, job_id)
        if job_ids:
            log.info("reaper re-sent %d jobs", len(job_ids))
        return len(job_ids)

    def housekeeping(self) -> None:
        self._c.expire_uploads()
        for blob_hash in self._c.collect_blob.sweep():
            self._c.queue.enqueue(COLLECT_TASK, blob_hash)
