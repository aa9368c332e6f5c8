"""Benchmark of `tonearm import` on a folder of many small files.

Run: .venv/bin/python bench/import.py [--files 1000] [--jobs N]

Builds N short WAV files (1.2 s of 8 kHz mono noise, each with its own seed, so every
file is new bytes), then:
(a) the bare pipeline on the same files in one process: SHA-256 in 1 MiB chunks plus
    the upload-time ffprobe (``media.probe``), one file after another and on a pool
    of ``--jobs`` threads (what the import cannot beat: it does this and more);
(b) `tonearm import` as a person runs it (a subprocess, start-up included): copy
    with hashing into the staging area, probe, admit, track row, job queued, ledger;
(c) the same command again: nothing new, every file skipped by the ledger after a
    ``stat`` (target >= 200 files/s, start-up included).
Encoding is not measured: the import queues it for the server.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import subprocess
import sys
import tempfile
import time
import wave
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from tonearm.media import MediaTools, probe
from tonearm.types import Seconds

TONEARM = str(Path(sys.executable).parent / "tonearm")
TOOLS = MediaTools()


def make_tree(root: Path, count: int) -> int:
    """``count`` WAV files in folders of 100; returns their total size."""
    total = 0
    for i in range(count):
        folder = root / f"album{i // 100:03d}"
        folder.mkdir(parents=True, exist_ok=True)
        samples = np.random.default_rng(i).integers(-3000, 3000, 9600, dtype=np.int16)
        out = io.BytesIO()
        with wave.open(out, "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(8000)
            w.writeframes(samples.tobytes())
        path = folder / f"{i:04d}.wav"
        path.write_bytes(out.getvalue())
        total += len(out.getvalue())
    return total


def bare(path: Path) -> None:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1024 * 1024):
            digest.update(chunk)
    probe(path, TOOLS, min_duration=Seconds(1.0), max_duration=Seconds(14400.0))


def run(env: dict[str, str], *args: str, stdin: str = "") -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(
        [TONEARM, *args], env=env, input=stdin, capture_output=True, text=True, check=False
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"tonearm {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return elapsed, done.stdout


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "music"
        started = time.perf_counter()
        total = make_tree(root, args.files)
        files = sorted(root.rglob("*.wav"))
        made = time.perf_counter() - started
        print(
            f"{len(files)} files, {total / 1e6:.1f} MB, made in {made:.1f} s;"
            f" {os.cpu_count()} cores, --jobs {args.jobs}"
        )

        started = time.perf_counter()
        for path in files:
            bare(path)
        serial = time.perf_counter() - started
        started = time.perf_counter()
        with ThreadPoolExecutor(args.jobs) as pool:
            list(pool.map(bare, files))
        pooled = time.perf_counter() - started
        print(f"(a) bare hash+ffprobe, one by one:    {len(files) / serial:7.1f} files/s")
        print(f"(a) bare hash+ffprobe, {args.jobs} threads:     {len(files) / pooled:7.1f} files/s")

        data = Path(tmp) / "data"
        env = {**os.environ, "TONEARM_DATA_DIR": str(data)}
        run(env, "user", "add", "bench", "--admin", "--password-stdin", stdin="bench password\n")
        startup, _ = run(env, "db", "upgrade")
        first, out = run(env, "import", str(root), "--owner", "bench", "--jobs", str(args.jobs))
        assert f"new:             {len(files)}" in out, out
        print(
            f"(b) tonearm import, first time:       {len(files) / first:7.1f} files/s "
            f"({first:.1f} s, {total / first / 1e6:.1f} MB/s; start-up alone {startup:.1f} s)"
        )
        print(
            f"    vs bare pipeline on {args.jobs} threads: {pooled / first:.2f}x "
            f"(excluding start-up: {pooled / max(1e-6, first - startup):.2f}x)"
        )
        again, out = run(env, "import", str(root), "--owner", "bench", "--jobs", str(args.jobs))
        assert f"unchanged:       {len(files)}" in out, out
        print(
            f"(c) tonearm import, again (unchanged): {len(files) / again:7.1f} files/s "
            f"({again:.2f} s; target >= 200 files/s; excluding start-up: "
            f"{len(files) / max(1e-6, again - startup):.0f} files/s)"
        )


if __name__ == "__main__":
    main()
