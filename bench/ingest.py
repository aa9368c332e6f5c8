"""Benchmark of the media pipeline against a plain single-process ffmpeg ladder.

Run: .venv/bin/python bench/ingest.py [--quick] [--repeats N] [--long-minutes M]

(a) one ffmpeg process encoding the same HLS ladder (same bitrates and encoder
    settings, no MP3, no analysis), (b) process_audio (ladder + MP3 + loudness +
    peaks + fingerprint + sound descriptors), target (b)/(a) <= 0.75; (c) time until
    every rung has its first segment, as a fraction of (b), target <= 25 %; (d) peak
    RSS of the pipeline (this process plus all its descendants, sampled from /proc) on
    a long input, target < 200 MB, and the upload-time probe (with its truncation
    check) on it; (e) process_audio with and without sound descriptors, wall and CPU
    time, target <= 5 % added.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from tonearm.media import DEFAULT_LADDER, MediaTools, Rung, SegmentFile, probe, process_audio
from tonearm.media.ladder import hls_output_args, output_channels, output_sample_rate, rung_dir
from tonearm.types import Seconds

TOOLS = MediaTools()


def make_music_like(path: Path, seconds: float) -> Path:
    """Stereo 44.1 kHz 16-bit FLAC: decorrelated pink noise under a slow two-note tone."""
    graph = (
        f"anoisesrc=d={seconds}:c=pink:r=44100:a=0.2:seed=1[l];"
        f"anoisesrc=d={seconds}:c=pink:r=44100:a=0.2:seed=2[r];"
        "[l][r]join=inputs=2:channel_layout=stereo[noise];"
        f"aevalsrc=0.25*sin(2*PI*220*t)*(0.6+0.4*sin(2*PI*0.25*t))"
        f"|0.25*sin(2*PI*330*t)*(0.6+0.4*sin(2*PI*0.3*t)):s=44100:d={seconds}[tone];"
        "[noise][tone]amix=inputs=2:normalize=0,aformat=sample_fmts=s16"
    )
    subprocess.run(
        [
            "ffmpeg",
            "-nostdin",
            "-v",
            "error",
            "-y",
            "-filter_complex",
            graph,
            "-c:a",
            "flac",
            str(path),
        ],
        check=True,
    )
    return path


def bare_ladder(source: Path, workdir: Path) -> float:
    """Seconds for one ffmpeg process writing the three HLS rungs, nothing else."""
    info = probe(source, TOOLS, min_duration=Seconds(1), max_duration=Seconds(1e6))
    rate, channels = output_sample_rate(info.sample_rate), output_channels(info.channels)
    command = [TOOLS.ffmpeg, "-nostdin", "-v", "error", "-y", "-i", str(source)]
    for rung in DEFAULT_LADDER:
        rung_dir(workdir, rung).mkdir(parents=True, exist_ok=True)
        command += hls_output_args(
            workdir, rung, sample_rate=rate, channels=channels, segment_seconds=6.0
        )
    started = time.monotonic()
    subprocess.run(command, check=True)
    return time.monotonic() - started


@dataclass
class FirstSegments:
    started: float = field(default_factory=time.monotonic)
    first: dict[str, float] = field(default_factory=dict)

    def progress(self, percent: float, step: str) -> None:
        pass

    def segment_ready(self, rung: Rung, init_path: Path, segment: SegmentFile) -> None:
        self.first.setdefault(rung.name, time.monotonic() - self.started)


def pipeline(source: Path, workdir: Path, *, describe: bool = True) -> tuple[float, float, float]:
    """(probe seconds, process_audio seconds, seconds until every rung had a segment)."""
    started = time.monotonic()
    info = probe(source, TOOLS, min_duration=Seconds(1), max_duration=Seconds(1e6))
    probed = time.monotonic() - started
    observer = FirstSegments()
    process_audio(source, info, workdir, TOOLS, observer, describe=describe)
    total = time.monotonic() - observer.started
    return probed, total, max(observer.first.values())


def cpu_seconds() -> float:
    """CPU time (user + system) of this process and its finished children so far."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def descriptor_cost(source: Path, root: Path, repeats: int) -> list[tuple[str, str, str]]:
    """process_audio with and without sound descriptors, alternating which goes first;
    wall time and CPU time (ours plus the ffmpeg/fpcalc children) of each."""
    wall: dict[bool, list[float]] = {True: [], False: []}
    cpu: dict[bool, list[float]] = {True: [], False: []}
    for attempt in range(repeats):
        for describe in (True, False) if attempt % 2 == 0 else (False, True):
            before = cpu_seconds()
            _, total, _ = pipeline(source, root / f"d{attempt}{describe}", describe=describe)
            cpu[describe].append(cpu_seconds() - before)
            wall[describe].append(total)
    w_on, w_off = statistics.median(wall[True]), statistics.median(wall[False])
    c_on, c_off = statistics.median(cpu[True]), statistics.median(cpu[False])
    return [
        ("(e) process_audio without sound descriptors", f"{w_off:.2f} s", f"CPU {c_off:.1f} s"),
        ("    with them (the default)", f"{w_on:.2f} s", f"CPU {c_on:.1f} s"),
        (
            "    added cost: wall / CPU",
            f"{100 * (w_on / w_off - 1):+.1f} %",
            f"{100 * (c_on / c_off - 1):+.1f} % CPU; target <= 5 %",
        ),
    ]


class TreeRss:
    """Peaks of the summed RSS and PSS of this process and its descendants, from /proc.

    RSS counts the libav libraries each ffmpeg/fpcalc maps once per process; PSS
    shares such pages out between the processes that map them, so its sum is the
    memory the pipeline really holds.
    """

    def __init__(self, interval: float = 0.05) -> None:
        self.interval = interval
        self.peak_kb = 0
        self.peak_pss_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def __enter__(self) -> TreeRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _poll(self) -> None:
        me = Path("/proc/self").resolve().name
        while not self._stop.is_set():
            rss, pss = self._tree_kb(int(me))
            self.peak_kb = max(self.peak_kb, rss)
            self.peak_pss_kb = max(self.peak_pss_kb, pss)
            self._stop.wait(self.interval)

    @staticmethod
    def _tree_kb(root: int) -> tuple[int, int]:
        parents: dict[int, int] = {}
        rss: dict[int, tuple[int, int]] = {}
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
                status = (entry / "status").read_text()
            except OSError:
                continue
            pid = int(entry.name)
            parents[pid] = int(stat.rsplit(")", 1)[1].split()[1])
            try:
                rollup = (entry / "smaps_rollup").read_text()
            except OSError:
                rollup = ""
            rss[pid] = (_field_kb(status, "VmRSS:"), _field_kb(rollup, "Pss:"))
        total, total_pss = 0, 0
        for pid, (kb, pss_kb) in rss.items():
            walk = pid
            while walk not in (0, 1, root) and walk in parents:
                walk = parents[walk]
            if walk == root:
                total += kb
                total_pss += pss_kb
        return total, total_pss


def _field_kb(text: str, name: str) -> int:
    return next((int(line.split()[1]) for line in text.splitlines() if line.startswith(name)), 0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--quick", action="store_true", help="60 s clip, 1 repeat, 10-minute long input"
    )
    parser.add_argument("--repeats", type=int, default=None)
    parser.add_argument(
        "--seconds", type=float, default=None, help="length of the timed clip (default 180)"
    )
    parser.add_argument(
        "--long-minutes",
        type=float,
        default=None,
        help="length of the RSS input (default 60; 0 skips it)",
    )
    args = parser.parse_args()
    repeats = args.repeats or (1 if args.quick else 3)
    seconds = args.seconds or (60.0 if args.quick else 180.0)
    long_minutes = (
        args.long_minutes if args.long_minutes is not None else (10.0 if args.quick else 60.0)
    )

    with tempfile.TemporaryDirectory(prefix="tonearm-bench-") as tmp:
        root = Path(tmp)
        source = make_music_like(root / "clip.flac", seconds)
        bare_runs, pipe_runs, first_runs, probe_runs = [], [], [], []
        for attempt in range(repeats):
            bare_runs.append(bare_ladder(source, root / f"bare{attempt}"))
            probed, total, first = pipeline(source, root / f"pipe{attempt}")
            probe_runs.append(probed)
            pipe_runs.append(total)
            first_runs.append(first)
            print(
                f"  run {attempt + 1}: bare {bare_runs[-1]:.2f} s, "
                f"pipeline {total:.2f} s, first segments {first:.2f} s",
                flush=True,
            )
        bare = statistics.median(bare_runs)
        pipe = statistics.median(pipe_runs)
        first = statistics.median(first_runs)

        rows = [
            (f"(a) bare 1-process HLS ladder, {seconds:.0f} s clip", f"{bare:.2f} s", ""),
            (
                "(b) process_audio (ladder+MP3+loudness+peaks+fpcalc+descriptors)",
                f"{pipe:.2f} s",
                "",
            ),
            ("    ratio (b)/(a)", f"{pipe / bare:.2f}", "target <= 0.75"),
            ("(c) first segment of every rung", f"{first:.2f} s", ""),
            ("    as a fraction of (b)", f"{100 * first / pipe:.1f} %", "target <= 25 %"),
            ("    probe incl. truncation check", f"{statistics.median(probe_runs):.2f} s", ""),
        ]
        rows += descriptor_cost(source, root, max(repeats, 2))
        if long_minutes > 0:
            long_source = make_music_like(root / "long.flac", long_minutes * 60)
            with TreeRss() as rss:
                probed, total, _ = pipeline(long_source, root / "long")
            rows += [
                (
                    f"(d) peak RSS, {long_minutes:.0f}-min input (us + children)",
                    f"{rss.peak_kb / 1024:.0f} MB",
                    "target < 200 MB",
                ),
                (
                    "    peak PSS (shared libraries counted once)",
                    f"{rss.peak_pss_kb / 1024:.0f} MB",
                    "",
                ),
                (
                    f"    probe of the {long_minutes:.0f}-min FLAC "
                    f"({long_source.stat().st_size >> 20} MB)",
                    f"{probed:.2f} s",
                    "",
                ),
                (
                    "    process_audio on it",
                    f"{total:.1f} s",
                    f"{long_minutes * 60 / total:.0f}x real time",
                ),
            ]

    print(f"\nmedians of {repeats} run(s), {seconds:.0f} s stereo 44.1 kHz FLAC")
    width = max(len(r[0]) for r in rows)
    print(f"{'measure':<{width}}  {'value':>10}  note")
    print("-" * (width + 30))
    for name, value, note in rows:
        print(f"{name:<{width}}  {value:>10}  {note}")


if __name__ == "__main__":
    main()
