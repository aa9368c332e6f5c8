"""A 5,000-item playlist: reading its header and first page, and moving one item.

    .venv/bin/python bench/library_playlists.py [--items 5000] [--runs 200] [--backend all]

Server-side times (the service calls a route makes, in this process, each in its own
transaction as the route opens it; no HTTP): the header (`GET /api/playlists/{id}`:
counts and duration over every item), the first page of 100 items (`GET .../items`,
each with its TrackOut), and a move of a random item after another random one (`POST
.../items/{id}/move`: the version bump, two neighbour lookups, one row written). On
SQLite (a file in a temp directory) and PostgreSQL (127.0.0.1, a fresh database).
Statistics are gathered after the bulk insert (``ANALYZE``, as autovacuum would).
Prints p50 and p95 per case; the target is p95 < 30 ms.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.fixtures.accounts import build_container, member_viewer, stage
from tests.fixtures.audio import make_audio
from tests.fixtures.database import PG, fresh_database

from tonearm.models import Visibility
from tonearm.playlists import schemas


def timed(runs: int, fn: Callable[[], object]) -> tuple[float, float]:
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def run(backend: str, items: int, runs: int) -> None:
    with tempfile.TemporaryDirectory() as tmp, fresh_database(backend, Path(tmp)) as url:
        c = build_container(Path(tmp) / "data", url)
        try:
            viewer = member_viewer(c, "bench")
            assert viewer.user_id is not None
            song = make_audio(Path(tmp) / "s.flac", seconds=1.5)
            track_ids = [
                str(
                    c.ingest.service.finish(
                        stage(c, song, f"{n}.flac"), viewer.user_id, Visibility.PRIVATE
                    ).track_id
                )
                for n in range(50)
            ]
            pl = c.playlists
            with c.infra.uows() as uow:
                pid = pl.service.create(uow, viewer, schemas.PlaylistCreate(name="big")).id
            for start in range(0, items, 1000):
                batch = [
                    track_ids[n % len(track_ids)] for n in range(start, min(items, start + 1000))
                ]
                with c.infra.uows() as uow:
                    pl.items.add(uow, viewer, pid, batch, after=None, at_end=True)
            with c.infra.uows.read() as session:
                ids = [
                    i.id for i in pl.items.page(session, viewer, pid, offset=0, limit=items).items
                ]
            assert len(ids) == items
            # What autovacuum does after a bulk insert: without statistics PostgreSQL
            # plans the first page as a sort of every item (60 ms instead of 0.3 ms).
            with c.infra.engine.connect() as conn:
                conn.execute(text("ANALYZE"))
                conn.commit()
            rng = random.Random(1)

            def header() -> None:
                with c.infra.uows.read() as session:
                    assert pl.service.get(session, viewer, pid).item_count == items

            def first_page() -> None:
                with c.infra.uows.read() as session:
                    assert (
                        len(pl.items.page(session, viewer, pid, offset=0, limit=100).items) == 100
                    )

            def move() -> None:
                with c.infra.uows() as uow:
                    pl.items.move(uow, viewer, pid, rng.choice(ids), rng.choice(ids))

            for name, fn in (("header", header), ("first 100 items", first_page), ("move", move)):
                fn()  # warm
                p50, p95 = timed(runs, fn)
                print(f"{backend:<10} {name:<16} p50 {p50:6.2f} ms   p95 {p95:6.2f} ms")
        finally:
            c.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--backend", choices=["all", "sqlite", "postgresql"], default="all")
    args = parser.parse_args()
    backends = ["sqlite", "postgresql"] if args.backend == "all" else [args.backend]
    for backend in backends:
        if backend == "postgresql" and not PG:
            print("postgresql: not reachable on 127.0.0.1, skipped")
            continue
        run(backend, args.items, args.runs)


if __name__ == "__main__":
    main()
