"""Audio inputs for the media tests, generated once per session with ffmpeg's lavfi."""

from __future__ import annotations

import shlex
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tonearm.media import MediaTools, Rung, SegmentFile
from tonearm.types import Seconds

TOOLS = MediaTools()
MIN = Seconds(1.0)
MAX = Seconds(3 * 3600.0)

# name -> (file name, lavfi source, seconds, output arguments)
# Tones and pink noise; every container and sample format the product accepts.
_TONE = "sine=frequency=440:sample_rate={rate}:duration={seconds}"
_NOISE = "anoisesrc=color=pink:sample_rate={rate}:duration={seconds}:amplitude=0.3:seed=7"


@dataclass(frozen=True)
class Clip:
    name: str
    suffix: str
    seconds: float
    rate: int
    channels: int
    codec_args: tuple[str, ...]
    source: str = _TONE
    fmt: str | None = None


CLIPS: dict[str, Clip] = {
    clip.name: clip
    for clip in [
        Clip("flac", "flac", 8, 44100, 2, ("-c:a", "flac", "-sample_fmt", "s16")),
        Clip("mp3", "mp3", 8, 44100, 2, ("-c:a", "libmp3lame", "-b:a", "192k")),
        Clip("wav_s16", "wav", 8, 44100, 2, ("-c:a", "pcm_s16le")),
        Clip("wav_f32", "wav", 8, 48000, 2, ("-c:a", "pcm_f32le")),
        Clip("aiff_s24", "aiff", 8, 44100, 2, ("-c:a", "pcm_s24be")),
        Clip("wav_s32", "wav", 8, 96000, 2, ("-c:a", "pcm_s32le")),
        Clip("ogg", "ogg", 8, 44100, 2, ("-c:a", "libvorbis", "-q:a", "4")),
        Clip("opus", "opus", 8, 48000, 2, ("-c:a", "libopus", "-b:a", "96k"), fmt="ogg"),
        Clip("m4a", "m4a", 8, 44100, 2, ("-c:a", "aac", "-b:a", "160k")),
        Clip("mono_8k", "wav", 8, 8000, 1, ("-c:a", "pcm_s16le")),
        Clip("surround_51", "flac", 8, 48000, 6, ("-c:a", "flac", "-sample_fmt", "s32")),
        Clip("hires_192k", "flac", 8, 192000, 2, ("-c:a", "flac", "-sample_fmt", "s32")),
        Clip("noise_14s", "flac", 14, 44100, 2, ("-c:a", "flac"), source=_NOISE),
        # Containers and codecs added with the allow-list (formats.py); short, as each
        # one also runs through the whole pipeline.
        Clip("mp3_96k", "mp3", 4, 44100, 2, ("-c:a", "libmp3lame", "-b:a", "96k")),
        Clip("alac", "m4a", 4, 44100, 2, ("-c:a", "alac")),
        Clip("adts", "aac", 4, 44100, 2, ("-c:a", "aac", "-b:a", "128k")),
        Clip("wavpack", "wv", 4, 44100, 2, ("-c:a", "wavpack")),
        Clip("mka", "mka", 4, 48000, 2, ("-c:a", "flac")),
        Clip("aiff_51", "aiff", 4, 48000, 6, ("-c:a", "pcm_s16be")),
    ]
}
_LAYOUTS = {1: "mono", 2: "stereo", 6: "5.1"}


def ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", *args], check=True)


def make_clip(directory: Path, clip: Clip) -> Path:
    path = directory / f"{clip.name}.{clip.suffix}"
    source = clip.source.format(rate=clip.rate, seconds=clip.seconds)
    ffmpeg(
        "-f", "lavfi", "-i", source,
        "-af", f"aformat=channel_layouts={_LAYOUTS[clip.channels]}",
        *clip.codec_args, *(("-f", clip.fmt) if clip.fmt else ()), str(path),
    )
    return path


@pytest.fixture(scope="session")
def media_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("media-inputs")


@pytest.fixture(scope="session")
def clips(media_dir: Path) -> dict[str, Path]:
    """Every clip in ``CLIPS``, by name (made once per session)."""
    return {name: make_clip(media_dir, clip) for name, clip in CLIPS.items()}


@pytest.fixture(scope="session")
def sine_997_minus20(media_dir: Path) -> Path:
    """10 s stereo 997 Hz sine whose peak is -20 dBFS: about -20 LUFS."""
    path = media_dir / "sine997.flac"
    ffmpeg(
        "-f", "lavfi", "-i", "aevalsrc=0.1*sin(2*PI*997*t)|0.1*sin(2*PI*997*t):s=48000:d=10",
        "-c:a", "flac", "-sample_fmt", "s32", str(path),
    )
    return path


@pytest.fixture(scope="session")
def silence_then_quiet_tone(media_dir: Path) -> Path:
    """5 s of digital silence, then 5 s of a tone peaking at -41 dBFS (0.0089)."""
    path = media_dir / "silence_then_quiet_tone.flac"
    # One source, both channels written out: concat and upmix filters each lowered
    # the level by about 1.1 dB.
    channel = "if(lt(t\\,5)\\,0\\,0.0089*sin(2*PI*440*t))"
    ffmpeg(
        "-f", "lavfi", "-i", f"aevalsrc={channel}|{channel}:c=stereo:s=44100:d=10",
        "-c:a", "flac", str(path),
    )
    return path


@dataclass
class RecordingObserver:
    """Keeps every call, in the order it came, for assertions about order and outcome.

    ``events`` interleaves both kinds of call; for each segment it also records
    whether its rendition's playlist had already ended (``#EXT-X-ENDLIST``) when the
    segment was announced, i.e. whether that encode had finished.
    """

    progress_calls: list[tuple[float, str]] = field(default_factory=list)
    segments: list[tuple[Rung, Path, SegmentFile]] = field(default_factory=list)
    events: list[tuple[str, str, float]] = field(default_factory=list)
    ended_when_announced: dict[tuple[str, int], bool] = field(default_factory=dict)

    def progress(self, percent: float, step: str) -> None:
        self.progress_calls.append((percent, step))
        self.events.append(("progress", step, percent))

    def segment_ready(self, rung: Rung, init_path: Path, segment: SegmentFile) -> None:
        assert segment.path.exists(), "announced before it was on disk"
        assert init_path.exists()
        playlist = init_path.parent / "index.m3u8"
        self.ended_when_announced[rung.name, segment.sequence] = (
            "#EXT-X-ENDLIST" in playlist.read_text()
        )
        self.segments.append((rung, init_path, segment))
        self.events.append(("segment", rung.name, segment.sequence))


@pytest.fixture(scope="session")
def realtime_tools(tmp_path_factory: pytest.TempPathFactory) -> MediaTools:
    """The real ffmpeg, reading its input no faster than real time (``-re``).

    A 4 s source then takes 4 s to encode however fast the machine is, so "announced
    while the encode still ran" is a matter of order, not of how quick the CPU is.
    """
    real = shutil.which("ffmpeg")
    assert real is not None
    script = tmp_path_factory.mktemp("realtime") / "ffmpeg"
    script.write_text(f'#!/bin/sh\nexec {shlex.quote(real)} -re "$@"\n')
    script.chmod(0o755)
    return MediaTools(ffmpeg=str(script))
