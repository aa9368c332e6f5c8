"""Engines and sessions for SQLite (embedded) and PostgreSQL (scale-out)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker


def make_engine(url: str, *, echo: bool = False, readonly: bool = False) -> Engine:
    """An engine for ``url``.

    ``readonly`` engines on SQLite open plain deferred transactions, so reads never
    queue behind the write lock; use them only for sessions that do not write.
    """
    if url.startswith("sqlite"):
        return _sqlite_engine(url, echo=echo, readonly=readonly)
    return create_engine(url, echo=echo, pool_pre_ping=True, pool_size=10, max_overflow=20)


def _sqlite_engine(url: str, *, echo: bool, readonly: bool) -> Engine:
    engine = create_engine(
        url,
        echo=echo,
        connect_args={"timeout": 30, "check_same_thread": False},
        pool_size=8,
        max_overflow=16,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Take transaction control away from the driver so BEGIN IMMEDIATE below is
        # the only BEGIN: with several writer processes a deferred BEGIN that later
        # upgrades to a write lock fails with "database is locked" instead of waiting.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN" if readonly else "BEGIN IMMEDIATE")

    return engine


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False, autoflush=False)


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


class WriteCounter:
    """Counts the write statements (INSERT, UPDATE, DELETE) an engine executes: what
    the benchmarks report as database writes per heartbeat. One integer increment per
    statement."""

    def __init__(self, engine: Engine) -> None:
        self.writes = 0
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip()[:6].upper() in ("INSERT", "UPDATE", "DELETE"):
            self.writes += 1

    def __call__(self) -> int:
        return self.writes
