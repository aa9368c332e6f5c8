"""Bring a database to the newest schema, safely from several processes at once."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, text

MIGRATIONS = Path(__file__).parent / "migrations"
# Any constant works; it only has to be the same in every tonearm process.
_PG_LOCK_KEY = 0x746F6E65


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Run migrations to ``revision``.

    On PostgreSQL an advisory lock serialises concurrent starters; on SQLite the
    engine's ``BEGIN IMMEDIATE`` does the same.
    """
    cfg = alembic_config()
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_KEY})
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def refresh_statistics(engine: Engine) -> None:
    """Give SQLite's planner table statistics once the library is large enough to need them.

    Without them SQLite picks poor plans for the library's grouped pages (an album grid
    over 100k tracks took 50-125 ms instead of under 30, ``bench/library.py
    --no-analyze``). A small library is skipped: statistics of nearly empty tables would
    mislead the planner later, and a connection reads them only when it opens or when
    the schema changes (the first ANALYZE creates ``sqlite_stat1``, which is such a
    change). ``analysis_limit`` samples each index, so this costs milliseconds even for a
    large library. PostgreSQL's autovacuum keeps its own statistics.
    """
    if engine.dialect.name != "sqlite":
        return
    with engine.begin() as conn:
        if conn.execute(text("SELECT 1 FROM tracks LIMIT 1 OFFSET :n"), {"n": 999}).first() is None:
            return
        conn.execute(text("PRAGMA analysis_limit=1000"))
        conn.execute(text("ANALYZE"))


def revision(engine: Engine, message: str) -> None:
    """Autogenerate a migration (development only)."""
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.revision(cfg, message=message, autogenerate=True)
