"""Getting plays into the database in batches: counted plays by group commit, heard
seconds by a write-behind flusher.

``CountWriter``: a request whose session just counted hands the play to one writer
thread and waits; the thread gathers every play that arrives within ``window_s`` and
commits them in one transaction, then wakes the requests. A flood of counts costs a
few transactions a second, not one each, and no answer says counted before its
play is durable.

``Flusher``: every ``interval_s`` it drains the live-state ``Tally`` and writes the
seconds heard and the sessions' latest state in one transaction (a handful of
multi-row upserts, whatever the number of heartbeats). A batch that fails to commit
is kept and retried with the next one. What an API process's death loses is what its
tally held: up to ``interval_s`` of heartbeats on the in-memory tally (nothing of
counted plays, which were committed before they were answered), nothing on Redis.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Collection
from concurrent.futures import Future
from typing import Protocol

from sqlalchemy.orm import Session

from tonearm.db.unit_of_work import UnitOfWorkFactory
from tonearm.listening.records import SessionState
from tonearm.listening.repository import count_plays, flush_heard
from tonearm.livestate.base import Drained, Tally
from tonearm.types import TrackId

log = logging.getLogger(__name__)


class PlaysObserver(Protocol):
    """Told of new counted plays inside the transaction that counts them (the search
    index moves their popularity; implemented in ``search/index.py``)."""

    def plays_changed(self, session: Session, track_ids: Collection[TrackId]) -> None: ...


class CountWriter:
    def __init__(
        self,
        uows: UnitOfWorkFactory,
        *,
        window_s: float = 0.02,
        max_batch: int = 5000,
        observer: PlaysObserver | None = None,
    ) -> None:
        self._uows = uows
        self._observer = observer
        self._window = window_s
        self._max = max_batch
        self._queue: list[tuple[SessionState, Future[bool]]] = []
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None
        self._closed = False
        self.batches = 0
        """Transactions committed (for tests and benchmarks)."""

    def submit(self, play: SessionState) -> Future[bool]:
        """A future that resolves once ``play`` is committed as counted: True when this
        commit counted it, False when it had counted before (or its track is gone)."""
        done: Future[bool] = Future()
        with self._cond:
            if self._closed:
                raise RuntimeError("the count writer is stopped")
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="play-counts", daemon=True)
                self._thread.start()
            self._queue.append((play, done))
            self._cond.notify()
        return done

    def stop(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify()
            thread = self._thread
        if thread is not None:
            thread.join(timeout=30)

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._queue and not self._closed:
                    self._cond.wait()
                if not self._queue:
                    return
            time.sleep(self._window)  # let the batch gather
            with self._cond:
                batch, self._queue = self._queue[: self._max], self._queue[self._max :]
            self._write(batch)

    def _write(self, batch: list[tuple[SessionState, Future[bool]]]) -> None:
        try:
            with self._uows() as uow:
                counted = count_plays(uow.session, [play for play, _ in batch])
                if counted and self._observer is not None:
                    tracks = {play.track_id for play, _ in batch if play.session in counted}
                    self._observer.plays_changed(uow.session, tracks)
        except Exception as exc:
            log.exception("could not record %d counted plays", len(batch))
            for _, done in batch:
                done.set_exception(exc)
            return
        self.batches += 1
        for play, done in batch:
            done.set_result(play.session in counted)


class Flusher:
    def __init__(
        self,
        tally: Tally,
        uows: UnitOfWorkFactory,
        interval_s: float,
        *,
        writes: Callable[[], int] | None = None,
    ) -> None:
        self._tally = tally
        self._uows = uows
        self._interval = interval_s
        self._writes = writes
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._failed: Drained | None = None
        self.flushes = 0

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="play-flush", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Stop the thread after a last flush (what was heard until now is kept)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
            self._thread = None
        self.flush()

    def flush(self) -> int:
        """Write what the tally holds now; returns the sessions written."""
        with self._lock:
            drained = self._tally.drain()
            if self._failed is not None:
                drained = _merge(self._failed, drained)
                self._failed = None
            if not drained:
                return 0
            try:
                with self._uows() as uow:
                    flush_heard(uow.session, drained)
            except Exception:
                log.exception("could not flush heard seconds; kept for the next flush")
                self._failed = drained
                return 0
            self.flushes += 1
            log.info(
                "listening.flush",
                extra={
                    "sessions": len(drained.sessions),
                    "buckets": len(drained.seconds),
                    "seconds": round(sum(drained.seconds.values()), 3),
                    "db_writes": self._writes() if self._writes else None,
                },
            )
            return len(drained.sessions)

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                self.flush()
            except Exception:  # live state unreachable: try again next time
                log.exception("could not drain the heard seconds")


def _merge(old: Drained, new: Drained) -> Drained:
    seconds = dict(old.seconds)
    for key, value in new.seconds.items():
        seconds[key] = seconds.get(key, 0.0) + value
    return Drained(seconds, {**old.sessions, **new.sessions})
