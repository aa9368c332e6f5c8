"""Segment delivery: tonearm serve vs nginx serving the same file, same run, same load.

    .venv/bin/python bench/serve.py [--duration 10] [--connections 64]

Starts a real `tonearm serve` on a scratch data directory (signed in as its admin with
a personal token, as the test server is), uploads a generated track, waits until it is
ready, then points wrk (64 keep-alive connections) at one HLS segment URL signed for
that token, and at the same file served by nginx from disk. Segment links are bound to
the viewer, so wrk sends the token's `Authorization: Bearer` header to both (nginx
ignores it; the requests are the same size). Prints requests/s, p99 latency and the
ratio. Needs wrk and nginx (scripts/bootstrap.sh --dev).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.wrk import Load, wrk
from tests.fixtures.audio import make_audio
from tests.fixtures.server import Server, free_port


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
            # The link is bound to the token: without it, tonearm refuses the same URL.
            assert httpx.get(server.url + seg).status_code == 403

            print(
                f"one {size / 1024:.0f} KiB segment, {args.connections} keep-alive connections, "
                f"{args.duration} s each (wrk -t2)"
            )
            rows: list[tuple[str, Load]] = []
            for name, url in (
                ("nginx (sendfile from disk)", nginx_url),
                ("tonearm serve (signed URL)", server.url + seg),
            ):
                wrk(url, 2, args.connections, server.auth)  # warm-up
                load = wrk(url, args.duration, args.connections, server.auth)
                if load.non_2xx:
                    sys.exit(f"{name}: {load.non_2xx} answers were not 2xx: {url}")
                rows.append((name, load))
            for name, load in rows:
                print(f"  {name:30s} {load.rps:10.0f} req/s   p99 {load.p99_ms:6.2f} ms")
            ratio = rows[1][1].rps / rows[0][1].rps
            print(f"  ratio tonearm/nginx: {ratio:.2f}x (target >= 0.75x, p99 < 15 ms)")
        finally:
            if nginx is not None:
                nginx.terminate()
                nginx.wait()
            server.stop()


if __name__ == "__main__":
    main()
