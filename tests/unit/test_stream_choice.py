"""Which stored file a ``format``/``maxBitRate`` request gets, and the MP3 frame cut."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tonearm.media import mp3frames
from tonearm.streaming.choice import Pick, Source, Stored, choose
from tonearm.types import Kbps

LADDER = [("64k", Kbps(64)), ("128k", Kbps(128)), ("256k", Kbps(256))]
FLAC = Stored("flac", Kbps(900), LADDER, Kbps(192))
MP3_UPLOAD = Stored("mp3", Kbps(192), LADDER[:2], Kbps(192))
NO_MP3 = Stored("flac", None, LADDER, None)
PROCESSING = Stored("flac", Kbps(900), (), None)


@pytest.mark.parametrize(
    ("stored", "fmt", "max_kbps", "expected"),
    [
        # No preference: the original when it fits (what the song entry describes),
        # else the best AAC rung under the ceiling.
        (FLAC, None, 0, Pick(Source.ORIGINAL)),
        (FLAC, None, 1000, Pick(Source.ORIGINAL)),
        (FLAC, "", 128, Pick(Source.AAC, rung="128k")),
        (FLAC, None, 200, Pick(Source.AAC, rung="128k")),
        (FLAC, None, 320, Pick(Source.AAC, rung="256k")),
        (FLAC, None, 32, Pick(Source.AAC, rung="64k")),  # nothing fits: the lowest
        (FLAC, "aac", 64, Pick(Source.AAC, rung="64k")),
        (FLAC, "M4A", 0, Pick(Source.AAC, rung="256k")),
        (FLAC, "raw", 0, Pick(Source.ORIGINAL)),
        (FLAC, "raw", 64, Pick(Source.ORIGINAL)),  # raw is raw
        # MP3: the stored fallback when it fits, else a transcode at the ceiling.
        (FLAC, "mp3", 0, Pick(Source.MP3)),
        (FLAC, "mp3", 320, Pick(Source.MP3)),
        (FLAC, "mp3", 128, Pick(Source.TRANSCODE, target="mp3", kbps=Kbps(128))),
        (NO_MP3, "mp3", 0, Pick(Source.TRANSCODE, target="mp3", kbps=Kbps(192))),
        # The original's own format is the original (lossless has no rate to lower).
        (FLAC, "flac", 0, Pick(Source.ORIGINAL)),
        (FLAC, "flac", 128, Pick(Source.ORIGINAL)),
        (MP3_UPLOAD, "mp3", 0, Pick(Source.MP3)),
        # Formats not stored are transcoded.
        (FLAC, "opus", 0, Pick(Source.TRANSCODE, target="opus", kbps=Kbps(128))),
        (FLAC, "opus", 96, Pick(Source.TRANSCODE, target="opus", kbps=Kbps(96))),
        (FLAC, "ogg", 500, Pick(Source.TRANSCODE, target="ogg", kbps=Kbps(192))),
        (MP3_UPLOAD, "flac", 0, Pick(Source.TRANSCODE, target="flac")),
        (FLAC, "wav", 0, Pick(Source.TRANSCODE, target="wav")),
        (FLAC, "opus", 8, Pick(Source.TRANSCODE, target="opus", kbps=Kbps(32))),
        # An unknown name is no preference.
        (FLAC, "flv", 128, Pick(Source.AAC, rung="128k")),
        # Still processing: no rung yet.
        (PROCESSING, None, 0, Pick(Source.ORIGINAL)),
        (Stored("flac", None, (), Kbps(192)), None, 0, Pick(Source.ORIGINAL)),
        (Stored("flac", Kbps(900), (), Kbps(192)), None, 256, Pick(Source.MP3)),
        (PROCESSING, "aac", 128, Pick(Source.TRANSCODE, target="aac", kbps=Kbps(128))),
    ],
)
def test_choice(stored: Stored, fmt: str | None, max_kbps: int, expected: Pick) -> None:
    assert choose(stored, fmt, max_kbps) == expected


def _cbr_mp3(path: Path, seconds: float, kbps: int, rate: int) -> bytes:
    subprocess.run(
        [
            "ffmpeg", "-v", "error", "-y", "-f", "lavfi",
            "-i", f"sine=frequency=440:sample_rate={rate}:duration={seconds}",
            "-c:a", "libmp3lame", "-b:a", f"{kbps}k", "-write_xing", "1",
            "-id3v2_version", "0", "-f", "mp3", str(path),
        ],
        check=True,
    )  # fmt: skip
    return path.read_bytes()


def _frame_starts(data: bytes) -> list[int]:
    """Every frame's offset, walking headers from the first (the reference)."""
    starts, pos = [], mp3frames.audio_start(data)
    while (frame := mp3frames.frame_at(data, pos)) is not None:
        starts.append(pos)
        pos += frame.length
    assert pos == len(data)
    return starts


@pytest.mark.parametrize(("kbps", "rate"), [(128, 44100), (192, 48000), (64, 22050)])
def test_mp3_cut_lands_on_the_frame_holding_the_second(
    tmp_path: Path, kbps: int, rate: int
) -> None:
    data = _cbr_mp3(tmp_path / "a.mp3", 20, kbps, rate)
    starts = _frame_starts(data)
    first = mp3frames.frame_at(data, 0)
    assert first is not None
    for seconds in (0.0, 1.0, 7.3, 15.0):
        guess = mp3frames.estimate(first, 0, seconds)
        found = mp3frames.sync(data[guess : guess + 16384], first)
        assert found is not None
        cut = guess + found
        assert cut in starts
        # Frame 0 is the Info header; audio frame n starts at sample n * samples.
        at = (starts.index(cut) - 1) * first.samples / rate
        assert abs(at - seconds) <= first.samples / rate + 1e-9


def test_id3_tag_is_skipped() -> None:
    tag = b"ID3\x04\x00\x00" + bytes([0, 0, 1, 0])  # 128 bytes of tag body
    assert mp3frames.audio_start(tag + bytes(128)) == 138
    assert mp3frames.frame_at(b"\xff\xfb\x90", 0) is None  # too short
    assert mp3frames.frame_at(b"\x00\xff\xfb\x90\x00", 0) is None
