"""The HLS bitrate ladder: fMP4/AAC renditions, the MP3 fallback, and their results.

This module builds ffmpeg output arguments and reads what ffmpeg wrote; the
:mod:`tonearm.media.pipeline` runs the processes. Outputs are byte-identical for the
same input and settings (bitexact flags, no metadata copied), because they are stored
under their content hash and a killed job is simply run again.

AAC priming: ffmpeg's AAC encoder starts 1024 samples early. ``-avoid_negative_ts
disabled`` keeps that first packet at a negative time, so the fMP4 init segment gets
an edit list that skips it (``elst`` media_time = 1024) and players start at the real
first sample. (Without it ffmpeg 5.1 writes media_time 0 and every player hears
21 ms of extra lead-in.)

Ladder shaping: :func:`shape_ladder` drops the rungs a source cannot fill (see there).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from tonearm.media.formats import LOSSY_CODECS
from tonearm.media.probe import AudioInfo
from tonearm.types import Kbps, Seconds

AAC_LC_CODECS = "mp4a.40.2"
PLAYLIST_NAME = "index.m3u8"
INIT_NAME = "init.mp4"
SEGMENT_PATTERN = "seg_%05d.m4s"
BITEXACT = ["-fflags", "+bitexact", "-flags:a", "+bitexact"]


@dataclass(frozen=True)
class Rung:
    """One rendition of the ladder; ``name`` is also its directory name."""

    name: str
    bitrate: Kbps


DEFAULT_LADDER: tuple[Rung, ...] = (
    Rung("64k", Kbps(64)),
    Rung("128k", Kbps(128)),
    Rung("256k", Kbps(256)),
)


AAC_KBPS_PER_CHANNEL = 128
"""The most a rendition spends per output channel on a source sampled at 16 kHz or more.

128 kbps per channel (256k stereo) is the rate AAC-LC is commonly held transparent
at, and ffmpeg's encoder already codes up to 20 kHz there (its bandwidth rule is
12 kHz + rate/16 per channel). Measured on pink noise, 20 s (ffmpeg 5.1): a 44.1 kHz
mono source asked for 256k comes out at 199 kbps, 48 kHz mono at 217: the encoder
cannot even spend the bits.
"""
AAC_KBPS_PER_CHANNEL_NARROW = 96
"""The same for a source sampled below :data:`NARROW_SOURCE_RATE` (at most 8 kHz of audio).

Measured on 8 kHz mono pink noise, 20 s: asked for 128k and 256k the encoder gives
122 and 120 kbps, the same rendition twice (8 kHz stereo: 115-118 kbps per channel
at most); decoded against the source, the error is 23.9 dB below the signal at 64k,
25.3 dB at 96k, 25.4 at 128k and 25.6 at 256k: past 96 kbps nothing is gained.
"""
NARROW_SOURCE_RATE = 16000
LOSSY_SLACK = 1.05
"""A lossy source's rate is a ceiling with 5 % room: encoders land a little off the
rate they were asked for (measured: ffmpeg AAC asked for 128k gives 128.0-128.2 kbps,
LAME CBR 96k gives 96.0), and a 128k AAC upload must keep its 128k rung."""


def ladder_ceiling(info: AudioInfo) -> float:
    """The highest rung bit rate, in kbps, that ``info``'s source can fill.

    The per-channel AAC-LC ceiling for the output channels (stereo at most) and the
    source's sample rate, and, for a lossy source whose bit rate is known, that bit
    rate (plus :data:`LOSSY_SLACK`): a rendition above it only re-encodes the
    source's own artefacts more exactly.
    """
    per_channel = (
        AAC_KBPS_PER_CHANNEL
        if info.sample_rate >= NARROW_SOURCE_RATE
        else AAC_KBPS_PER_CHANNEL_NARROW
    )
    ceiling = float(per_channel * output_channels(info.channels))
    if info.codec in LOSSY_CODECS and info.bit_rate:
        ceiling = min(ceiling, info.bit_rate / 1000 * LOSSY_SLACK)
    return ceiling


def shape_ladder(rungs: Sequence[Rung], info: AudioInfo) -> tuple[Rung, ...]:
    """The rungs worth encoding for ``info``'s source, in the order given.

    Keeps each rung at or below :func:`ladder_ceiling` and drops a rung whose bit
    rate an earlier one already has (it would come out the same). When every rung is
    above the ceiling, the lowest one alone is kept: a track always has a rendition.
    With the default ladder (64k, 128k, 256k): 8 kHz mono gives 64k; a 96 kbps MP3
    gives 64k; 44.1 kHz mono or a 192 kbps MP3 gives 64k and 128k; 44.1 kHz stereo
    FLAC gives all three.
    """
    if not rungs:
        raise ValueError("the ladder needs at least one rung")
    ceiling = ladder_ceiling(info)
    kept: list[Rung] = []
    for rung in rungs:
        if rung.bitrate <= ceiling and all(rung.bitrate != k.bitrate for k in kept):
            kept.append(rung)
    return tuple(kept) or (min(rungs, key=lambda rung: rung.bitrate),)


@dataclass(frozen=True)
class SegmentFile:
    path: Path
    duration: Seconds
    sequence: int


@dataclass(frozen=True)
class RenditionResult:
    """A finished rendition. Bandwidths are bits/s from the real segment sizes.

    ``peak_bandwidth`` follows RFC 8216 4.3.4.2 (the largest bit rate of any run of
    contiguous segments lasting 0.5 to 1.5 target durations): use it as BANDWIDTH;
    ``average_bandwidth`` is all segment bytes over the total duration.
    """

    rung: Rung
    codecs: str
    sample_rate: int
    channels: int
    init_path: Path
    segments: list[SegmentFile]
    peak_bandwidth: int
    average_bandwidth: int


def output_sample_rate(source_rate: int) -> int:
    """48 kHz for the 48k family (48, 96, 192 kHz ...), 44.1 kHz for everything else."""
    return 48000 if source_rate >= 48000 and source_rate % 8000 == 0 else 44100


def output_channels(source_channels: int) -> int:
    """Stereo at most: multichannel sources are downmixed by ffmpeg's default matrix."""
    return max(1, min(source_channels, 2))


def rung_dir(workdir: Path, rung: Rung) -> Path:
    return workdir / "hls" / rung.name


def hls_output_args(
    workdir: Path, rung: Rung, *, sample_rate: int, channels: int, segment_seconds: float
) -> list[str]:
    """ffmpeg output arguments writing one rendition into ``rung_dir(workdir, rung)``.

    The playlist type is EVENT, not VOD: ffmpeg 5.1 writes a VOD playlist only at the
    very end, while an EVENT playlist is rewritten after every finished segment, which
    is how we learn a segment is complete. ``temp_file`` makes every segment and
    playlist appear under its final name only when complete. The media bytes are the
    same either way; the app writes its own VOD playlists from :class:`SegmentFile`.
    """
    out = rung_dir(workdir, rung)
    return [
        "-map",
        "0:a:0",
        "-vn",
        "-sn",
        "-dn",
        "-map_metadata",
        "-1",
        "-map_chapters",
        "-1",
        "-c:a",
        "aac",
        "-b:a",
        f"{int(rung.bitrate)}k",
        "-ar",
        str(sample_rate),
        "-ac",
        str(channels),
        *BITEXACT,
        "-avoid_negative_ts",
        "disabled",
        "-f",
        "hls",
        "-hls_time",
        f"{segment_seconds:g}",
        "-hls_segment_type",
        "fmp4",
        "-hls_playlist_type",
        "event",
        "-hls_list_size",
        "0",
        "-hls_flags",
        "independent_segments+temp_file",
        "-hls_fmp4_init_filename",
        INIT_NAME,
        "-hls_segment_filename",
        str(out / SEGMENT_PATTERN),
        str(out / PLAYLIST_NAME),
    ]


def mp3_output_args(path: Path, *, bitrate: Kbps, sample_rate: int, channels: int) -> list[str]:
    """ffmpeg output arguments for the CBR MP3 fallback, with a Xing/Info header
    (exact seeking) and no ID3 tag (the app serves tags from its database)."""
    return [
        "-map",
        "0:a:0",
        "-vn",
        "-sn",
        "-dn",
        "-map_metadata",
        "-1",
        "-map_chapters",
        "-1",
        "-c:a",
        "libmp3lame",
        "-b:a",
        f"{int(bitrate)}k",
        "-ar",
        str(sample_rate),
        "-ac",
        str(channels),
        *BITEXACT,
        "-write_xing",
        "1",
        "-id3v2_version",
        "0",
        "-write_id3v1",
        "0",
        "-f",
        "mp3",
        str(path),
    ]


def read_playlist(playlist: Path) -> tuple[list[SegmentFile], bool]:
    """Segments listed so far in a playlist ffmpeg is writing, and whether it has ended.

    Safe to call while ffmpeg runs: with ``temp_file`` the playlist is replaced by a
    rename, so a read sees either the old or the new version, never half of one.
    """
    try:
        text = playlist.read_text(encoding="utf-8")
    except FileNotFoundError:
        return [], False
    segments: list[SegmentFile] = []
    sequence = 0
    duration: float | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("#EXT-X-MEDIA-SEQUENCE:"):
            sequence = int(line.split(":", 1)[1])
        elif line.startswith("#EXTINF:"):
            duration = float(line.split(":", 1)[1].split(",", 1)[0])
        elif line and not line.startswith("#") and duration is not None:
            segments.append(SegmentFile(playlist.parent / line, Seconds(duration), sequence))
            sequence += 1
            duration = None
    return segments, "#EXT-X-ENDLIST" in text


def peak_bandwidth(sizes: Sequence[int], durations: Sequence[float]) -> int:
    """RFC 8216 4.3.4.2 peak segment bit rate, in bits/s."""
    if not sizes:
        return 0
    target = max(1, round(max(durations)))
    total = sum(durations)
    if total < 0.5 * target:
        return math.ceil(sum(sizes) * 8 / total) if total > 0 else 0
    peak = 0.0
    for start in range(len(sizes)):
        bits = 0
        seconds = 0.0
        for end in range(start, len(sizes)):
            bits += sizes[end] * 8
            seconds += durations[end]
            if seconds > 1.5 * target:
                break
            if seconds >= 0.5 * target:
                peak = max(peak, bits / seconds)
    return math.ceil(peak)


def rendition_result(
    workdir: Path, rung: Rung, segments: list[SegmentFile], *, sample_rate: int, channels: int
) -> RenditionResult:
    sizes = [segment.path.stat().st_size for segment in segments]
    durations = [float(segment.duration) for segment in segments]
    total = sum(durations)
    return RenditionResult(
        rung=rung,
        codecs=AAC_LC_CODECS,
        sample_rate=sample_rate,
        channels=channels,
        init_path=rung_dir(workdir, rung) / INIT_NAME,
        segments=segments,
        peak_bandwidth=peak_bandwidth(sizes, durations),
        average_bandwidth=math.ceil(sum(sizes) * 8 / total) if total > 0 else 0,
    )
