"""What search costs at scale, per query shape, beside a LIKE scan and plain FTS5.

    .venv/bin/python bench/search.py [--tracks 100000] [--db sqlite,postgresql] [--runs 40]

Builds the catalogue of ``tests/search/catalogue.py`` (anchors in several scripts among
made-up names; 15 % of tracks with six synced lyric lines) as bulk rows, indexes it with
the real ``search.index.rebuild`` and then, per query shape, times ``--runs`` different
queries of that shape through ``SearchService.search`` (all five kinds, described as
the API answers them) and ``SearchService.tracks`` (ranked ids only). In the same run,
on the same queries:

* ``like``: ``title/artist/album LIKE '%q%'`` over ``tracks`` (what a plain server
  does), first 10 rows;
* ``fts5 plain`` (SQLite): an FTS5 table over the raw tags with the default tokenizer,
  no folding, no typo layer, every word a prefix, ranked by bm25, first 10 rows.

Prints p50 and p95 in milliseconds per shape and database.
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

from tests.fixtures.accounts import build_container, member_viewer
from tests.fixtures.database import PG, fresh_database
from tests.search.catalogue import ANCHORS, populate

from tonearm.container import Container
from tonearm.media.lyrics import parse_lyrics
from tonearm.search import normalize
from tonearm.search.index import rebuild
from tonearm.search.service import KINDS

SHAPES = (
    "1-letter prefix",
    "3-letter prefix",
    "two words",
    "typo",
    "transliterated",
    "accent-free",
    "lyrics phrase",
)


def _queries(c: Container, rng: random.Random, runs: int) -> dict[str, list[str]]:
    """``runs`` queries per shape, drawn from the catalogue itself."""
    with c.infra.uows.read() as s:
        rows = s.execute(
            text("SELECT title, artist, lyrics FROM tracks ORDER BY id LIMIT 20000")
        ).all()
    latin = [
        w
        for r in rows
        for w in (r.title or "").split()
        if w.isascii() and w.isalpha() and len(w) >= 5
    ]
    accented = [
        w
        for r in rows
        for w in (r.title or "").split()
        if not w.isascii() and normalize.tokens(w) and normalize.tokens(w)[0].isascii()
    ]
    cyrillic = [w for r in rows for w in (r.title or "").split() if "\u0400" <= w[0] <= "\u04ff"]
    lines = [
        line.text
        for r in rows
        if r.lyrics
        for line in parse_lyrics(r.lyrics).lines
        if len(line.text.split()) >= 3
    ]
    pairs = [(r.artist, r.title) for r in rows if r.artist and r.title]
    out: dict[str, list[str]] = {s: [] for s in SHAPES}
    for _ in range(runs):
        out["1-letter prefix"].append(rng.choice("abdefgklmnoprstvz"))
        out["3-letter prefix"].append(rng.choice(latin)[:3].lower())
        artist, title = rng.choice(pairs)
        out["two words"].append(f"{artist.split()[0]} {title.split()[0]}")
        word = rng.choice(latin).lower()
        i = rng.randrange(1, len(word) - 1)
        out["typo"].append(word[:i] + word[i + 1] + word[i] + word[i + 2 :])  # a swap
        out["transliterated"].append(" ".join(normalize.tokens(rng.choice(cyrillic))))
        out["accent-free"].append(" ".join(normalize.tokens(rng.choice(accented))))
        out["lyrics phrase"].append(" ".join(rng.choice(lines).split()[:3]))
    # A few real names of the anchors too.
    out["transliterated"][:3] = ["kino", "zemfira", "mumiy troll"]
    out["accent-free"][:3] = ["royksopp", "dodheimsgard", "motley crue"]
    assert ANCHORS
    return out


def _time(fn: Callable[[], object], runs: int) -> tuple[float, float]:
    fn()  # warm
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[max(0, int(len(times) * 0.95) - 1)]


def _per_query(queries: list[str], fn: Callable[[str], object]) -> Callable[[], object]:
    it = iter(queries * 1000)
    return lambda: fn(next(it))


def _plain_fts(c: Container) -> None:
    with c.infra.uows() as uow:
        uow.session.execute(
            text("CREATE VIRTUAL TABLE bench_plain USING fts5(title, artist, album)")
        )
        uow.session.execute(
            text(
                "INSERT INTO bench_plain(title, artist, album)"
                " SELECT title, artist, album FROM tracks"
            )
        )


def _fts_query(q: str) -> str:
    words = "".join(ch if ch.isalnum() else " " for ch in q).split()
    return " AND ".join(f'"{w}"*' for w in words) or '""'


def run(backend: str, tracks: int, runs: int) -> None:
    with tempfile.TemporaryDirectory() as tmp, fresh_database(backend, Path(tmp)) as url:
        c = build_container(Path(tmp) / "data", url)
        try:
            owner = member_viewer(c, "curator")
            assert owner.user_id is not None
            started = time.perf_counter()
            populate(c, owner.user_id, tracks, batch=50_000)
            built = time.perf_counter() - started
            started = time.perf_counter()
            rebuild(c.infra.uows, lambda stage, done, total: None, batch=5000)
            indexed = time.perf_counter() - started
            if backend == "sqlite":
                _plain_fts(c)
            c.refresh_statistics()
            if backend == "postgresql":  # what autovacuum would have done by now
                with c.infra.uows() as uow:
                    uow.session.execute(text("ANALYZE"))
            viewer = member_viewer(c, "listener")
            queries = _queries(c, random.Random(3), runs)
            print(
                f"\n{backend}: {tracks} tracks (rows {built:.0f} s, index {indexed:.0f} s),"
                f" {runs} queries per shape; p50 / p95 ms"
            )
            print(
                f"{'shape':18} {'search':>15} {'ids only':>15} {'LIKE scan':>15} {'FTS5 plain':>15}"
            )
            like_sql = text(
                "SELECT id FROM tracks WHERE lower(title) LIKE :p OR lower(artist) LIKE :p"
                " OR lower(album) LIKE :p LIMIT 10"
            )
            plain_sql = text(
                "SELECT rowid FROM bench_plain WHERE bench_plain MATCH :q ORDER BY rank LIMIT 10"
            )
            for shape in SHAPES:
                qs = queries[shape]

                def search(q: str) -> object:
                    with c.infra.uows.read() as s:
                        return c.search.service.search(s, viewer, q, KINDS, 10)

                def ids(q: str) -> object:
                    with c.infra.uows.read() as s:
                        return c.search.service.tracks(s, viewer, q, 10)

                def like(q: str) -> object:
                    with c.infra.uows.read() as s:
                        return s.execute(like_sql, {"p": f"%{q.lower()}%"}).all()

                def plain(q: str) -> object:
                    with c.infra.uows.read() as s:
                        return s.execute(plain_sql, {"q": _fts_query(q)}).all()

                cells = [_time(_per_query(qs, search), runs), _time(_per_query(qs, ids), runs)]
                cells.append(_time(_per_query(qs, like), min(runs, 10)))
                if backend == "sqlite":
                    cells.append(_time(_per_query(qs, plain), runs))
                shown = " ".join(f"{p50:7.1f} /{p95:6.1f}" for p50, p95 in cells)
                print(f"{shape:18} {shown}", flush=True)
        finally:
            c.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tracks", type=int, default=100_000)
    parser.add_argument("--db", default="sqlite,postgresql")
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()
    for backend in args.db.split(","):
        if backend == "postgresql" and not PG:
            print("PostgreSQL is not reachable on 127.0.0.1: skipped")
            continue
        run(backend, args.tracks, args.runs)


if __name__ == "__main__":
    main()
