"""What accounts cost: one sign-in, and finding the viewer on every request, in one run.

    .venv/bin/python bench/auth.py [--duration 5] [--connections 32] [--logins 10]

(a) One argon2id verification with the parameters `accounts/passwords.py` uses
    (median of `--logins`, in this process). (b) `POST /api/auth/login` on a real
    `tonearm serve`, median of `--logins` sequential sign-ins, and the same for
    usernames that do not exist (they must cost the same: no enumeration by timing).
(c) wrk (`--connections` keep-alive connections, `--duration` s after a 2 s warm-up)
    against, on the same server: `/healthz` (no credentials, no database);
    `GET /api/tracks?limit=1` with no credentials (anonymous listening is on for this
    run, so the route answers without a lookup), with the session cookie and with a
    bearer token (same route and same empty answer, so the difference is the lookup);
    and `GET /api/me` by cookie and by token. Prints requests/s, p99, the ratio to
    `/healthz`, and the server time the lookup adds per request
    (1/rps(authenticated) - 1/rps(anonymous), the machine being saturated).
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=int, default=5)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--logins", type=int, default=10)
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
                f"wrk -t2 -c{args.connections}, {args.duration} s each after a 2 s warm-up, "
                "one server, SQLite:"
            )
            loads: list[Load] = []
            for path, how, headers in cases:
                wrk(server.url + path, 2, args.connections, headers)
                load = wrk(server.url + path, args.duration, args.connections, headers)
                if load.non_2xx:
                    sys.exit(f"{path} by {how}: {load.non_2xx} answers were not 2xx")
                loads.append(load)
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
        finally:
            server.stop()


if __name__ == "__main__":
    main()
