"""The Subsonic API side by side with supysonic, same library, same client, same run.

    .venv/bin/python bench/subsonic.py [--tracks 10000] [--requests 200] [--warmup 10]
                                       [--supysonic-analyze] [--keep DIR]
                                       [--tonearm-auth token|password|apikey]

One seeded generator makes a library of ``--tracks`` tracks, ``tracks / 10`` albums of
ten tracks and ``tracks / 100`` artists of ten albums (made-up names; one track in ~N/300
has "Zephyr" in its title, so ``search3`` for it matches a few hundred), pointing at four
real 30 s MP3 files made here with ffmpeg. Both servers get that library:

* **tonearm**: a real ``tonearm serve`` on a fresh data directory (SQLite, as a first
  run has it). The four files are uploaded and processed for real; every other track is
  a bulk row pointing at one of their blobs (``bench/library.py`` does the same), then
  the search index is rebuilt and statistics refreshed, as ``tonearm import`` leaves
  them. Calls authenticate as apps do, ``u`` + ``t`` + ``s`` (a new salt each request)
  with a Subsonic app password made in Settings; ``--tonearm-auth password`` sends
  ``u`` + ``p`` instead (as supysonic is called), ``apikey`` a personal API token.
* **supysonic** 0.7.9 (PyPI), in its own virtual environment ``.bench/supysonic-venv``
  (made once, beside tonearm's, never inside it), served by its own
  ``supysonic-server`` under waitress, one process (waitress's default four threads).
  Its database is written by ``bench/supysonic_seed.py`` through supysonic's own
  models, tracks being symlinks to the four files. Calls authenticate with ``u`` + ``p``.
  supysonic never runs ANALYZE; ``--supysonic-analyze`` runs it once after seeding.

Then one httpx client (keep-alive, JSON answers) sends each call ``--warmup`` times,
then ``--requests`` times, to each server, the two taking turns request by request (so
a change of load on the machine falls on both alike), and times it to the last byte of
the answer (``stream``: to the first byte of the body; the rest is read untimed so the
connection stays open). ``stream`` is asked twice: with no format, as most apps ask
(each server sends what its song entry describes), and with ``format=raw``, the
original file from both. Ids are drawn from the same seeded
sequence for both servers. Prints p50 / p95 per call and server, and tonearm's p95
over supysonic's (target: at most 0.5 on each). A call a server answers with an error
is reported, not timed. Exits 0 whatever the figures: benchmarks report, tests assert.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import insert, select, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.fixtures.accounts import build_container
from tests.fixtures.server import ADMIN, Server, free_port
from tests.fixtures.server import PASSWORD as SIGN_IN

from tonearm.library.catalog import album_key, match_key, sort_key
from tonearm.models import Album, Artist, Track, TrackGenre
from tonearm.search.index import rebuild
from tonearm.subsonic import mapping

ROOT = Path(__file__).resolve().parents[1]
SUPYSONIC = "supysonic==0.7.9"
VENV = ROOT / ".bench" / "supysonic-venv"
SEED = ROOT / "bench" / "supysonic_seed.py"
USER, PASSWORD = "bench", "bench password"
QUERY = "Zephyr"
AUDIO_FILES = 4
AUDIO_SECONDS = 30
AUDIO_KBPS = 128
GENRES = ["Rock", "Pop", "Jazz", "Folk", "Soul", "Techno", "Classical", "Ambient"]
SYLLABLES = [
    "ka", "lo", "mi", "ran", "te", "vo", "sa", "del", "mar", "no", "bi", "tu", "ren", "qua",
    "fi", "go", "shi", "pe", "lan", "dor", "ve", "ni", "ho", "sta", "cu", "mel", "ri", "an",
]  # fmt: skip
"""No 'z' nor 'y': no generated name contains the search word."""


# -- the library ---------------------------------------------------------------------------


def _word(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(1, 3))).capitalize()


def _name(rng: random.Random, lo: int, hi: int) -> str:
    return " ".join(_word(rng) for _ in range(rng.randint(lo, hi)))


def _unique(rng: random.Random, taken: set[str], lo: int, hi: int) -> str:
    while True:
        name = _name(rng, lo, hi)
        if match_key(name) not in taken:
            taken.add(match_key(name))
            return name


def generate(tracks: int, audio: list[dict[str, Any]], seed: int = 18) -> dict[str, Any]:
    """The library both servers get: plain JSON, so supysonic's seeder reads the same."""
    rng = random.Random(seed)
    start = datetime(2025, 1, 1)
    n_albums = max(1, tracks // 10)
    n_artists = max(1, tracks // 100)
    taken: set[str] = set()
    artists = [
        {
            "id": f"{rng.getrandbits(128):032x}",
            "name": (name := _unique(rng, taken, 1, 2)),
            "dir": name,
            "created": start.isoformat(),
        }
        for _ in range(n_artists)
    ]
    titles: set[str] = set()
    albums = []
    for i in range(n_albums):
        title = _unique(rng, titles, 1, 3)
        albums.append(
            {
                "id": f"{rng.getrandbits(128):032x}",
                "title": title,
                "dir": title,
                "artist": i % n_artists,
                "year": 1960 + rng.randrange(65),
                # Albums arrive at random minutes, in an order unrelated to their names.
                "created": (start + timedelta(minutes=rng.randrange(10 * n_albums))).isoformat(),
            }
        )
    every = max(1, tracks // 300)
    rows = []
    for i in range(tracks):
        album_index = i % n_albums
        album = albums[album_index]
        title = _name(rng, 1, 3)
        if i % every == 0:
            title = f"{QUERY} {title}"
        number = 1 + i // n_albums
        rows.append(
            {
                "id": f"{rng.getrandbits(128):032x}",
                "title": title,
                "file": f"{title}.mp3",
                "album": album_index,
                "number": number,
                "genre": GENRES[album_index % len(GENRES)],
                "audio": i % len(audio),
                "created": (
                    datetime.fromisoformat(album["created"]) + timedelta(seconds=number)
                ).isoformat(),
            }
        )
    return {"artists": artists, "albums": albums, "tracks": rows, "audio": audio}


def make_audio(folder: Path) -> list[dict[str, Any]]:
    """A few real MP3 files without tags (sines of different pitch: different bytes)."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for k in range(AUDIO_FILES):
        path = folder / f"sine-{k}.mp3"
        subprocess.run(
            ["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
             f"sine=frequency={220 * (k + 1)}:duration={AUDIO_SECONDS}:sample_rate=44100",
             "-ac", "2", "-c:a", "libmp3lame", "-b:a", f"{AUDIO_KBPS}k",
             "-map_metadata", "-1", str(path)],
            check=True,
        )  # fmt: skip
        out.append({"path": str(path), "seconds": AUDIO_SECONDS, "kbps": AUDIO_KBPS})
    return out


# -- tonearm ---------------------------------------------------------------------------------


def tonearm_library(work: Path, lib: dict[str, Any]) -> tuple[Path, str, dict[int, str]]:
    """tonearm's data directory and database with ``lib`` in it. Returns them and the
    tracks whose ids tonearm chose (the uploaded ones), by index in the library."""
    data, url = work / "tonearm", f"sqlite:///{work / 'tonearm.db'}"
    server = Server(data, url)
    try:
        uploaded = [
            server.wait_ready(server.upload(Path(a["path"])).json()["id"])["id"]
            for a in lib["audio"]
        ]
    finally:
        server.stop()
    c = build_container(data, url)
    try:
        with c.infra.uows() as uow:
            s = uow.session
            owner = s.scalar(text("SELECT owner_id FROM tracks LIMIT 1"))
            blob_of = {r.id: r.blob_hash for r in s.execute(select(Track.id, Track.blob_hash))}
            blobs = [blob_of[t] for t in uploaded]
            s.execute(insert(Artist), [_artist_row(a) for a in lib["artists"]])
            s.execute(insert(Album), [_album_row(a, lib) for a in lib["albums"]])
            # The uploads become the library's first tracks (same audio, tags as generated).
            s.execute(text("DELETE FROM track_genres"))
            for i, track_id in enumerate(uploaded):
                row = _track_row(lib["tracks"][i], lib, owner, blobs)
                row.pop("id")
                s.query(Track).filter(Track.id == track_id).update(row)
            batch: list[dict[str, Any]] = []
            for i, t in enumerate(lib["tracks"]):
                if i >= len(uploaded):
                    batch.append(_track_row(t, lib, owner, blobs))
                if len(batch) >= 5000:
                    s.execute(insert(Track), batch)
                    batch = []
            if batch:
                s.execute(insert(Track), batch)
            ids = [
                uploaded[i] if i < len(uploaded) else t["id"] for i, t in enumerate(lib["tracks"])
            ]
            genres = [
                {"track_id": ids[i], "genre_key": match_key(t["genre"]), "name": t["genre"]}
                for i, t in enumerate(lib["tracks"])
            ]
            for first in range(0, len(genres), 20_000):
                s.execute(insert(TrackGenre), genres[first : first + 20_000])
            s.execute(
                text(
                    "UPDATE blobs SET refcount ="
                    " (SELECT count(*) FROM tracks WHERE tracks.blob_hash = blobs.hash)"
                )
            )
            # Whatever the untagged uploads were filed under, nothing is left in it.
            s.execute(text("DELETE FROM albums WHERE id NOT IN (SELECT album_id FROM tracks"
                           " WHERE album_id IS NOT NULL)"))  # fmt: skip
            s.execute(text("DELETE FROM artists WHERE id NOT IN (SELECT artist_id FROM albums)"
                           " AND id NOT IN (SELECT artist_id FROM tracks"
                           " WHERE artist_id IS NOT NULL)"))  # fmt: skip
        rebuild(c.infra.uows, lambda stage, done, total: None, batch=5000)
        c.refresh_statistics()
    finally:
        c.close()
    return data, url, dict(enumerate(uploaded))


def _utc(iso: str) -> datetime:
    return datetime.fromisoformat(iso).replace(tzinfo=UTC)


def _artist_row(a: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": a["id"],
        "name": a["name"],
        "match_key": match_key(a["name"]),
        "sort_key": sort_key(a["name"]),
        "created_at": _utc(a["created"]),
    }


def _album_row(a: dict[str, Any], lib: dict[str, Any]) -> dict[str, Any]:
    artist = lib["artists"][a["artist"]]["id"]
    return {
        "id": a["id"],
        "title": a["title"],
        "artist_id": artist,
        "match_key": album_key(artist, a["title"]),
        "sort_key": sort_key(a["title"]),
        "compilation": False,
        "year": a["year"],
        "created_at": _utc(a["created"]),
    }


def _track_row(
    t: dict[str, Any], lib: dict[str, Any], owner: str, blobs: list[str]
) -> dict[str, Any]:
    album = lib["albums"][t["album"]]
    artist = lib["artists"][album["artist"]]
    return {
        "id": t["id"],
        "blob_hash": blobs[t["audio"]],
        "owner_id": owner,
        "visibility": "public",
        "filename": t["file"],
        "title": t["title"],
        "artist": artist["name"],
        "album": album["title"],
        "album_artist": None,
        "track_number": t["number"],
        "disc_number": 1,
        "year": album["year"],
        "genre": t["genre"],
        "compilation": False,
        "edited": [],
        "artist_id": artist["id"],
        "album_id": album["id"],
        "tags_applied": True,
        "deduplicated": False,
        "created_at": _utc(t["created"]),
        "updated_at": _utc(t["created"]),
    }


# -- supysonic -------------------------------------------------------------------------------


def supysonic_python() -> Path:
    """supysonic's own virtual environment, made once (tonearm's is left alone)."""
    python = VENV / "bin" / "python"
    if (VENV / "bin" / "supysonic-server").is_file() and (VENV / ".ready").is_file():
        return python
    print(f"creating {VENV} with {SUPYSONIC} and waitress (once)", flush=True)
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(VENV)], check=True)
    pip = subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check",
         SUPYSONIC, "waitress"],
        capture_output=True,
        text=True,
        check=False,
    )  # fmt: skip
    if pip.returncode != 0:
        sys.exit(f"pip could not install {SUPYSONIC}:\n{pip.stdout}{pip.stderr}")
    (VENV / ".ready").write_text(SUPYSONIC + "\n")
    return python


def supysonic_library(work: Path, lib: dict[str, Any], *, analyze: bool) -> Path:
    """supysonic's configuration folder (``supysonic.conf``) with ``lib`` in its database."""
    python = supysonic_python()
    home = work / "supysonic"
    home.mkdir()
    (home / "supysonic.conf").write_text(
        f"[base]\ndatabase_uri = sqlite:///{home / 'supysonic.db'}\n\n"
        f"[webapp]\ncache_dir = {home / 'cache'}\nlog_level = WARNING\n"
    )
    spec = work / "library.json"
    spec.write_text(json.dumps(lib))
    subprocess.run(
        [str(python), str(SEED), str(home / "supysonic.conf"), str(spec), str(work / "music"),
         USER, PASSWORD, *(["--analyze"] if analyze else [])],
        check=True,
        cwd=home,
    )  # fmt: skip
    return home


@contextmanager
def supysonic_server(home: Path) -> Iterator[str]:
    """``supysonic-server`` (waitress, one process) on 127.0.0.1; yields its URL."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = (home / "server.log").open("ab")
    proc = subprocess.Popen(
        [str(VENV / "bin" / "supysonic-server"), "-S", "waitress", "-h", "127.0.0.1",
         "-p", str(port)],
        cwd=home,  # it reads ./supysonic.conf
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        ping = {"u": USER, "p": PASSWORD, "v": "1.12.0", "c": "bench", "f": "json"}
        while True:
            try:
                if httpx.get(f"{url}/rest/ping", params=ping, timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"supysonic-server did not start:\n{_tail(home / 'server.log')}")
            time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def tonearm_auth(server: Server, how: str) -> Callable[[], dict[str, str]]:
    """Credentials for tonearm: its admin's personal token, or a Subsonic app password
    made in Settings as a person would (signed in to the page)."""
    if how == "apikey":
        return lambda: {"apiKey": server.token}
    with httpx.Client(base_url=server.url, timeout=60) as browser:
        r = browser.post("/api/auth/login", json={"username": ADMIN, "password": SIGN_IN})
        r.raise_for_status()
        made = browser.post(
            "/api/me/subsonic-password", headers={"X-CSRF-Token": r.json()["csrf_token"]}
        )
        made.raise_for_status()
        password: str = made.json()["password"]
    if how == "password":
        return lambda: {"u": ADMIN, "p": password}

    def token() -> dict[str, str]:
        salt = secrets.token_hex(6)
        digest = hashlib.md5((password + salt).encode(), usedforsecurity=False).hexdigest()
        return {"u": ADMIN, "t": digest, "s": salt}

    return token


def _tail(path: Path) -> str:
    return path.read_text(errors="replace")[-3000:] if path.exists() else ""


# -- the client ------------------------------------------------------------------------------


@dataclass
class Target:
    name: str
    url: str
    auth: Callable[[], dict[str, str]]
    """Credentials for one request (token auth draws a new salt each time, as apps do)."""
    album_id: Callable[[int], str]
    song_id: Callable[[int], str]


@dataclass
class Call:
    name: str
    method: str
    params: Callable[[random.Random], dict[str, str]]
    first_byte: bool = False


def calls(target: Target, lib: dict[str, Any]) -> list[Call]:
    albums, tracks = len(lib["albums"]), len(lib["tracks"])
    return [
        Call("ping (the floor)", "ping", lambda rng: {}),
        Call("getArtists", "getArtists", lambda rng: {}),
        Call(
            "getAlbumList2 alphabetical 50",
            "getAlbumList2",
            lambda rng: {"type": "alphabeticalByName", "size": "50"},
        ),
        Call(
            "getAlbumList2 newest 50", "getAlbumList2", lambda rng: {"type": "newest", "size": "50"}
        ),
        Call("getAlbum", "getAlbum", lambda rng: {"id": target.album_id(rng.randrange(albums))}),
        Call("search3", "search3", lambda rng: {"query": QUERY.lower()}),
        Call(
            "stream (first byte)",
            "stream",
            lambda rng: {"id": target.song_id(rng.randrange(tracks))},
            first_byte=True,
        ),
        Call(
            "stream format=raw (first byte)",
            "stream",
            lambda rng: {"id": target.song_id(rng.randrange(tracks)), "format": "raw"},
            first_byte=True,
        ),
    ]


class Failed(Exception):
    pass


def once(client: httpx.Client, target: Target, call: Call, params: dict[str, str]) -> float:
    """One request, timed; raises ``Failed`` with the server's error."""
    url = f"{target.url}/rest/{call.method}"
    query = {**target.auth(), "v": "1.16.1", "c": "bench", "f": "json", **params}
    started = time.perf_counter()
    with client.stream("GET", url, params=query) as r:
        if (
            call.first_byte
            and r.status_code == 200
            and "json" not in r.headers.get("content-type", "")
        ):
            chunks = r.iter_raw()
            next(chunks, b"")
            elapsed = time.perf_counter() - started
            for _ in chunks:  # the rest, untimed, so the connection is kept
                pass
            return elapsed
        body = r.read()
        elapsed = time.perf_counter() - started
    if r.status_code != 200:
        raise Failed(f"HTTP {r.status_code}: {body[:200]!r}")
    try:
        answer = json.loads(body)["subsonic-response"]
    except (ValueError, KeyError) as e:
        raise Failed(f"not a Subsonic answer: {body[:200]!r}") from e
    if answer.get("status") != "ok":
        error = answer.get("error", {})
        raise Failed(f"error {error.get('code')}: {error.get('message')}")
    return elapsed


def measure(
    client: httpx.Client, pairs: list[tuple[Target, Call]], requests: int, warmup: int
) -> dict[str, list[float] | str]:
    """Milliseconds per request and server, or why a server's call could not be timed.

    The servers take turns, one request each: a change in the machine's load while a
    call is measured falls on both alike (the other helpers of this machine are busy).
    """
    rngs = {t.name: random.Random(call.name) for t, call in pairs}  # the same ids for both
    out: dict[str, list[float] | str] = {t.name: [] for t, _ in pairs}
    for i in range(warmup + requests):
        for target, call in pairs:
            samples = out[target.name]
            if isinstance(samples, str):
                continue
            try:
                elapsed = once(client, target, call, call.params(rngs[target.name]))
            except Failed as e:
                out[target.name] = str(e)
                continue
            if i >= warmup:
                samples.append(elapsed * 1000)
    return out


def shape(client: httpx.Client, target: Target, lib: dict[str, Any]) -> str:
    """What the server answered, counted, to see both serve the same library."""
    url = f"{target.url}/rest/"
    query = {"v": "1.16.1", "c": "bench", "f": "json"}

    def get(method: str, **params: str) -> dict[str, Any]:
        answer = client.get(url + method, params={**target.auth(), **query, **params}).json()
        body: dict[str, Any] = answer["subsonic-response"]
        if body["status"] != "ok":
            raise Failed(f"error {body.get('error', {}).get('code')}")
        return body

    def first(body: dict[str, Any]) -> str:
        albums = body["albumList2"].get("album", [])
        return f"{len(albums)} from {albums[0]['name']!r}" if albums else "0"

    out = []
    for label, count in (
        ("artists", lambda: sum(len(i.get("artist", [])) for i in
                                get("getArtists")["artists"].get("index", []))),
        ("alphabetical", lambda: first(get("getAlbumList2", type="alphabeticalByName",
                                           size="50"))),
        ("newest", lambda: first(get("getAlbumList2", type="newest", size="50"))),
        ("album songs", lambda: len(get("getAlbum", id=target.album_id(0))["album"]["song"])),
        ("search3 songs", lambda: len(get("search3", query=QUERY.lower())["searchResult3"]
                                      .get("song", []))),
    ):  # fmt: skip
        try:
            out.append(f"{label} {count()}")
        except (Failed, KeyError, ValueError) as e:
            out.append(f"{label} n/a ({e})")
    r = client.get(url + "stream", params={**target.auth(), **query, "id": target.song_id(0)})
    out.append(f"stream {r.headers.get('content-type')} {len(r.content)} bytes")
    return ", ".join(out)


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20, method="inclusive")[18]


def report(names: list[str], results: dict[str, dict[str, list[float] | str]]) -> None:
    s, t = results["supysonic"], results["tonearm"]
    print(f"\n{'call':32}{'supysonic p50 / p95 ms':>26}{'tonearm p50 / p95 ms':>26}{'p95 t/s':>10}")
    for name in names:
        cells = []
        for got in (s[name], t[name]):
            if isinstance(got, str):
                cells.append(f"{'n/a':>26}")
            else:
                cells.append(f"{statistics.median(got):>16.1f} / {p95(got):7.1f}")
        a, b = s[name], t[name]
        ratio = (
            f"{p95(b) / p95(a):>9.2f}x"
            if not isinstance(a, str) and not isinstance(b, str)
            else f"{'-':>10}"
        )
        print(f"{name:32}{''.join(cells)}{ratio}")
    for server, got in results.items():
        for name in names:
            if isinstance(got[name], str):
                print(f"  {server} {name}: {got[name]}")
    print("target: tonearm p95 at most 0.5x supysonic's on each call")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--tracks", type=int, default=10_000)
    ap.add_argument("--requests", type=int, default=200)
    ap.add_argument("--warmup", type=int, default=10)
    ap.add_argument("--supysonic-analyze", action="store_true")
    ap.add_argument(
        "--tonearm-auth",
        choices=["token", "password", "apikey"],
        default="token",
        help="tonearm's credentials: u+t+s with the app password (what apps send; the "
        "default), u+p with it (as supysonic is called), or apiKey",
    )
    ap.add_argument("--keep", type=Path, help="build in this folder and leave it there")
    args = ap.parse_args()
    if not shutil.which("ffmpeg"):
        sys.exit("ffmpeg is missing: run scripts/bootstrap.sh --dev")

    with tempfile.TemporaryDirectory() as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        if any(work.iterdir()):
            sys.exit(f"{work} is not empty")
        audio = make_audio(work / "audio")
        lib = generate(args.tracks, audio)
        print(
            f"library: {len(lib['tracks'])} tracks, {len(lib['albums'])} albums, "
            f"{len(lib['artists'])} artists; {len(audio)} real {AUDIO_SECONDS} s MP3 files",
            flush=True,
        )
        started = time.perf_counter()
        home = supysonic_library(work, lib, analyze=args.supysonic_analyze)
        print(f"supysonic: library written in {time.perf_counter() - started:.0f} s", flush=True)
        started = time.perf_counter()
        data, url, chosen = tonearm_library(work, lib)
        print(f"tonearm: library written in {time.perf_counter() - started:.0f} s", flush=True)

        tonearm = Server(data, url)
        try:
            with supysonic_server(home) as supysonic_url, httpx.Client(timeout=120) as client:
                track_ids = [chosen.get(i, t["id"]) for i, t in enumerate(lib["tracks"])]
                targets = [
                    Target(
                        "supysonic",
                        supysonic_url,
                        lambda: {"u": USER, "p": PASSWORD},
                        lambda i: _dashed(lib["albums"][i]["id"]),
                        lambda i: _dashed(lib["tracks"][i]["id"]),
                    ),
                    Target(
                        "tonearm",
                        tonearm.url,
                        tonearm_auth(tonearm, args.tonearm_auth),
                        lambda i: mapping.album_id(lib["albums"][i]["id"]),
                        lambda i: mapping.song_id(track_ids[i]),
                    ),
                ]
                for target in targets:
                    once(client, target, Call("ping", "ping", lambda rng: {}), {})
                results: dict[str, dict[str, list[float] | str]] = {t.name: {} for t in targets}
                names = [c.name for c in calls(targets[0], lib)]
                print(f"{args.requests} requests per call and server, {args.warmup} warm-up")
                for i, name in enumerate(names):
                    pairs = [(t, calls(t, lib)[i]) for t in targets]
                    for server, got in measure(client, pairs, args.requests, args.warmup).items():
                        results[server][name] = got
                    print(f"  {name} done", flush=True)
                report(names, results)
                print(f"\nanswers of {len(lib['artists'])} artists, {len(lib['albums'])} albums:")
                for target in targets:
                    print(f"  {target.name}: {shape(client, target, lib)}")
        finally:
            tonearm.stop()


def _dashed(hex_id: str) -> str:
    return f"{hex_id[:8]}-{hex_id[8:12]}-{hex_id[12:16]}-{hex_id[16:20]}-{hex_id[20:]}"


if __name__ == "__main__":
    main()
