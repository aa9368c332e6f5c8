"""``tonearm search reindex``: rebuild the search index from the library's tables.

Needed once after upgrading to a version with search (migration 0007 makes the tables
empty) and never again in normal use: every change to a track or playlist updates the
index in its own transaction. Runs beside a live server; searches meanwhile see a
partial index.
"""

from __future__ import annotations

import sys
import time
from typing import Any

import click

from tonearm.cli.config import build, data_options, settings_from


@click.group()
def search() -> None:
    """Search index maintenance."""


@search.command("reindex")
@data_options
@click.option("--batch", type=click.IntRange(100, 50_000), default=2000, show_default=True)
@click.option("--progress/--no-progress", default=sys.stderr.isatty(), help="Progress bars.")
def reindex(batch: int, progress: bool, **options: Any) -> None:
    """Rebuild the search index (tracks, lyrics, albums, artists, playlists)."""
    from tqdm import tqdm

    from tonearm.search.index import rebuild

    c = build(settings_from(**options))
    bars: dict[str, tqdm[Any]] = {}
    started = time.monotonic()

    def show(stage: str, done: int, total: int) -> None:
        bar = bars.get(stage)
        if bar is None:
            bar = bars[stage] = tqdm(
                total=total,
                unit=stage[:-1] if stage.endswith("s") else stage,
                desc=stage,
                file=sys.stderr,
                disable=not progress,
            )
        bar.n = done
        bar.refresh()

    try:
        tracks = rebuild(c.infra.uows, show, batch=batch)
    finally:
        for bar in bars.values():
            bar.close()
        c.close()
    click.echo(f"search index rebuilt: {tracks} track(s) in {time.monotonic() - started:.1f} s")
