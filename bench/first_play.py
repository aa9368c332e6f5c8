"""Time to first playable, through a real server: upload complete → a player can start.

    .venv/bin/python bench/first_play.py [--seconds 180] [--runs 3]

Uploads a generated stereo 44.1 kHz FLAC to a real `tonearm serve` (as its admin, with a
personal token that ffmpeg sends too) and measures, from
the moment the upload request returns, (a) when ffmpeg as an HLS client can open the
master playlist and decode its first second (the variant playlists are growing EVENT
playlists then), and (b) when the track is fully processed. Prints both and a / b
(target <= 25 %).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.fixtures.audio import make_audio
from tests.fixtures.server import Server


def can_play(url: str, auth: list[str]) -> bool:
    """ffmpeg opens the master and decodes one second from the start.

    ``auth`` sends the admin's token with every request: the playlists need a viewer
    and the segment links they hold are signed for that same token.
    """
    proc = subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-live_start_index",
            "0",
            *auth,
            "-i",
            url,
            "-map",
            "0:a:0",
            "-t",
            "1",
            "-f",
            "null",
            "-",
        ],
        capture_output=True,
        check=False,
        timeout=30,
    )
    return proc.returncode == 0


def one_run(server: Server, source: Path) -> tuple[float, float]:
    response = server.upload(source)
    response.raise_for_status()
    track_id = response.json()["id"]
    t0 = time.monotonic()
    first = None
    while time.monotonic() - t0 < 600:
        track = server.track(track_id)
        if (
            first is None
            and track["playable"]
            and can_play(server.url + track["urls"]["hls"], server.ffmpeg_auth())
        ):
            first = time.monotonic() - t0
        if track["status"] == "ready":
            if first is None:
                first = time.monotonic() - t0
            return first, time.monotonic() - t0
        if track["status"] == "failed":
            raise SystemExit(track["error"])
        time.sleep(0.05)
    raise SystemExit(f"track {track_id} not ready after 600 s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=180.0)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        server = Server(work / "data", f"sqlite:///{work / 'tonearm.db'}")
        try:
            results = []
            for i in range(args.runs):
                # A different signal each run: identical bytes would be deduplicated.
                source = make_audio(
                    work / f"in{i}.flac",
                    seconds=args.seconds,
                    source=(
                        f"anoisesrc=color=pink:sample_rate=44100:duration={args.seconds}"
                        f":amplitude=0.3:seed={i + 1}"
                    ),
                    rate=44100,
                )
                results.append(one_run(server, source))
                print(
                    f"  run {i + 1}: first playable {results[-1][0]:.2f} s, "
                    f"ready {results[-1][1]:.2f} s"
                )
            first = statistics.median(r[0] for r in results)
            ready = statistics.median(r[1] for r in results)
            print(f"{args.seconds:.0f} s stereo 44.1 kHz FLAC, median of {args.runs}:")
            print(
                f"  first playable {first:.2f} s, fully processed {ready:.2f} s, "
                f"ratio {first / ready:.0%} (target <= 25%)"
            )
        finally:
            server.stop()


if __name__ == "__main__":
    main()
