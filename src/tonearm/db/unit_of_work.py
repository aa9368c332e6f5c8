"""The transaction boundary: one per request or job, owned by the edge.

Services receive a ``UnitOfWork`` and never commit. Work that must only happen if
the transaction commits (sending a job, deleting a temp file) goes through
``enqueue``/``after_commit``; work that undoes side effects made inside the
transaction (a file already moved into the store) goes through ``on_rollback``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Protocol

from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)


class TaskSender(Protocol):
    def enqueue(self, name: str, *args: str | int) -> None: ...


class UnitOfWork:
    def __init__(self, session: Session, sender: TaskSender) -> None:
        self.session = session
        self._sender = sender
        self._outbox: list[tuple[str, tuple[str | int, ...]]] = []
        self._after_commit: list[Callable[[], None]] = []
        self._on_rollback: list[Callable[[], None]] = []

    def enqueue(self, name: str, *args: str | int) -> None:
        """Send task ``name`` once the transaction has committed (never if it rolls back)."""
        self._outbox.append((name, args))

    def after_commit(self, fn: Callable[[], None]) -> None:
        self._after_commit.append(fn)

    def on_rollback(self, fn: Callable[[], None]) -> None:
        self._on_rollback.append(fn)

    def _committed(self) -> None:
        for name, args in self._outbox:
            try:
                self._sender.enqueue(name, *args)
            except Exception:
                # The job row is committed; the reaper re-sends what the queue lost.
                log.exception("could not send task %s%r; the reaper will retry", name, args)
        for fn in self._after_commit:
            try:
                fn()
            except Exception:
                log.exception("after-commit hook failed")

    def _rolled_back(self) -> None:
        for fn in reversed(self._on_rollback):
            try:
                fn()
            except Exception:
                log.exception("rollback hook failed")


class UnitOfWorkFactory:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        read_sessions: sessionmaker[Session],
        sender: TaskSender,
    ) -> None:
        self._sessions = sessions
        self._read_sessions = read_sessions
        self._sender = sender

    @contextmanager
    def __call__(self) -> Iterator[UnitOfWork]:
        """A read-write transaction: commit on success, roll back on any exception."""
        session = self._sessions()
        uow = UnitOfWork(session, self._sender)
        try:
            with session.begin():
                yield uow
        except BaseException:
            uow._rolled_back()
            raise
        finally:
            session.close()
        uow._committed()

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only session (on SQLite it does not take the write lock)."""
        session = self._read_sessions()
        try:
            with session.begin():
                yield session
        finally:
            session.close()
