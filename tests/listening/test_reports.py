"""The royalty report: HTTP (JSON and CSV) and the CLI, on both databases."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from tests.listening.world import World
from tonearm.cli.main import main
from tonearm.errors import Invalid, NotFound

FROM = date(2026, 3, 1)
TO = date(2026, 3, 31)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


def record(world: World) -> dict[str, str]:
    """Plays inside and just outside March 2026; returns the tracks by name."""
    a = world.track(world.owner, "a")
    b = world.track(world.owner, "b", visibility="private")  # reported all the same
    theirs = world.track(world.other, "theirs")
    world.play(a, at(FROM, 0, 0), rung="128k", seconds=100.0)  # the first instant: in
    world.play(a, at(FROM, 0, 5), rung="128k", seconds=50.5)
    world.play(a, at(TO, 23, 59), rung="256k", seconds=200.0)  # the last hour: in
    world.play(a, at(FROM, 0) - timedelta(minutes=1), rung="128k", seconds=999.0)  # out
    world.play(a, at(TO + timedelta(days=1), 0, 0), rung="128k", seconds=999.0)  # out
    world.play(a, at(date(2026, 3, 10), 12), rung="mp3", seconds=30.0, counted=False)
    world.play(b, at(date(2026, 3, 15), 8), rung="original", seconds=42.0)
    world.play(theirs, at(date(2026, 3, 15), 8), rung="128k", seconds=7.0)
    return {"a": a, "b": b, "theirs": theirs}


def report(who: Any, status: int = 200, **params: Any) -> Any:
    query = {"from": FROM.isoformat(), "to": TO.isoformat(), **params}
    response = who.browser.get("/api/reports/plays", params=query)
    assert response.status_code == status, response.text
    return response


def rows(body: dict[str, Any]) -> set[tuple[Any, ...]]:
    return {(r["track_id"], r["owner"], r["rung"], r["plays"], r["seconds"]) for r in body["rows"]}


def test_report_sums_each_rung_in_the_period(world: World) -> None:
    t = record(world)
    body = report(world.owner).json()
    assert body["from"] == "2026-03-01" and body["to"] == "2026-03-31"
    assert rows(body) == {
        (t["a"], "owner", "128k", 2, 150.5),
        (t["a"], "owner", "256k", 1, 200.0),
        (t["a"], "owner", "mp3", 0, 30.0),  # heard, never counted
        (t["b"], "owner", "original", 1, 42.0),
    }
    first = next(r for r in body["rows"] if r["track_id"] == t["a"])
    assert (first["title"], first["artist"], first["owner_id"]) == (
        "a",
        "Someone",
        world.owner.user_id,
    )
    by_owner = report(world.owner, group="owner").json()
    assert rows(by_owner) == {
        (None, "owner", "128k", 2, 150.5),
        (None, "owner", "256k", 1, 200.0),
        (None, "owner", "mp3", 0, 30.0),
        (None, "owner", "original", 1, 42.0),
    }
    one_day = report(world.owner, to=FROM.isoformat()).json()
    assert rows(one_day) == {(t["a"], "owner", "128k", 2, 150.5)}


def test_each_person_sees_their_own_admins_anyones(world: World) -> None:
    t = record(world)
    assert rows(report(world.other).json()) == {(t["theirs"], "other", "128k", 1, 7.0)}
    report(world.other, 403, owner=world.owner.user_id)
    assert rows(report(world.other, owner=world.other.user_id).json()) == {
        (t["theirs"], "other", "128k", 1, 7.0)
    }
    assert len(report(world.admin, owner=world.owner.user_id).json()["rows"]) == 4
    assert report(world.admin).json()["rows"] == []  # the admin's own tracks: none
    assert (
        world.site.client()
        .get("/api/reports/plays", params={"from": "2026-03-01", "to": "2026-03-31"})
        .status_code
        == 401
    )


def test_csv_has_a_header_and_parses(world: World) -> None:
    t = record(world)
    response = report(world.owner, format="csv")
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    parsed = list(csv.DictReader(io.StringIO(response.text)))
    assert list(parsed[0]) == [
        "track_id",
        "title",
        "artist",
        "owner_id",
        "owner",
        "rung",
        "plays",
        "seconds",
    ]
    assert {(r["track_id"], r["rung"], int(r["plays"]), float(r["seconds"])) for r in parsed} == {
        (t["a"], "128k", 2, 150.5),
        (t["a"], "256k", 1, 200.0),
        (t["a"], "mp3", 0, 30.0),
        (t["b"], "original", 1, 42.0),
    }


def test_bad_periods_are_problems(world: World) -> None:
    for params in (
        {"from": "2026-03-02", "to": "2026-03-01"},
        {"from": "2026-02-30", "to": "2026-03-01"},
        {"from": "yesterday", "to": "2026-03-01"},
        {"from": "2000-01-01", "to": "2026-03-01"},
        {"from": "2026-03-01", "to": "2026-03-01", "group": "album"},
        {"from": "2026-03-01", "to": "2026-03-01", "format": "xml"},
    ):
        response = world.owner.browser.get("/api/reports/plays", params=params)
        assert response.status_code == 422, (params, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
    missing = world.owner.browser.get("/api/reports/plays", params={"to": "2026-03-01"})
    assert missing.status_code == 422


def cli(database_url: str, tmp_path: Path, *args: str) -> Any:
    return CliRunner().invoke(
        main,
        [
            "report",
            "plays",
            "--from",
            FROM.isoformat(),
            "--to",
            TO.isoformat(),
            "--data-dir",
            str(tmp_path / "data"),
            "--database-url",
            database_url,
            *args,
        ],
    )


def test_cli_report(world: World, database_url: str, tmp_path: Path) -> None:
    t = record(world)
    every = cli(database_url, tmp_path, "--format", "csv")
    assert every.exit_code == 0, every.output
    parsed = list(csv.DictReader(io.StringIO(every.stdout)))
    assert {(r["track_id"], r["owner"], r["rung"]) for r in parsed} == {
        (t["a"], "owner", "128k"),
        (t["a"], "owner", "256k"),
        (t["a"], "owner", "mp3"),
        (t["b"], "owner", "original"),
        (t["theirs"], "other", "128k"),
    }
    out = tmp_path / "other.json"
    one = cli(database_url, tmp_path, "--format", "json", "--owner", "Other", "--output", str(out))
    assert one.exit_code == 0, one.output
    body = json.loads(out.read_text())
    assert rows(body) == {(t["theirs"], "other", "128k", 1, 7.0)}
    nobody = cli(database_url, tmp_path, "--owner", "nobody")
    # ``main`` raises the error; the console script (``run``) turns it into exit 3.
    assert isinstance(nobody.exception, NotFound)
    backwards = CliRunner().invoke(
        main,
        [
            "report",
            "plays",
            "--from",
            "2026-03-02",
            "--to",
            "2026-03-01",
            "--data-dir",
            str(tmp_path / "data"),
            "--database-url",
            database_url,
        ],
    )
    assert isinstance(backwards.exception, Invalid)
    bad_day = cli(database_url, tmp_path, "--to", "March")
    assert bad_day.exit_code == 2
