"""Running jobs: a pool of consumer threads plus the maintenance loop.

``tonearm worker`` runs a pool in the foreground; ``tonearm serve`` runs one
inside the web process. Any number of pools may share a database and queue.
"""

from __future__ import annotations

import logging
import threading
import time

from tonearm.blobs.service import COLLECT_TASK
from tonearm.container import Container
from tonearm.listening.charts import WINDOWS

log = logging.getLogger(__name__)

_HOUSEKEEPING_S = 60.0


def recover(c: Container) -> None:
    """Start-up repair of what killed processes left behind.

    Uploads whose every byte was committed but which never became a track are finished
    now; temp files no upload names and no live request writes are deleted now rather
    than after the expiry period.
    """
    try:
        with c.infra.uows() as uow:
            withdrawn = c.blobs.service.quarantine_refused(uow)
        if withdrawn:
            log.warning("start-up: withdrew %d blobs the allow-list refuses", len(withdrawn))
        finished = c.ingest.service.finish_interrupted()
        swept = c.ingest.expire.sweep(0)
        if finished or swept:
            log.info("start-up: finished %d uploads, removed %d temp files", finished, swept)
        with c.infra.uows() as uow:
            if c.radio.describe.schedule(uow):
                log.info("start-up: sound descriptors missing; the backfill job is queued")
    except Exception:
        log.exception("start-up recovery failed")


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
        """Stop taking work, hand running jobs back (see ``JobRunner.shutdown``), wait."""
        self._stop.set()
        self._c.jobs.shutdown()
        deadline = time.monotonic() + timeout
        for t in self._workers:
            t.join(max(0.0, deadline - time.monotonic()))

    def wait(self) -> None:
        while not self._stop.wait(1.0):
            pass

    def _consume(self) -> None:
        while not self._stop.is_set():
            try:
                self._c.infra.queue.run_one(timeout=1.0)
            except Exception:
                # The queue backend itself failed (Redis restarting...): back off, go on.
                log.exception("queue error")
                self._stop.wait(2.0)

    def _maintain(self) -> None:
        last_housekeeping = 0.0
        while not self._stop.wait(self._c.settings.jobs.reaper_interval_s):
            try:
                self.reap()
                self.refresh_charts()
                if time.monotonic() - last_housekeeping > _HOUSEKEEPING_S:
                    last_housekeeping = time.monotonic()
                    self.housekeeping()
            except Exception:
                log.exception("maintenance failed")

    def reap(self) -> int:
        """Send again the jobs whose lease ran out or whose message was lost."""
        return self._c.jobs.reap(stale_after_s=self._c.settings.jobs.lease_s)

    def refresh_charts(self) -> None:
        """Rebuild the chart snapshots that are older than ``chart_refresh_s`` (one
        process claims each), so that open chart pages are pushed the change even when
        nobody reads a chart; a fresh snapshot costs a memo lookup."""
        for window in WINDOWS:
            self._c.charts.charts.ensure_fresh(window)

    def housekeeping(self) -> None:
        self._c.ingest.expire()
        with self._c.infra.uows() as uow:
            self._c.accounts.service.purge(uow)
        for blob_hash in self._c.blobs.collect.sweep():
            self._c.infra.queue.enqueue(COLLECT_TASK, blob_hash)
