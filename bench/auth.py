"""What accounts cost: one sign-in, and finding the viewer on every request, in one run.

    .venv/bin/python bench/auth.py [--duration 5] [--rounds 3] [--connections 32] [--logins 10]
                                 [--sequential 300]

(a) One argon2id verification with the parameters `accounts/passwords.py` uses
    (median of `--logins`, in this process). (b) `POST /api/auth/login` on a real
    `tonearm serve`, median of `--logins` sequential sign-ins, and the same for
    usernames that do not exist (they must cost the same: no enumeration by timing).
(c) wrk (`--connections` keep-alive connections, `--duration` s per run) against, on
    the same server: `/healthz` (no credentials, no database); `GET /api/tracks?limit=1`
    with no credentials (anonymous listening is on for this run, so the route answers
    without a lookup), with the session cookie and with a bearer token (same route and
    same empty answer, so the difference is the lookup); and `GET /api/me` by cookie and
    by token. Every case runs once per round, `--rounds` rounds, and the median is kept,
    so a neighbour's load on the machine does not fall on one case only. Prints
    requests/s, p99, the ratio to `/healthz`, and the server time the lookup adds per
    request (1/rps(authenticated) - 1/rps(anonymous), the machine being saturated).
(d) The latency the lookup adds with no load: `--sequential` requests per case on one
    keep-alive connection, the three `/api/tracks` cases taken in turn, median each.
Needs wrk (scripts/bootstrap.sh --dev).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import argon2
import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.wrk import Load, wrk
from tests.fixtures.server import ADMIN, PASSWORD, Server

from tonearm.accounts.credentials import SESSION_COOKIE
from tonearm.accounts.passwords import Passwords

UNKNOWN_LOGINS_MAX = 20  # each one counts against this address's throttle (30 by default)


def median_ms(samples: list[float]) -> str:
    ms = [s * 1000 for s in samples]
    return f"{statistics.median(ms):.0f} ms (min {min(ms):.0f}, max {max(ms):.0f})"


def argon2_cost(runs: int) -> None:
    passwords = Passwords()
    stored = passwords.hash(PASSWORD)
    p = argon2.extract_parameters(stored)
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        ok, _ = passwords.verify(stored, PASSWORD)
        times.append(time.perf_counter() - t0)
        assert ok
    print(
        f"argon2id verify (t={p.time_cost}, m={p.memory_cost // 1024} MiB, p={p.parallelism}), "
        f"median of {runs}: {median_ms(times)}"
    )


def login_cost(server: Server, runs: int) -> str:
    """Median sign-in time; returns a session cookie for the load runs."""
    times: list[float] = []
    cookie = None
    with httpx.Client(base_url=server.url, timeout=60) as client:
        for _ in range(runs):
            client.cookies.clear()
            t0 = time.perf_counter()
            r = client.post("/api/auth/login", json={"username": ADMIN, "password": PASSWORD})
            times.append(time.perf_counter() - t0)
            r.raise_for_status()
            cookie = r.cookies[SESSION_COOKIE]
        print(f"POST /api/auth/login, right password, median of {runs}: {median_ms(times)}")
        unknown = []
        for i in range(min(runs, UNKNOWN_LOGINS_MAX)):
            t0 = time.perf_counter()
            r = client.post(
                "/api/auth/login", json={"username": f"nobody-{i}", "password": PASSWORD}
            )
            unknown.append(time.perf_counter() - t0)
            assert r.status_code == 401, r.text
        print(
            f"POST /api/auth/login, unknown username (401), median of {len(unknown)}: "
            f"{median_ms(unknown)}"
        )
    assert cookie is not None
    return cookie


def sequential_latency(
    server: Server, cases: list[tuple[str, str, dict[str, str]]], runs: int
) -> None:
    times: list[list[float]] = [[] for _ in cases]
    with httpx.Client(base_url=server.url, timeout=60) as client:
        for _ in range(runs):
            for (path, how, headers), done in zip(cases, times, strict=True):
                t0 = time.perf_counter()
                r = client.get(path, headers=headers)
                done.append(time.perf_counter() - t0)
                assert r.status_code == 200, (how, r.text)
    print(f"one connection, {runs} requests per case in turn, median latency:")
    anonymous = statistics.median(times[0])
    for (path, how, _), done in zip(cases, times, strict=True):
        median = statistics.median(done)
        print(
            f"  GET {path:22s} {how:18s} {median * 1000:6.2f} ms   "
            f"+{(median - anonymous) * 1000:5.2f} ms"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=int, default=5)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--logins", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--sequential", type=int, default=300)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: run scripts/bootstrap.sh --dev")

    argon2_cost(args.logins)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        server = Server(
            work / "data",
            f"sqlite:///{work / 'tonearm.db'}",
            env={"TONEARM_ACCOUNTS_ANONYMOUS_LISTENING": "true"},
        )
        try:
            cookie = {"Cookie": f"{SESSION_COOKIE}={login_cost(server, args.logins)}"}
            cases: list[tuple[str, str, dict[str, str]]] = [
                ("/healthz", "none", {}),
                ("/api/tracks?limit=1", "none (anonymous)", {}),
                ("/api/tracks?limit=1", "session cookie", cookie),
                ("/api/tracks?limit=1", "bearer token", server.auth),
                ("/api/me", "session cookie", cookie),
                ("/api/me", "bearer token", server.auth),
            ]
            print(
                f"wrk -t2 -c{args.connections}, {args.duration} s per run, {args.rounds} rounds "
                "taking the cases in turn (median per case), one server, SQLite:"
            )
            for path, _, headers in cases:  # warm-up: imports, caches, SQLite pages
                wrk(server.url + path, 2, args.connections, headers)
            runs: list[list[Load]] = [[] for _ in cases]
            for _ in range(args.rounds):
                for (path, how, headers), done in zip(cases, runs, strict=True):
                    load = wrk(server.url + path, args.duration, args.connections, headers)
                    if load.non_2xx:
                        sys.exit(f"{path} by {how}: {load.non_2xx} answers were not 2xx")
                    done.append(load)
            loads = [
                Load(
                    rps=statistics.median(r.rps for r in done),
                    p99_ms=statistics.median(r.p99_ms for r in done),
                    non_2xx=0,
                )
                for done in runs
            ]
            base = loads[0].rps
            for (path, how, _), load in zip(cases, loads, strict=True):
                print(
                    f"  GET {path:22s} {how:18s} {load.rps:8.0f} req/s   "
                    f"p99 {load.p99_ms:6.2f} ms   {load.rps / base:4.2f}x /healthz"
                )
            anonymous = loads[1].rps
            for (_, how, _), load in zip(cases[2:4], loads[2:4], strict=True):
                extra_us = (1 / load.rps - 1 / anonymous) * 1e6
                print(
                    f"  {how} lookup on /api/tracks: {load.rps / anonymous:4.2f}x anonymous, "
                    f"about {extra_us:.0f} us of server time per request"
                )
            sequential_latency(server, cases[1:4], args.sequential)
        finally:
            server.stop()


if __name__ == "__main__":
    main()
