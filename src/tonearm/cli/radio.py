"""``tonearm radio backfill``: sound descriptors for blobs that have none yet."""

from __future__ import annotations

import sys
from typing import Any

import click

from tonearm.cli.config import build, data_options, settings_from


@click.group()
def radio() -> None:
    """Similar tracks and radio."""


@radio.command()
@click.option(
    "--progress/--no-progress", default=None, help="Progress bar (default: on a terminal)."
)
@data_options
def backfill(progress: bool | None, **options: Any) -> None:
    """Compute missing sound descriptors here, now (decoding each stored original).

    Servers also queue this as a background job at start-up; running it by hand is for
    a large library after an upgrade, with a progress bar."""
    from tqdm import tqdm

    c = build(settings_from(**options))
    try:
        missing = c.radio.describe.missing()
        show = sys.stderr.isatty() if progress is None else progress
        with tqdm(
            total=missing, unit="track", desc="describing", file=sys.stderr, disable=not show
        ) as bar:

            def advance(_blob: object) -> None:
                bar.update(1)

            stored = c.radio.describe.describe_all(lambda _uow: None, advance)
        click.echo(f"{stored} of {missing} blobs described")
    finally:
        c.close()
