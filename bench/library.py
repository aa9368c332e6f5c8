"""What the library's pages cost at scale, on SQLite and PostgreSQL, in process.

    .venv/bin/python bench/library.py [--tracks 100000] [--albums 10000] [--artists 2000]
                                      [--runs 60] [--db sqlite,postgresql] [--only NAME,...]

Builds a library as rows (bulk inserts, no audio: each track gets a fake ready blob)
for three people: ``alice`` owns 90 % of the tracks, half of them public; ``bob`` owns
the rest and is the viewer of every case, so each query filters by visibility as a
member's would. Then each case in ``CASES`` runs ``--runs`` times through the services
(``uows.read()`` and the same calls the routes make, JSON shapes built) and p50/p95 are
printed per case and database. PostgreSQL gets a temporary database, dropped after.

Cases are a registry: another part of the library adds one with ``@case("name")`` on a
function that receives the ``World`` and returns the callable to time.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.fixtures.accounts import build_container, member_viewer
from tests.fixtures.database import PG, fresh_database

from tonearm.accounts.principal import Viewer
from tonearm.container import Container
from tonearm.library.browse import AlbumQuery
from tonearm.library.catalog import album_key, match_key, sort_key
from tonearm.library.service import TrackQuery
from tonearm.models import Album, Artist, Blob, Track, TrackGenre
from tonearm.types import AlbumId, ArtistId

GENRES = ["Rock", "Pop", "Jazz", "Drum & Bass", "Folk", "Soul", "Techno", "Classical"]


@dataclass
class World:
    c: Container
    viewer: Viewer
    owner: Viewer
    artist_ids: list[str]
    album_ids: list[str]
    rng: random.Random = field(default_factory=lambda: random.Random(7))


Case = Callable[[World], Callable[[], object]]
CASES: dict[str, Case] = {}


def case(name: str) -> Callable[[Case], Case]:
    def register(fn: Case) -> Case:
        CASES[name] = fn
        return fn

    return register


@case("albums grid (name, 100)")
def _albums_grid(w: World) -> Callable[[], object]:
    def run() -> object:
        with w.c.infra.uows.read() as s:
            return w.c.catalog.service.albums(s, w.viewer, AlbumQuery(sort="name", order="asc"))

    return run


@case("albums grid (added, offset 5000)")
def _albums_deep(w: World) -> Callable[[], object]:
    def run() -> object:
        with w.c.infra.uows.read() as s:
            return w.c.catalog.service.albums(s, w.viewer, AlbumQuery(offset=5000))

    return run


@case("artists list (name, 100)")
def _artists(w: World) -> Callable[[], object]:
    def run() -> object:
        with w.c.infra.uows.read() as s:
            return w.c.catalog.service.artists(
                s, w.viewer, sort="name", order="asc", offset=0, limit=100
            )

    return run


@case("artist page")
def _artist_page(w: World) -> Callable[[], object]:
    def run() -> object:
        with w.c.infra.uows.read() as s:
            artist = ArtistId(w.rng.choice(w.artist_ids))
            return w.c.catalog.service.artist_detail(s, w.viewer, artist)

    return run


@case("album page")
def _album_page(w: World) -> Callable[[], object]:
    def run() -> object:
        with w.c.infra.uows.read() as s:
            album = AlbumId(w.rng.choice(w.album_ids))
            return w.c.catalog.service.album_detail(s, w.viewer, album)

    return run


@case("tracks by title (100, random offset)")
def _tracks_title(w: World) -> Callable[[], object]:
    def run() -> object:
        with w.c.infra.uows.read() as s:
            query = TrackQuery(sort="title", order="asc", offset=w.rng.randrange(0, 40000))
            return w.c.library.page(s, w.viewer, limit=100, cursor=None, query=query)

    return run


@case("tracks newest (100)")
def _tracks_newest(w: World) -> Callable[[], object]:
    def run() -> object:
        with w.c.infra.uows.read() as s:
            return w.c.library.page(s, w.viewer, limit=100, cursor=None)

    return run


@case("genres")
def _genres(w: World) -> Callable[[], object]:
    def run() -> object:
        with w.c.infra.uows.read() as s:
            return w.c.catalog.service.genres(s, w.viewer)

    return run


def populate(
    c: Container, tracks: int, albums: int, artists: int, *, analyze: bool = True
) -> World:
    owner = member_viewer(c, "alice")
    viewer = member_viewer(c, "bob")
    rng = random.Random(1)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    artist_rows = []
    for i in range(artists):
        name = f"Artist {i:05d} {rng.choice(['Band', 'Trio', 'Ensemble', 'Project'])}"
        artist_rows.append(
            {
                "id": f"ar{i:010d}",
                "name": name,
                "match_key": match_key(name),
                "sort_key": sort_key(name),
                "created_at": start + timedelta(minutes=i),
            }
        )
    album_rows = []
    for i in range(albums):
        artist = artist_rows[i % artists]
        title = f"Album {rng.randrange(10**6):06d} {i}"
        album_rows.append(
            {
                "id": f"al{i:010d}",
                "title": title,
                "artist_id": artist["id"],
                "match_key": album_key(artist["id"], title),
                "sort_key": sort_key(title),
                "compilation": False,
                "year": 1960 + i % 60,
                "created_at": start + timedelta(minutes=i),
            }
        )
    with c.infra.uows() as uow:
        s = uow.session
        s.execute(insert(Artist), artist_rows)
        s.execute(insert(Album), album_rows)
        for first in range(0, tracks, 5000):
            blobs, rows, genres = [], [], []
            for i in range(first, min(tracks, first + 5000)):
                album = album_rows[i % albums]
                blob_hash = f"{i:064x}"
                blobs.append(
                    {
                        "hash": blob_hash,
                        "size": 5_000_000,
                        "refcount": 1,
                        "status": "ready",
                        "playable": True,
                        "format_name": "flac",
                        "codec": "flac",
                        "sample_rate": 44100,
                        "channels": 2,
                        "duration": 180.0 + i % 120,
                        "tags": {},
                        "artwork_sizes": [],
                        "created_at": start,
                        "updated_at": start,
                    }
                )
                mine = i % 10 != 0
                rows.append(
                    {
                        "id": f"tr{i:010d}",
                        "blob_hash": blob_hash,
                        "owner_id": owner.user_id if mine else viewer.user_id,
                        "visibility": "public" if rng.random() < 0.6 else "private",
                        "filename": f"{i}.flac",
                        "title": f"Title {rng.randrange(10**6):06d}",
                        "artist": album["artist_id"],
                        "album": album["title"],
                        "track_number": 1 + (i // albums) % 20,
                        "disc_number": 1,
                        "year": album["year"],
                        "genre": GENRES[i % len(GENRES)],
                        "artist_id": album["artist_id"],
                        "album_id": album["id"],
                        "tags_applied": True,
                        "edited": [],
                        "created_at": start + timedelta(seconds=i),
                        "updated_at": start + timedelta(seconds=i),
                    }
                )
                genre = GENRES[i % len(GENRES)]
                genres.append(
                    {"track_id": f"tr{i:010d}", "genre_key": match_key(genre), "name": genre}
                )
            s.execute(insert(Blob), blobs)
            s.execute(insert(Track), rows)
            s.execute(insert(TrackGenre), genres)
    # Statistics (and on PostgreSQL the visibility map, for index-only scans), as
    # autovacuum would have them on a library that grew over time.
    engine = c.infra.engine
    if not analyze:
        pass
    elif engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
    else:
        with engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
    return World(
        c,
        viewer,
        owner,
        [a["id"] for a in artist_rows],
        [a["id"] for a in album_rows],
    )


def measure(w: World, runs: int, only: set[str] | None) -> dict[str, tuple[float, float]]:
    out = {}
    for name, make in CASES.items():
        if only and name not in only:
            continue
        fn = make(w)
        fn()  # warm
        samples = []
        for _ in range(runs):
            t0 = time.perf_counter()
            fn()
            samples.append((time.perf_counter() - t0) * 1000)
        samples.sort()
        p95 = samples[min(len(samples) - 1, int(len(samples) * 0.95))]
        out[name] = (statistics.median(samples), p95)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--tracks", type=int, default=100_000)
    ap.add_argument("--albums", type=int, default=10_000)
    ap.add_argument("--artists", type=int, default=2_000)
    ap.add_argument("--runs", type=int, default=60)
    ap.add_argument("--db", default="sqlite,postgresql")
    ap.add_argument("--only", default="")
    ap.add_argument(
        "--no-analyze",
        action="store_true",
        help="skip ANALYZE: SQLite then plans without statistics, as a server that never "
        "ran ANALYZE does",
    )
    args = ap.parse_args()
    only = {n.strip() for n in args.only.split(",") if n.strip()} or None
    results: dict[str, dict[str, tuple[float, float]]] = {}
    for backend in args.db.split(","):
        if backend == "postgresql" and not PG:
            print("PostgreSQL is not reachable on 127.0.0.1; skipped")
            continue
        with tempfile.TemporaryDirectory() as tmp, fresh_database(backend, Path(tmp)) as url:
            c = build_container(Path(tmp) / "data", url)
            try:
                t0 = time.perf_counter()
                w = populate(c, args.tracks, args.albums, args.artists, analyze=not args.no_analyze)
                print(f"{backend}: {args.tracks} tracks built in {time.perf_counter() - t0:.0f} s")
                results[backend] = measure(w, args.runs, only)
            finally:
                c.close()
    print(f"\n{'case':<40}" + "".join(f"{b + ' p50/p95 ms':>26}" for b in results))
    names = next(iter(results.values())).keys() if results else []
    for name in names:
        cells = "".join(
            f"{results[b][name][0]:>14.1f} /{results[b][name][1]:>8.1f}  " for b in results
        )
        print(f"{name:<40}{cells}")


if __name__ == "__main__":
    main()
