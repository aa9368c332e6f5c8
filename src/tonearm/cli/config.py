"""Settings from the environment and the command's flags, and the container built from them.

Every command (serve, worker, db, user) starts here, so a flag means the same thing
everywhere and every command runs against an up-to-date schema.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click
from pydantic import ValidationError

from tonearm.settings import Settings

if TYPE_CHECKING:
    from tonearm.container import Container

F = TypeVar("F", bound=Callable[..., Any])

# Flag name -> (settings section, field); flags name the common settings only.
_FLAGS = {
    "host": ("http", "host"),
    "port": ("http", "port"),
    "database_url": ("database", "url"),
    "queue_url": ("queue", "url"),
    "embedded_workers": ("jobs", "embedded_workers"),
}


def settings_from(**flags: Any) -> Settings:
    """Settings from the environment, with the flags given on the command line on top."""
    values: dict[str, Any] = {}
    for name, value in flags.items():
        if value is None:
            continue
        if name in _FLAGS:
            section, field = _FLAGS[name]
            values.setdefault(section, {})[field] = value
        else:
            values[name] = value
    try:
        return Settings.model_validate(values)
    except ValidationError as exc:
        raise click.UsageError(_first_error(exc)) from None


def _first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err.get("loc", ()))
    return f"setting {where}: {err.get('msg', 'invalid')}"


def build(settings: Settings) -> Container:
    """The container, with the database migrated (a command may be the first to run)."""
    from tonearm import container, logs

    logs.configure(settings.log.level, json_lines=settings.log.json_lines)
    c = container.build(settings)
    c.migrate()
    return c


def data_options(fn: F) -> F:
    """``--data-dir`` and ``--database-url``: where a command finds the server's data."""
    fn = click.option("--database-url", help="SQLAlchemy URL (default: SQLite in the data dir).")(
        fn
    )
    return click.option(
        "--data-dir", type=click.Path(path_type=Path), help="Where everything lives."
    )(fn)
