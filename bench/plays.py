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
do not count during the run (the rule is 30 s; each session is younger): counted plays
are a separate cost, one group-committed transaction per ~20 ms of counts.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.wrk import wrk
from tests.fixtures.audio import make_audio
from tests.fixtures.server import Server

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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--sessions", type=int, default=1000)
    args = parser.parse_args()
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
