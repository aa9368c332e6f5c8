"""Radio and similar tracks at scale: next-track and similar latency over synthetic
descriptors, beside a plain random pick in the same run.

    .venv/bin/python bench/radio.py [--tracks 100000] [--runs 100] [--db sqlite,postgresql]

The library is ``bench/library.py``'s (bulk rows, fake ready blobs, ``bob`` the viewer:
his 10 % plus the public 60 % of the rest); every blob gets a descriptor row drawn
around one of 300 centres (clusters, as real libraries have), inserted in bulk. Cases,
each through the services as the routes call them (``uows()``, TrackOut built):

* ``random pick``: the baseline, ten visible tracks ``ORDER BY random()``;
* ``similar``: ``GET /api/tracks/{id}/similar`` (20);
* ``radio next 1`` and ``radio next 10``: ``POST /api/radio/{id}/next`` (count 1, 10);
* ``exact scan``: numpy distance + top 100 over the whole matrix, no database.

Target (issue 16): radio next-track p95 < 50 ms at 100k tracks.
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from sqlalchemy import func, insert, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.fixtures.accounts import build_container
from tests.fixtures.database import PG, fresh_database

from tonearm.media.descriptors import DESCRIPTOR_VERSION, SIZE
from tonearm.models import BlobFeatures, Track, utcnow
from tonearm.radio.schemas import SeedIn
from tonearm.types import RadioId, TrackId

ROOT = Path(__file__).resolve().parents[1]


def _library_bench():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("bench_library", ROOT / "bench" / "library.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_library"] = module  # its dataclasses look themselves up there
    spec.loader.exec_module(module)
    return module


def add_descriptors(c, tracks: int) -> None:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(7)
    scale = rng.uniform(0.1, 10.0, SIZE).astype(np.float32)
    centres = rng.normal(0.0, 1.0, (300, SIZE)).astype(np.float32) * scale
    now = utcnow()
    with c.infra.uows() as uow:
        for first in range(0, tracks, 5000):
            n = min(tracks, first + 5000) - first
            which = rng.integers(0, len(centres), n)
            vectors = centres[which] + rng.normal(0.0, 0.4, (n, SIZE)).astype(np.float32) * scale
            uow.session.execute(
                insert(BlobFeatures),
                [
                    {
                        "blob_hash": f"{first + i:064x}",
                        "version": DESCRIPTOR_VERSION,
                        "vector": vectors[i].astype("<f4").tobytes(),
                        "tempo_bpm": 120.0,
                        "key": "C",
                        "mode": "major",
                        "computed_at": now,
                    }
                    for i in range(n)
                ],
            )


def timed(fn: Callable[[], object], runs: int) -> tuple[float, float]:
    fn()  # warm: caches, the matrix
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[max(0, int(0.95 * len(samples)) - 1)]


def run(backend: str, tracks: int, runs: int) -> dict[str, tuple[float, float]]:
    library = _library_bench()
    with tempfile.TemporaryDirectory() as tmp, fresh_database(backend, Path(tmp)) as url:
        c = build_container(Path(tmp) / "data", url)
        try:
            t0 = time.perf_counter()
            w = library.populate(c, tracks, max(1, tracks // 10), max(1, tracks // 50))
            add_descriptors(c, tracks)
            print(
                f"  {backend}: {tracks} tracks with descriptors in {time.perf_counter() - t0:.0f} s"
            )
            viewer = w.viewer
            radio = c.radio.service
            access = c.library.access
            with c.infra.uows.read() as session:
                start = time.perf_counter()
                matrix = c.radio.index.matrix(session)
                load_ms = (time.perf_counter() - start) * 1000
                seed = TrackId(
                    session.scalar(
                        select(Track.id).where(access.cataloged(viewer)).order_by(Track.id).limit(1)
                    )
                )
            print(f"  matrix load (cold, once per process and change): {load_ms:.0f} ms")
            with c.infra.uows() as uow:
                made = radio.create(uow, viewer, SeedIn(kind="track", id=seed))
            radio_id = RadioId(made.id)

            def random_pick() -> object:
                with c.infra.uows.read() as session:
                    ids = session.scalars(
                        select(Track)
                        .where(access.cataloged(viewer))
                        .order_by(func.random())
                        .limit(10)
                    ).all()
                    return c.library.describe(session, viewer, list(ids))

            def similar() -> object:
                with c.infra.uows.read() as session:
                    return radio.similar(session, viewer, seed, 20)

            def next_n(count: int) -> Callable[[], object]:
                def go() -> object:
                    with c.infra.uows() as uow:
                        return radio.next(uow, viewer, radio_id, count)

                return go

            point = matrix.rows[0]
            return {
                "random pick (baseline)": timed(random_pick, runs),
                "similar (20)": timed(similar, runs),
                "radio next 1": timed(next_n(1), runs),
                "radio next 10": timed(next_n(10), runs),
                "exact scan (numpy only)": timed(lambda: matrix.nearest(point, 100), runs),
            }
        finally:
            c.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tracks", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--db", default="sqlite,postgresql" if PG else "sqlite")
    args = parser.parse_args()
    results = {}
    for backend in args.db.split(","):
        results[backend] = run(backend, args.tracks, args.runs)
    print(f"\n{args.tracks} tracks, {args.runs} runs each, milliseconds (p50 / p95)")
    names = list(next(iter(results.values())))
    print(f"{'case':<26}" + "".join(f"{b:>22}" for b in results))
    for name in names:
        cells = "".join(
            f"{results[b][name][0]:>10.1f} / {results[b][name][1]:>7.1f}" for b in results
        )
        print(f"{name:<26}{cells}")


if __name__ == "__main__":
    main()
