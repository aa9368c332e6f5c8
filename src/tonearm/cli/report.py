"""``tonearm report plays``: the royalty report of a period, as CSV or JSON.

The same numbers as ``GET /api/reports/plays`` (``listening/reports.py``), for the
operator: every owner's tracks unless ``--owner`` names one.
"""

from __future__ import annotations

import json
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any

import click

from tonearm.cli.config import build, data_options, settings_from


@click.group()
def report() -> None:
    """Reports for the people who own the music."""


def _day(_ctx: click.Context, _param: click.Parameter, value: str) -> date:
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise click.BadParameter("expected YYYY-MM-DD") from None


@report.command("plays")
@click.option("--from", "start", required=True, callback=_day, help="First day, YYYY-MM-DD (UTC).")
@click.option("--to", "to", required=True, callback=_day, help="Last day, included (UTC).")
@click.option(
    "--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True
)
@click.option("--owner", help="Only this user's tracks (username); default: every owner.")
@click.option("--group", type=click.Choice(["track", "owner"]), default="track", show_default=True)
@click.option(
    "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write here, not stdout."
)
@data_options
def plays(
    start: date,
    to: date,
    fmt: str,
    owner: str | None,
    group: str,
    output: Path | None,
    **options: Any,
) -> None:
    """Counted plays and seconds heard by rung, per track (or owner), from..to."""
    from tonearm.listening.reports import csv_lines

    c = build(settings_from(**options))
    try:
        reports = c.charts.reports
        with c.infra.uows.read() as session:
            owner_id = reports.owner_named(session, owner) if owner else None
            result = reports.for_owner(session, start, to, owner=owner_id, group=group)
    finally:
        c.close()
    if fmt == "json":
        text = json.dumps(result.model_dump(mode="json", by_alias=True), indent=2) + "\n"
    else:
        text = "".join(csv_lines(result.rows))
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8", newline="")
        click.echo(f"{len(result.rows)} rows written to {output}", err=True)
