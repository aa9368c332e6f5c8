"""probe(): real formats, and every way an upload can be unusable."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.fixtures.audio import image_bytes
from tests.media.conftest import CLIPS, MAX, MIN, TOOLS, ffmpeg
from tonearm.errors import Invalid, UnsupportedMedia
from tonearm.media import probe
from tonearm.types import Seconds

EXPECTED = {
    # name: (format_name, codec, bits_per_sample)
    "flac": ("flac", "flac", 16),
    "mp3": ("mp3", "mp3", None),
    "wav_s16": ("wav", "pcm_s16le", 16),
    "wav_f32": ("wav", "pcm_f32le", 32),
    "aiff_s24": ("aiff", "pcm_s24be", 24),
    "wav_s32": ("wav", "pcm_s32le", 32),
    "ogg": ("ogg", "vorbis", None),
    "opus": ("ogg", "opus", None),
    "m4a": ("mov,mp4,m4a,3gp,3g2,mj2", "aac", None),
    "mono_8k": ("wav", "pcm_s16le", 16),
    "surround_51": ("flac", "flac", 24),
    "hires_192k": ("flac", "flac", 24),
    "mp3_96k": ("mp3", "mp3", None),
    "alac": ("mov,mp4,m4a,3gp,3g2,mj2", "alac", 16),
    "adts": ("aac", "aac", None),
    "wavpack": ("wv", "wavpack", 16),
    "mka": ("matroska,webm", "flac", 16),
    "aiff_51": ("aiff", "pcm_s16be", 16),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_probe_reads_every_supported_format(clips: dict[str, Path], name: str) -> None:
    info = probe(clips[name], TOOLS, min_duration=MIN, max_duration=MAX)
    fmt, codec, bits = EXPECTED[name]
    clip = CLIPS[name]
    assert (info.format_name, info.codec, info.bits_per_sample) == (fmt, codec, bits)
    assert info.sample_rate == clip.rate
    assert info.channels == clip.channels
    assert info.duration == pytest.approx(clip.seconds, abs=0.1)
    assert not info.has_cover


def test_the_content_decides_not_the_file_name(clips: dict[str, Path], tmp_path: Path) -> None:
    disguised = tmp_path / "song.mp3"
    disguised.write_bytes(clips["flac"].read_bytes())
    assert probe(disguised, TOOLS, min_duration=MIN, max_duration=MAX).codec == "flac"


def test_an_empty_file_is_invalid(tmp_path: Path) -> None:
    empty = tmp_path / "empty.flac"
    empty.touch()
    with pytest.raises(Invalid, match="The file is empty"):
        probe(empty, TOOLS, min_duration=MIN, max_duration=MAX)


@pytest.mark.parametrize(
    "content",
    [image_bytes((64, 64)), b"this is not audio at all\n" * 100],
    ids=["png", "text"],
)
def test_non_audio_named_mp3_is_unsupported(tmp_path: Path, content: bytes) -> None:
    fake = tmp_path / "track.mp3"
    fake.write_bytes(content)
    with pytest.raises(UnsupportedMedia, match="not audio tonearm can read"):
        probe(fake, TOOLS, min_duration=MIN, max_duration=MAX)


def test_too_short(tmp_path: Path) -> None:
    short = tmp_path / "short.wav"
    ffmpeg("-f", "lavfi", "-i", "sine=duration=0.2:sample_rate=44100", str(short))
    with pytest.raises(Invalid, match=r"0\.2 s long; the shortest track tonearm accepts is 1 s"):
        probe(short, TOOLS, min_duration=Seconds(1), max_duration=MAX)


def test_too_long(clips: dict[str, Path]) -> None:
    with pytest.raises(Invalid, match="too long"):
        probe(clips["flac"], TOOLS, min_duration=MIN, max_duration=Seconds(5))


def test_truncated_flac_is_detected(clips: dict[str, Path], tmp_path: Path) -> None:
    whole = clips["noise_14s"].read_bytes()
    cut = tmp_path / "cut.flac"
    cut.write_bytes(whole[: len(whole) // 2])
    # The header still promises the whole track: that is what makes this case sneaky.
    header = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0",
         str(cut)],
        capture_output=True, text=True, check=True,
    ).stdout
    assert float(header) == pytest.approx(14, abs=0.1)
    with pytest.raises(Invalid, match="The file is truncated"):
        probe(cut, TOOLS, min_duration=MIN, max_duration=MAX)


@pytest.mark.parametrize(("seconds", "rate"), [(20, 44100), (45, 44100), (20, 8000)])
def test_complete_mono_wavpack_is_whole(tmp_path: Path, seconds: int, rate: int) -> None:
    # ffmpeg writes mono WavPack in blocks of 1 s at 44.1 kHz and 8 s at 8 kHz: the
    # last block's own length must count as present.
    path = tmp_path / "mono.wv"
    ffmpeg("-f", "lavfi", "-i", f"sine=d={seconds}:sample_rate={rate}", "-ac", "1", str(path))
    info = probe(path, TOOLS, min_duration=MIN, max_duration=MAX)
    assert (info.codec, info.channels) == ("wavpack", 1)
    assert info.duration == pytest.approx(seconds, abs=0.01)


def test_truncated_wavpack_is_detected(tmp_path: Path) -> None:
    whole = tmp_path / "whole.wv"
    ffmpeg("-f", "lavfi", "-i", "anoisesrc=d=20:c=pink:seed=3", "-ac", "1", str(whole))
    cut = tmp_path / "cut.wv"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    with pytest.raises(Invalid, match=r"The file is truncated: its header says 20\.0 s"):
        probe(cut, TOOLS, min_duration=MIN, max_duration=MAX)


def test_truncated_wav_is_detected(clips: dict[str, Path], tmp_path: Path) -> None:
    whole = clips["wav_s16"].read_bytes()
    cut = tmp_path / "cut.wav"
    cut.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(Invalid, match="The file is truncated"):
        probe(cut, TOOLS, min_duration=MIN, max_duration=MAX)


def test_cover_art_is_not_the_audio_stream(clips: dict[str, Path], tmp_path: Path) -> None:
    cover = tmp_path / "cover.png"
    cover.write_bytes(image_bytes((300, 300)))
    with_cover = tmp_path / "with_cover.mp3"
    ffmpeg(
        "-i", str(cover), "-i", str(clips["mp3"]), "-map", "1:a", "-map", "0:v",
        "-c", "copy", "-disposition:v", "attached_pic", str(with_cover),
    )
    info = probe(with_cover, TOOLS, min_duration=MIN, max_duration=MAX)
    assert info.codec == "mp3"
    assert info.has_cover
