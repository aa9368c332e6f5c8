"""Segment delivery: tonearm serve vs nginx serving the same file, same run, same load.

    .venv/bin/python bench/serve.py [--duration 10] [--connections 64]

Starts a real `tonearm serve` on a scratch data directory, uploads a generated
track, waits until it is ready, then points wrk (64 keep-alive connections) at one
signed HLS segment URL, and at the same file served by nginx from disk. Prints
requests/s, p99 latency and the ratio. Needs wrk and nginx (scripts/bootstrap.sh --dev).
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.fixtures.audio import make_audio
from tests.fixtures.server import Server, free_port


def wrk(url: str, seconds: int, connections: int) -> tuple[float, float]:
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    assert p99 is not None, out
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99.group(2)]
    return rps, float(p99.group(1)) * scale


def start_nginx(root: Path, work: Path) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    conf = work / "nginx.conf"
    conf.write_text(
        textwrap.dedent(f"""
        worker_processes 1;
        daemon off;
        pid {work}/nginx.pid;
        error_log {work}/nginx-error.log;
        events {{ worker_connections 1024; }}
        http {{
            access_log off;
            sendfile on;
            tcp_nopush on;
            keepalive_requests 1000000;
            open_file_cache max=1000;
            types {{ audio/mp4 m4s; }}
            server {{
                listen 127.0.0.1:{port};
                root {root};
                location / {{ add_header Cache-Control "public, max-age=31536000, immutable"; }}
            }}
        }}
    """)
    )
    proc = subprocess.Popen(["nginx", "-c", str(conf), "-p", str(work)])
    time.sleep(0.5)
    return proc, port


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=64)
    args = parser.parse_args()
    for tool in ("wrk", "nginx"):
        if not shutil.which(tool):
            sys.exit(f"{tool} is missing: run scripts/bootstrap.sh --dev")

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        work.chmod(0o755)  # nginx's workers run as an unprivileged user
        server = Server(work / "data", f"sqlite:///{work / 'tonearm.db'}")
        nginx = None
        try:
            source = make_audio(work / "bench.flac", seconds=30, source="noise")
            track = server.wait_ready(server.upload(source).json()["id"])
            variant = server.http.get(track["urls"]["hls"].replace("master", "128k")).text
            seg = next(line for line in variant.splitlines() if line.startswith("/s/"))
            seg_path = seg.split("?", 1)[0]
            size = len(server.http.get(seg).content)
            key = "hls/" + seg_path.removeprefix("/s/")
            nginx, port = start_nginx(work / "data" / "blobs", work)
            nginx_url = f"http://127.0.0.1:{port}/{key}"
            check = httpx.get(nginx_url)
            assert check.content == server.http.get(seg).content, check.status_code

            print(
                f"one {size / 1024:.0f} KiB segment, {args.connections} keep-alive connections, "
                f"{args.duration} s each (wrk -t2)"
            )
            rows = []
            for name, url in (
                ("nginx (sendfile from disk)", nginx_url),
                ("tonearm serve (signed URL)", server.url + seg),
            ):
                wrk(url, 2, args.connections)  # warm-up
                rows.append((name, *wrk(url, args.duration, args.connections)))
            for name, rps, p99 in rows:
                print(f"  {name:30s} {rps:10.0f} req/s   p99 {p99:6.2f} ms")
            ratio = rows[1][1] / rows[0][1]
            print(f"  ratio tonearm/nginx: {ratio:.2f}x (target >= 0.5x, p99 < 15 ms)")
        finally:
            if nginx is not None:
                nginx.terminate()
                nginx.wait()
            server.stop()


if __name__ == "__main__":
    main()
