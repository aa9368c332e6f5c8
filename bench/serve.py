"""Segment delivery: tonearm serve vs nginx serving the same file, same run, same load.

    .venv/bin/python bench/serve.py [--duration 10] [--connections 64]

Starts a real `tonearm serve` on a scratch data directory (signed in as its admin with
a personal token, as the test server is), uploads a generated track, waits until it is
ready, then points wrk (64 keep-alive connections) at one HLS segment URL signed for
that token, and at the same file served by nginx from disk. Segment links are bound to
the viewer, so wrk sends the token's `Authorization: Bearer` header to all of them
(nginx ignores it; the requests are the same size). Prints requests/s, p99 latency and
the ratio. Needs wrk and nginx (scripts/bootstrap.sh --dev).

Two more rows serve the same segment from an S3 store: moto's S3 server, started here
as the tests start it, holds the blobs. One server has the fast path's in-memory
segment cache (the normal configuration), the other runs with it off
(``TONEARM_STREAMING_SEGMENT_CACHE_BYTES=0``), so every request reads the store and
the row shows what the store costs. moto is a Python test server on this machine,
not S3: that row is a floor for a slow store, not a figure for AWS or MinIO.
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

from bench.wrk import wrk
from tests.fixtures.audio import make_audio
from tests.fixtures.s3 import ACCESS_KEY_ID, MOTO_SERVER, REGION, SECRET_ACCESS_KEY, s3_client
from tests.fixtures.server import Server, free_port

BUCKET = "tonearm-bench"


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


def start_moto(work: Path) -> tuple[subprocess.Popen[bytes], str, Path]:
    """moto's S3 server with an empty bucket: (process, endpoint URL, its request log)."""
    if not MOTO_SERVER.is_file():
        sys.exit(f"{MOTO_SERVER} is missing: pip install -e '.[dev]' installs moto[server]")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = work / "moto_server.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [str(MOTO_SERVER), "-H", "127.0.0.1", "-p", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    deadline = time.monotonic() + 60
    while True:
        try:
            httpx.get(url, timeout=1)
            break
        except httpx.TransportError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                sys.exit(f"moto_server did not start:\n{log.read_text()}")
            time.sleep(0.1)
    # tonearm never creates its bucket.
    s3_client(url).create_bucket(Bucket=BUCKET)
    return proc, url, log


def s3_env(endpoint: str, **streaming: str) -> dict[str, str]:
    return {
        "TONEARM_STORAGE_URL": f"s3://{BUCKET}/bench",
        "TONEARM_STORAGE_S3_ENDPOINT_URL": endpoint,
        "TONEARM_STORAGE_S3_REGION": REGION,
        "TONEARM_STORAGE_S3_ACCESS_KEY_ID": ACCESS_KEY_ID,
        "TONEARM_STORAGE_S3_SECRET_ACCESS_KEY": SECRET_ACCESS_KEY,
        "TONEARM_STORAGE_S3_PATH_STYLE": "true",
        **{f"TONEARM_STREAMING_{k.upper()}": v for k, v in streaming.items()},
    }


def segment_url(server: Server, source: Path) -> str:
    """The signed path of the first 128k segment of ``source``, uploaded and processed."""
    track = server.wait_ready(server.upload(source).json()["id"])
    variant = server.http.get(track["urls"]["hls"].replace("master", "128k")).text
    return next(line for line in variant.splitlines() if line.startswith("/s/"))


def store_reads(moto_log: Path, key: str) -> int:
    """GETs of ``key`` moto has logged so far (one line per request it answered)."""
    text = moto_log.read_text(errors="replace")
    return sum(1 for line in text.splitlines() if '"GET ' in line and key in line)


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
        started: list[Server] = [server]
        nginx = moto = None
        try:
            source = make_audio(work / "bench.flac", seconds=30, source="noise")
            seg = segment_url(server, source)
            seg_path = seg.split("?", 1)[0]
            body = server.http.get(seg).content
            key = "hls/" + seg_path.removeprefix("/s/")
            nginx, port = start_nginx(work / "data" / "blobs", work)
            nginx_url = f"http://127.0.0.1:{port}/{key}"
            check = httpx.get(nginx_url)
            assert check.content == body, check.status_code

            moto, endpoint, moto_log = start_moto(work)
            s3_data, s3_db = work / "s3-data", f"sqlite:///{work / 's3.db'}"
            cached = Server(s3_data, s3_db, env=s3_env(endpoint))
            started.append(cached)
            s3_seg = segment_url(cached, source)
            # Same data directory and database, so the same signed URL; no processing.
            uncached = Server(
                s3_data, s3_db, workers=0, env=s3_env(endpoint, segment_cache_bytes="0")
            )
            started.append(uncached)
            # The link is signed for the first S3 server's token: both answer it.
            for srv in (cached, uncached):
                answer = httpx.get(srv.url + s3_seg, headers=cached.auth)
                assert answer.status_code == 200, answer.status_code
                assert answer.content == body, "the S3 store serves other bytes"
            assert not (s3_data / "blobs").exists(), "the S3 servers wrote blobs to disk"

            print(
                f"one {len(body) / 1024:.0f} KiB segment, {args.connections} keep-alive "
                f"connections, {args.duration} s each (wrk -t2)"
            )
            rows = []
            reads = {}
            for name, url, auth in (
                ("nginx (sendfile from disk)", nginx_url, server.auth),
                ("tonearm serve (signed URL)", server.url + seg, server.auth),
                ("tonearm, S3 store, cached", cached.url + s3_seg, cached.auth),
                ("tonearm, S3 store, no cache", uncached.url + s3_seg, cached.auth),
            ):
                wrk(url, 2, args.connections, auth)  # warm-up
                before = store_reads(moto_log, key)
                load = wrk(url, args.duration, args.connections, auth)
                if load.non_2xx:
                    sys.exit(f"{name}: {load.non_2xx} answers were refused; nothing measured")
                rows.append((name, load.rps, load.p99_ms))
                reads[name] = store_reads(moto_log, key) - before
            for name, rps, p99 in rows:
                print(f"  {name:30s} {rps:10.0f} req/s   p99 {p99:6.2f} ms")
            nginx_rps = rows[0][1]
            ratio = rows[1][1] / nginx_rps
            print(f"  ratio tonearm/nginx: {ratio:.2f}x (target >= 0.75x, p99 < 15 ms)")
            for name, rps, _ in rows[2:]:
                print(f"  ratio {name}/nginx: {rps / nginx_rps:.2f}x")
            for name, rps, _ in rows[2:]:
                print(f"  {name}: {reads[name]} store GETs for ~{rps * args.duration:.0f} requests")
        finally:
            if nginx is not None:
                nginx.terminate()
                nginx.wait()
            for srv in reversed(started):
                srv.stop()
            if moto is not None:
                moto.terminate()
                moto.wait()


if __name__ == "__main__":
    main()
