"""What a chart costs at scale: snapshots, the rollups behind them, and the naive query.

    .venv/bin/python bench/charts.py [--events 1000000] [--tracks 20000] [--users 5000]
                                     [--days 60] [--db sqlite,postgresql] [--runs 40]
                                     [--naive-runs 5] [--refresh-runs 3]

Per database, builds a library of ``--tracks`` tracks (90 % public, 5 % unlisted, 5 %
private; 2,000 artists, 4,000 albums) and ``--events`` play sessions over the last
``--days`` days, Zipf-distributed over tracks (s = 0.9), 80 % counted, 70 % by one of
``--users`` people, the rest anonymous; then the rollups the write side keeps in the
same transactions (``play_hours`` per hour, track and rung; ``track_plays``;
``listener_tracks``). Bulk paths: COPY on PostgreSQL (triggers off, so foreign keys
are not checked row by row), ``executemany`` in 200k-row transactions on SQLite, the
``plays`` indexes built after the load. Then, in the same process, on the same data:

* ``chart``: ``ChartService.chart`` (the API's answer, 50 entries described as
  ``TrackOut`` / ``ArtistOut`` / ``AlbumOut``), served from a fresh snapshot, every
  kind x window x sort, ``--runs`` runs each: p50 / p95 ms;
* ``refresh``: rebuilding one window's snapshot from the rollups (all 6 charts of the
  window, written in one transaction): the first (which also rolls the window's
  ``play_days``, once), then the median of ``--refresh-runs``;
* ``naive``: the top tracks of the window by ``GROUP BY`` over ``plays``
  (``naive_counts`` below, ids and counts only, no description),
  ``--naive-runs`` runs: p50 / p95 ms, and its ratio to the snapshot read.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.fixtures.accounts import build_container
from tests.fixtures.database import PG, fresh_database

from tonearm.accounts.principal import ALL_SCOPES, Viewer
from tonearm.container import Container
from tonearm.listening.charts import KINDS, SORTS, WINDOWS, ChartService, window_bounds
from tonearm.listening.charts_repository import charted
from tonearm.models import Album, Artist, Blob, Play, Role, Track, User
from tonearm.types import UserId

RUNGS = np.array(["64k", "128k", "256k", "mp3", "original"])
RUNG_WEIGHTS = np.array([0.1, 0.45, 0.3, 0.1, 0.05])
CHUNK = 200_000
PLAY_INDEXES = {
    "ix_plays_track_counted": "track_id, counted_at",
    "ix_plays_owner_counted": "owner_id, counted_at",
    "ix_plays_user_started": "user_id, started_at",
    "ix_plays_started": "started_at",
}


def timed(fn: Callable[[], object], runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def p(samples: list[float], q: float) -> float:
    if len(samples) == 1:
        return samples[0]
    return statistics.quantiles(samples, n=100, method="inclusive")[int(q) - 1]


# -- the data ----------------------------------------------------------------------------


class Library:
    def __init__(self, args: argparse.Namespace, now: datetime, rng: np.random.Generator) -> None:
        self.tracks = args.tracks
        self.users = args.users
        self.now = now
        n = args.tracks
        self.owner = rng.integers(0, args.users, n)
        self.visibility = rng.choice(
            np.array(["public", "unlisted", "private"]), n, p=[0.9, 0.05, 0.05]
        )
        self.artist = rng.integers(0, 2000, n)
        self.album = rng.integers(0, 4000, n)
        self.duration_ms = rng.integers(90_000, 420_000, n)


def insert_library(c: Container, lib: Library) -> None:
    def users() -> list[dict[str, Any]]:
        return [
            {
                "id": f"u{i}",
                "username": f"u{i}",
                "username_key": f"u{i}",
                "password_hash": "x",
                "role": "member",
                "disabled": False,
                "created_at": lib.now,
                "password_changed_at": lib.now,
            }
            for i in range(lib.users)
        ]

    artists = [
        {
            "id": f"a{i}",
            "name": f"Artist {i}",
            "match_key": f"a{i}",
            "sort_key": f"artist {i}",
            "created_at": lib.now,
        }
        for i in range(2000)
    ]
    albums = [
        {
            "id": f"l{i}",
            "title": f"Album {i}",
            "artist_id": f"a{i % 2000}",
            "match_key": f"l{i}",
            "sort_key": f"album {i}",
            "compilation": False,
            "created_at": lib.now,
        }
        for i in range(4000)
    ]
    blobs = [
        {
            "hash": f"{i:064x}",
            "size": 1000,
            "refcount": 1,
            "status": "ready",
            "playable": True,
            "format_name": "flac",
            "codec": "flac",
            "sample_rate": 44100,
            "channels": 2,
            "duration": int(lib.duration_ms[i]) / 1000,
            "has_cover": False,
            "original_ext": "flac",
            "tags": {},
            "has_waveform": False,
            "artwork_sizes": [],
            "created_at": lib.now,
            "updated_at": lib.now,
        }
        for i in range(lib.tracks)
    ]
    tracks = [
        {
            "id": f"t{i}",
            "blob_hash": f"{i:064x}",
            "owner_id": f"u{lib.owner[i]}",
            "visibility": str(lib.visibility[i]),
            "filename": f"t{i}.flac",
            "title": f"Track {i}",
            "artist": f"Artist {lib.artist[i]}",
            "artist_id": f"a{lib.artist[i]}",
            "album_id": f"l{lib.album[i]}",
            "compilation": False,
            "edited": [],
            "tags_applied": True,
            "deduplicated": False,
            "created_at": lib.now,
            "updated_at": lib.now,
        }
        for i in range(lib.tracks)
    ]
    with c.infra.engine.begin() as conn:
        for table, rows in (
            (User.__table__, users()),
            (Artist.__table__, artists),
            (Album.__table__, albums),
            (Blob.__table__, blobs),
            (Track.__table__, tracks),
        ):
            conn.execute(table.insert(), rows)  # type: ignore[attr-defined]


class Plays:
    """Every play session as columns, and the rollups built from them."""

    def __init__(self, lib: Library, events: int, days: int, rng: np.random.Generator) -> None:
        ranks = np.arange(1, lib.tracks + 1, dtype=np.float64)
        weights = ranks**-0.9
        order = rng.permutation(lib.tracks)  # popularity unrelated to the id
        self.track = order[rng.choice(lib.tracks, events, p=weights / weights.sum())]
        epoch = int(lib.now.timestamp())
        self.started = epoch - rng.integers(60, days * 86400, events)
        self.counted = rng.random(events) < 0.8
        signed_in = rng.random(events) < 0.7
        self.user = np.where(signed_in, rng.integers(0, lib.users, events), -1)
        self.rung = rng.choice(len(RUNGS), events, p=RUNG_WEIGHTS)
        duration = lib.duration_ms[self.track]
        heard = np.where(self.counted, rng.uniform(0.2, 1.0, events), rng.uniform(0, 0.15, events))
        self.seconds = np.round(duration * heard / 1000, 3)
        self.stop_ms = (duration * heard).astype(np.int64)
        self.duration = duration
        self.owner = lib.owner[self.track]
        self.n = events

    def hours(self) -> tuple[npt.NDArray[Any], ...]:
        """(hour epoch, track, rung, plays, seconds) per hour, track and rung."""
        hour = self.started // 3600
        nt, nr = int(self.track.max()) + 1, len(RUNGS)
        key = (hour * nt + self.track) * nr + self.rung
        keys, inverse = np.unique(key, return_inverse=True)
        plays = np.bincount(inverse, weights=self.counted).astype(np.int64)
        seconds = np.bincount(inverse, weights=self.seconds)
        return (keys // (nt * nr)) * 3600, (keys // nr) % nt, keys % nr, plays, seconds

    def totals(self) -> tuple[npt.NDArray[Any], ...]:
        """(track, plays, seconds, last played) per track with a counted play."""
        m = self.counted
        tracks, inverse = np.unique(self.track[m], return_inverse=True)
        plays = np.bincount(inverse)
        seconds = np.bincount(inverse, weights=self.seconds[m])
        last = np.zeros(len(tracks), dtype=np.int64)
        np.maximum.at(last, inverse, self.started[m])
        return tracks, plays, seconds, last

    def listeners(self) -> tuple[npt.NDArray[Any], ...]:
        m = self.counted & (self.user >= 0)
        nt = int(self.track.max()) + 1
        keys, inverse = np.unique(self.user[m] * nt + self.track[m], return_inverse=True)
        plays = np.bincount(inverse)
        seconds = np.bincount(inverse, weights=self.seconds[m])
        last = np.zeros(len(keys), dtype=np.int64)
        np.maximum.at(last, inverse, self.started[m])
        return keys // nt, keys % nt, plays, seconds, last


def stamps(epochs: npt.NDArray[Any], pg: bool) -> list[str]:
    text_ = np.datetime_as_string(epochs.astype("datetime64[s]"), unit="us").tolist()
    if pg:
        return [s[:10] + " " + s[11:] + "+00" for s in text_]
    return [s[:10] + " " + s[11:] for s in text_]


def play_rows(plays: Plays, pg: bool) -> Iterator[list[tuple[Any, ...]]]:
    for lo in range(0, plays.n, CHUNK):
        hi = min(plays.n, lo + CHUNK)
        started = plays.started[lo:hi]
        start = stamps(started, pg)
        counted = stamps(started + 30, pg)
        ended = stamps(started + plays.seconds[lo:hi].astype(np.int64), pg)
        rows = []
        for j, (t, o, u, r, d, c, s, stop) in enumerate(
            zip(
                plays.track[lo:hi].tolist(),
                plays.owner[lo:hi].tolist(),
                plays.user[lo:hi].tolist(),
                plays.rung[lo:hi].tolist(),
                plays.duration[lo:hi].tolist(),
                plays.counted[lo:hi].tolist(),
                plays.seconds[lo:hi].tolist(),
                plays.stop_ms[lo:hi].tolist(),
                strict=True,
            )
        ):
            i = lo + j
            user = f"u{u}" if u >= 0 else None
            rows.append(
                (
                    f"p{i}",
                    f"t{t}",
                    f"u{o}",
                    user,
                    user or f"anon:p{i}",
                    str(RUNGS[r]),
                    d,
                    start[j],
                    counted[j] if c else None,
                    ended[j],
                    s,
                    stop,
                )
            )
        yield rows


PLAY_COLUMNS = (
    "session, track_id, owner_id, user_id, listener, rung, duration_ms, started_at, "
    "counted_at, ended_at, seconds, stop_ms"
)


def chunks(rows: Iterator[tuple[Any, ...]]) -> Iterator[list[tuple[Any, ...]]]:
    batch: list[tuple[Any, ...]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == CHUNK:
            yield batch
            batch = []
    if batch:
        yield batch


def batches(plays: Plays, pg: bool) -> Iterator[tuple[str, str, list[tuple[Any, ...]]]]:
    """(table, columns, rows) in ``CHUNK``-row batches: sessions, then the rollups."""
    for rows in play_rows(plays, pg):
        yield "plays", PLAY_COLUMNS, rows
    hour, track, rung, n, secs = plays.hours()
    hours = stamps(hour, pg)
    hour_rows = (
        (hours[i], f"t{t}", str(RUNGS[r]), c, s)
        for i, (t, r, c, s) in enumerate(
            zip(track.tolist(), rung.tolist(), n.tolist(), secs.tolist(), strict=True)
        )
    )
    for rows in chunks(hour_rows):
        yield "play_hours", "hour, track_id, rung, plays, seconds", rows
    tracks, tplays, tsecs, tlast = plays.totals()
    tl = stamps(tlast, pg)
    total_rows = (
        (f"t{t}", c, s, tl[i])
        for i, (t, c, s) in enumerate(
            zip(tracks.tolist(), tplays.tolist(), tsecs.tolist(), strict=True)
        )
    )
    for rows in chunks(total_rows):
        yield "track_plays", "track_id, plays, seconds, last_played_at", rows
    users, ltracks, lplays, lsecs, llast = plays.listeners()
    ll = stamps(llast, pg)
    listener_rows = (
        (f"u{u}", f"t{t}", c, s, ll[i])
        for i, (u, t, c, s) in enumerate(
            zip(users.tolist(), ltracks.tolist(), lplays.tolist(), lsecs.tolist(), strict=True)
        )
    )
    for rows in chunks(listener_rows):
        yield "listener_tracks", "user_id, track_id, plays, seconds, last_played_at", rows


def load(engine: Engine, plays: Plays) -> None:
    pg = engine.dialect.name == "postgresql"
    with engine.begin() as conn:
        for name in PLAY_INDEXES:
            conn.execute(text(f"DROP INDEX {name}"))
    raw: Any = engine.raw_connection()
    try:
        driver = raw.driver_connection
        tables = batches(plays, pg)
        if pg:
            cur = driver.cursor()
            for table in ("plays", "play_hours", "track_plays", "listener_tracks"):
                cur.execute(f"ALTER TABLE {table} DISABLE TRIGGER ALL")
            for table, cols, rows in tables:
                with cur.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            for table in ("plays", "play_hours", "track_plays", "listener_tracks"):
                cur.execute(f"ALTER TABLE {table} ENABLE TRIGGER ALL")
            driver.commit()
        else:
            cur = driver.cursor()
            # Foreign keys are not checked row by row, as on PostgreSQL above.
            cur.execute("PRAGMA foreign_keys=OFF")
            for table, cols, rows in tables:
                marks = ", ".join("?" * len(cols.split(",")))
                cur.execute("BEGIN")
                cur.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})", rows)  # noqa: S608
                cur.execute("COMMIT")
            cur.execute("PRAGMA foreign_keys=ON")
    finally:
        raw.close()
    with engine.begin() as conn:
        for name, cols in PLAY_INDEXES.items():
            conn.execute(text(f"CREATE INDEX {name} ON plays ({cols})"))
    with engine.begin() as conn:
        conn.execute(text("ANALYZE"))


def count(engine: Engine, table: str) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())  # noqa: S608


# -- the measurements --------------------------------------------------------------------


def naive_counts(session: Session, start: datetime | None, now: datetime) -> list[Any]:
    """The top 100 tracks of a window straight from ``plays`` (GROUP BY over every
    counted play in it): what a server without rollups would do."""
    query = (
        select(Play.track_id, func.count())
        .join(Track, Track.id == Play.track_id)
        .where(Play.counted_at.is_not(None), charted(now))
        .group_by(Play.track_id)
        .order_by(func.count().desc())
        .limit(100)
    )
    if start is not None:
        query = query.where(Play.counted_at >= start)
    return list(session.execute(query))


def measure(c: Container, args: argparse.Namespace, label: str) -> None:
    charts: ChartService = c.charts.charts
    viewer = Viewer(user_id=UserId("u0"), role=Role.MEMBER, scopes=ALL_SCOPES, via="session")
    print(
        f"\n== {label}: snapshot refresh (the first rolls the daily totals it needs; "
        f"then the median of {args.refresh_runs}) =="
    )
    for window in WINDOWS:
        first = timed(lambda w=window: charts.refresh(w), 1)[0]  # type: ignore[misc]
        ms = timed(lambda w=window: charts.refresh(w), args.refresh_runs)  # type: ignore[misc]
        print(f"  refresh {window:>4}: first {first:8.0f} ms, then {statistics.median(ms):8.0f} ms")
    print(f"\n== {label}: GET /api/charts from the snapshot, {args.runs} runs each ==")
    print(f"  {'chart':<26} {'p50 ms':>8} {'p95 ms':>8} {'entries':>8}")
    reads: dict[tuple[str, str], float] = {}
    for window in WINDOWS:
        for kind in KINDS:
            for sort in SORTS:
                if sort == "trending" and WINDOWS[window] is None:
                    continue
                got = charts.chart(viewer, kind, window, sort, 50)
                ms = timed(
                    lambda k=kind, w=window, s=sort: charts.chart(viewer, k, w, s, 50), args.runs
                )  # type: ignore[misc]
                reads[(kind, window, sort)] = p(ms, 95)  # type: ignore[index]
                print(
                    f"  {kind + ' ' + window + ' ' + sort:<26} {p(ms, 50):8.1f} {p(ms, 95):8.1f}"
                    f" {len(got.entries):8d}"
                )
    worst = max(reads.values())
    print(f"  worst p95: {worst:.1f} ms")
    print(f"\n== {label}: naive GROUP BY over plays (top tracks), {args.naive_runs} runs ==")
    now = datetime.now(UTC)
    for window in WINDOWS:
        bounds = window_bounds(window, now)
        start = bounds.start if bounds else None

        def naive(s: datetime | None = start) -> object:
            with c.infra.uows.read() as session:
                return naive_counts(session, s, now)

        ms = timed(naive, args.naive_runs)
        snap = reads[("tracks", window, "top")]  # type: ignore[index]
        print(
            f"  naive tracks {window:>4} top: p50 {p(ms, 50):8.1f} ms  p95 {p(ms, 95):8.1f} ms"
            f"  ({p(ms, 95) / snap:.1f}x the snapshot read's p95)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--tracks", type=int, default=20_000)
    parser.add_argument("--users", type=int, default=5_000)
    parser.add_argument("--days", type=int, default=60)
    parser.add_argument("--db", default="sqlite,postgresql")
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--naive-runs", type=int, default=5)
    parser.add_argument("--refresh-runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=17)
    args = parser.parse_args()
    now = datetime.now(UTC)
    rng = np.random.default_rng(args.seed)
    t0 = time.perf_counter()
    lib = Library(args, now, rng)
    plays = Plays(lib, args.events, args.days, rng)
    print(f"generated {args.events:,} play sessions in {time.perf_counter() - t0:.0f} s")
    for backend in args.db.split(","):
        if backend == "postgresql" and not PG:
            print("PostgreSQL is not reachable: skipped")
            continue
        with tempfile.TemporaryDirectory() as tmp, fresh_database(backend, Path(tmp)) as url:
            # Snapshots are read as served between refreshes; refreshes are timed apart.
            c = build_container(
                Path(tmp) / "data", url, listening={"chart_refresh_s": 10 * 86400.0}
            )
            try:
                t0 = time.perf_counter()
                insert_library(c, lib)
                load(c.infra.engine, plays)
                loaded = time.perf_counter() - t0
                sizes = {
                    t: count(c.infra.engine, t) for t in ("plays", "play_hours", "listener_tracks")
                }
                print(
                    f"\n{backend}: loaded in {loaded:.0f} s: "
                    + ", ".join(f"{t} {n:,}" for t, n in sizes.items())
                )
                measure(c, args, f"{backend}, {args.events:,} events")
            finally:
                c.close()


if __name__ == "__main__":
    main()
