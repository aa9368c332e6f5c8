"""Play heartbeats: how many progress reports one API process takes, and what they cost
the database, against a baseline route in the same run.

    .venv/bin/python bench/plays.py [--duration 10] [--connections 64] [--sessions 2000]

Starts a real `tonearm serve` (SQLite, the embedded default: live state in memory) on a
scratch data directory, uploads a generated track, starts ``--sessions`` play sessions
through the API (tokens in hand), then points wrk (``bench/plays.lua``) at
``POST /api/plays`` with progress reports cycling over those sessions, each with a new
played_ms (no report is a duplicate; the heartbeat gap is set to 0 so that wrk's
rate per session is not refused), and at ``GET /healthz`` (the framework's cheapest
route) for the baseline.

Database writes are counted inside the server by a SQLAlchemy ``before_cursor_execute``
listener (``db.engine.WriteCounter``: every INSERT, UPDATE and DELETE) whose running
total each write-behind flush logs as ``db_writes``; the bench reads the last total
logged before the heartbeats and the first after them (a flush follows the run). Plays
do not count during the run (the rule is set to an hour): counted plays are a separate
cost, one group-committed transaction (~4 statements) per ~20 ms of counts.

First, the same two requests are timed in process (``in_process``: the ASGI stack
``create_app`` builds, no server, no socket, best of several alternating rounds): wrk,
uvicorn and the server share this machine's cores, so on a small or busy machine the
in-process figures isolate what the code costs.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.wrk import wrk
from tests.fixtures.accounts import build_container, member_viewer, stage
from tests.fixtures.audio import make_audio
from tests.fixtures.server import Server

from tonearm.http.app import create_app
from tonearm.models import Visibility

LUA = str(Path(__file__).with_name("plays.lua"))


def flush_totals(server: Server) -> list[int]:
    """The running totals of database writes the flushes have logged so far."""
    totals = []
    for line in server.process.output().splitlines():
        if '"listening.flush"' in line:
            totals.append(int(json.loads(line)["db_writes"]))
    return totals


def wait_flush(server: Server, seen: int, timeout: float = 30.0) -> list[int]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        totals = flush_totals(server)
        if len(totals) > seen:
            return totals
        time.sleep(0.2)
    raise RuntimeError("no flush was logged")


def in_process(rounds: int, n: int) -> tuple[float, float]:
    """Microseconds per progress report and per ``GET /healthz`` through the whole ASGI
    stack ``create_app`` builds (host guard, fast paths, framework), called in this
    process with no server and no socket: the best of ``rounds`` alternating runs of
    ``n`` requests, so a busy machine's noise falls on both alike."""
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        c = build_container(
            work / "data",
            f"sqlite:///{work / 'tonearm.db'}",
            listening={"min_heartbeat_gap_s": 0, "max_sessions_per_listener_per_minute": 10**6},
        )
        viewer = replace(member_viewer(c, "listener"), binding="")
        assert viewer.user_id is not None
        song = make_audio(work / "song.wav", seconds=600, rate=8000, channels=1)
        track = c.ingest.service.finish(stage(c, song), viewer.user_id, Visibility.PUBLIC).track_id
        plays = c.listening.plays
        with c.infra.uows.read() as db:
            started = [
                plays.settle(plays.start(db, viewer, f"inproc-{i:05d}-s", track, "128k"))
                for i in range(1000)
            ]
        app = create_app(c)
        base_scope = {
            "type": "http",
            "http_version": "1.1",
            "scheme": "http",
            "root_path": "",
            "query_string": b"",
            "client": ("127.0.0.1", 1),
            "server": ("127.0.0.1", 80),
        }
        counter = 0

        async def one(method: str, path: str, body: bytes) -> int:
            status = 0

            async def receive() -> dict[str, object]:
                return {"type": "http.request", "body": body, "more_body": False}

            async def send(message: dict[str, object]) -> None:
                nonlocal status
                if message["type"] == "http.response.start":
                    status = int(message["status"])  # type: ignore[call-overload]

            scope = {
                **base_scope,
                "method": method,
                "path": path,
                "raw_path": path.encode(),
                "headers": [(b"host", b"127.0.0.1"), (b"content-type", b"application/json")],
            }
            await app(scope, receive, send)  # type: ignore[arg-type]
            return status

        async def beats() -> float:
            nonlocal counter
            began = time.perf_counter()
            for _ in range(n):
                counter += 1
                a = started[counter % len(started)]
                body = json.dumps(
                    {
                        "event": "progress",
                        "session": a.session,
                        "token": a.token,
                        "played_ms": counter,
                        "position_ms": 1000,
                        "rung": "128k",
                    }
                ).encode()
                assert await one("POST", "/api/plays", body) == 200
            return (time.perf_counter() - began) / n * 1e6

        async def health() -> float:
            began = time.perf_counter()
            for _ in range(n):
                assert await one("GET", "/healthz", b"") == 200
            return (time.perf_counter() - began) / n * 1e6

        best_beat = best_health = float("inf")
        for _ in range(rounds):
            best_beat = min(best_beat, asyncio.run(beats()))
            best_health = min(best_health, asyncio.run(health()))
        c.close()
    return best_beat, best_health


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--sessions", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=7, help="in-process runs of each")
    args = parser.parse_args()
    beat_us, health_us = in_process(args.rounds, 5000)
    print(
        f"in process: a progress report {beat_us:.1f} us ({1e6 / beat_us:,.0f}/s on one core),"
        f" GET /healthz {health_us:.1f} us; ratio {health_us / beat_us:.2f}"
    )
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: run scripts/bootstrap.sh --dev")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        server = Server(
            work / "data",
            f"sqlite:///{work / 'tonearm.db'}",
            workers=0,  # the track is never processed: no ffmpeg competes for the CPUs
            env={
                "TONEARM_LOG_LEVEL": "INFO",
                "TONEARM_LISTENING_MIN_HEARTBEAT_GAP_S": "0",
                "TONEARM_LISTENING_MAX_SESSIONS_PER_LISTENER_PER_MINUTE": "1000000",
                "TONEARM_LISTENING_FLUSH_INTERVAL_S": "2",
                # The starts take a while on a small machine: no session may reach the
                # rule during the run, or group-committed counts join the writes.
                "TONEARM_LISTENING_COUNT_AFTER_S": "3600",
            },
        )
        try:
            source = make_audio(work / "song.wav", seconds=600, rate=8000, channels=1)
            track = server.upload(source).json()["id"]

            def start(i: int) -> str:
                session = f"bench-{i:06d}-session"
                with httpx.Client(base_url=server.url, headers=server.auth, timeout=60) as c:
                    r = c.post(
                        "/api/plays",
                        json={
                            "event": "start",
                            "session": session,
                            "track_id": track,
                            "rung": "128k",
                        },
                    )
                r.raise_for_status()
                return f"{session} {r.json()['token']}"

            began = time.perf_counter()
            with ThreadPoolExecutor(16) as pool:
                lines = list(pool.map(start, range(args.sessions)))
            starts_s = time.perf_counter() - began
            tokens = work / "tokens.txt"
            tokens.write_text("\n".join(lines) + "\n")
            before = wait_flush(server, 0)  # the starts' sessions are written
            time.sleep(2.5)
            before = flush_totals(server)
            writes_before = before[-1]

            beats = wrk(
                f"{server.url}/api/plays",
                args.duration,
                args.connections,
                server.auth,
                script=LUA,
                script_args=[str(tokens)],
            )
            after = wait_flush(server, len(before))
            writes = after[-1] - writes_before
            heartbeats = beats.rps * args.duration
            base = wrk(f"{server.url}/healthz", args.duration, args.connections, server.auth)
        finally:
            server.stop()
    print(f"starts: {args.sessions} sessions in {starts_s:.1f} s via the framework")
    print(
        f"heartbeats (fast path)  {beats.rps:10.0f} req/s  p99 {beats.p99_ms:7.2f} ms"
        f"  non-2xx {beats.non_2xx}"
    )
    print(
        f"GET /healthz (baseline) {base.rps:10.0f} req/s  p99 {base.p99_ms:7.2f} ms"
        f"  non-2xx {base.non_2xx}"
    )
    print(f"ratio heartbeats / baseline: {beats.rps / base.rps:.2f}")
    print(
        f"database writes: {writes} statements for {heartbeats:.0f} heartbeats"
        f" = {writes / heartbeats * 10_000:.2f} per 10,000 heartbeats"
    )


if __name__ == "__main__":
    main()
