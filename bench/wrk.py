"""wrk as the benchmarks drive it: keep-alive load on one URL, requests/s and p99 back."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass

_SCALE_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


@dataclass(frozen=True)
class Load:
    rps: float
    p99_ms: float
    non_2xx: int
    """Answers that were not 2xx or 3xx: a benchmark of refusals measures nothing."""


def wrk(
    url: str,
    seconds: int,
    connections: int,
    headers: dict[str, str] | None = None,
    *,
    script: str | None = None,
    script_args: list[str] | None = None,
) -> Load:
    """``connections`` keep-alive connections on two threads for ``seconds``; ``script``:
    a wrk Lua script making the requests (POST bodies), given ``script_args``."""
    args = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency"]
    for name, value in (headers or {}).items():
        args += ["-H", f"{name}: {value}"]
    if script is not None:
        args += ["-s", script]
    out = subprocess.run(
        [*args, url, *(["--", *script_args] if script_args else [])],
        capture_output=True,
        text=True,
        check=True,
        timeout=seconds + 60,
    ).stdout
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", out)
    if rps is None or p99 is None:
        raise RuntimeError(f"cannot read wrk's output:\n{out}")
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return Load(
        rps=float(rps.group(1)),
        p99_ms=float(p99.group(1)) * _SCALE_MS[p99.group(2)],
        non_2xx=int(bad.group(1)) if bad else 0,
    )
