"""What an uploaded file really is: ffprobe decides, whatever the file name says."""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tonearm.errors import Invalid, UnsupportedMedia
from tonearm.media.formats import (
    SUPPORTED,
    check_codec,
    demuxer_of,
    input_args,
    refused_container,
)
from tonearm.media.riff import data_chunk_cut_short
from tonearm.media.tools import MediaTools, run_tool
from tonearm.types import Seconds

_PROBE_TIMEOUT = 60.0
_PACKETS_TIMEOUT = 120.0
_PACKET_TAIL_BYTES = 64 << 10
_NOT_ON_WHITELIST = re.compile(r"\[([\w,]+) @ 0x[0-9a-f]+\] Format not on whitelist")


@dataclass(frozen=True)
class AudioInfo:
    """The first audio stream of a file, as ffprobe reports it.

    ``duration`` is the container's duration, checked against the packets actually
    present (see :func:`probe`). ``has_cover`` is true when the file carries an
    attached picture. ``tags`` holds ffprobe's format and audio-stream tags (keys
    lower-cased), the fallback for :func:`tonearm.media.read_tags`.
    """

    format_name: str
    codec: str
    sample_rate: int
    channels: int
    bits_per_sample: int | None
    duration: Seconds
    bit_rate: int | None
    has_cover: bool
    tags: tuple[tuple[str, str], ...] = ()


def probe(
    path: Path, tools: MediaTools, *, min_duration: Seconds, max_duration: Seconds
) -> AudioInfo:
    """Describe the audio in ``path`` or raise an error a person can act on.

    Raises ``Invalid`` for an empty file, one shorter than ``min_duration`` or longer
    than ``max_duration``, and a truncated one (its header promises more audio than
    its packets hold); ``UnsupportedMedia`` when it holds no audio ffmpeg can read, or
    is not one of the containers and codecs in :mod:`tonearm.media.formats` (a
    playlist naming other files is refused here, before anything decodes it).
    Reads the file twice without decoding it (ffprobe's description, then its packet
    list for the truncation check): about 0.2 s for a 10-minute MP3 or FLAC, 0.7 s
    for a 10-minute 96 kHz 24-bit WAV.
    """
    if path.stat().st_size == 0:
        raise Invalid("The file is empty.", code="empty-file")
    result = run_tool(
        [
            tools.ffprobe,
            "-v",
            "error",
            "-print_format",
            "json",
            "-show_format",
            "-show_streams",
            *input_args(path, None),
        ],
        timeout=_PROBE_TIMEOUT,
    )
    if result.returncode != 0:
        raise _refusal(result.stderr)
    try:
        report: dict[str, Any] = json.loads(result.stdout.decode("utf-8", errors="replace"))
    except ValueError as exc:
        raise _not_audio() from exc
    streams: list[dict[str, Any]] = report.get("streams") or []
    fmt: dict[str, Any] = report.get("format") or {}
    # The whitelist already held ffprobe to these demuxers; this keeps the two in step.
    demuxer = demuxer_of(str(fmt.get("format_name", "")))
    audio = next((s for s in streams if s.get("codec_type") == "audio"), None)
    if audio is None or _int(audio.get("sample_rate")) in (None, 0):
        raise _not_audio()
    check_codec(str(audio.get("codec_name", "")))
    has_cover = any(
        s.get("codec_type") == "video" and (s.get("disposition") or {}).get("attached_pic") == 1
        for s in streams
    )

    header_duration = _float(fmt.get("duration")) or _float(audio.get("duration"))
    if data_chunk_cut_short(path):
        raise Invalid(
            "The file is truncated: its header promises more audio than the file holds. "
            "Upload the complete file.",
            code="truncated",
        )
    present = _packets_end(path, tools, demuxer) - (_number(fmt.get("start_time")) or 0.0)
    if header_duration is None:
        duration = present
    else:
        # A cut-off file keeps the header of the whole one: the packets are the truth.
        # The slack absorbs estimated MP3 durations and encoder padding.
        if present < header_duration - max(0.5, header_duration * 0.02):
            raise Invalid(
                f"The file is truncated: its header says {_fmt(header_duration)} but only "
                f"{_fmt(present)} of audio is present. Upload the complete file.",
                code="truncated",
            )
        duration = header_duration

    if duration < min_duration:
        raise Invalid(
            f"The audio is {duration:.1f} s long; the shortest track tonearm accepts is "
            f"{min_duration:g} s.",
            code="too-short",
        )
    if duration > max_duration:
        raise Invalid(
            f"The audio is too long ({_fmt(duration)}); the longest track tonearm accepts "
            f"is {_fmt(max_duration)}.",
            code="too-long",
        )

    tags: dict[str, str] = {}
    for source in (fmt.get("tags") or {}, audio.get("tags") or {}):
        for key, value in source.items():
            tags.setdefault(str(key).lower(), str(value))
    bits = _int(audio.get("bits_per_raw_sample")) or _int(audio.get("bits_per_sample"))
    return AudioInfo(
        format_name=str(fmt.get("format_name", "")),
        codec=str(audio.get("codec_name", "")),
        sample_rate=_int(audio.get("sample_rate")) or 0,
        channels=_int(audio.get("channels")) or 0,
        bits_per_sample=bits or None,
        duration=Seconds(duration),
        bit_rate=_int(audio.get("bit_rate")) or _int(fmt.get("bit_rate")),
        has_cover=has_cover,
        tags=tuple(sorted(tags.items())),
    )


def _not_audio() -> UnsupportedMedia:
    return UnsupportedMedia(
        f"This file is not audio tonearm can read (supported: {SUPPORTED}).", code="not-audio"
    )


def _refusal(stderr: str) -> UnsupportedMedia:
    """Why ffprobe gave up: a container we refuse (its log names it), or not audio."""
    match = _NOT_ON_WHITELIST.search(stderr)
    return refused_container(match.group(1).split(",", 1)[0]) if match else _not_audio()


def _packets_end(path: Path, tools: MediaTools, demuxer: str) -> float:
    """Where the last audio packet present ends, in seconds, from the packet list.

    The end of the last packet, not its start: a WavPack packet made by ffmpeg holds
    a second of 44.1 kHz mono (8 s at 8 kHz), so the start of the last one, which
    ``ffmpeg -c copy -f null`` reported before, refused complete files as truncated.
    Only the tail of the list is kept, so memory stays flat for any length.
    """
    result = run_tool(
        [
            tools.ffprobe,
            "-v",
            "error",
            "-select_streams",
            "a:0",
            "-show_entries",
            "packet=pts_time,dts_time,duration_time",
            "-of",
            "compact=p=0",
            *input_args(path, demuxer),
        ],
        timeout=_PACKETS_TIMEOUT,
        max_stdout=_PACKET_TAIL_BYTES,
        tail_only=True,
    )
    if result.returncode != 0:
        raise UnsupportedMedia(
            "This file is not audio tonearm can read: "
            + (result.stderr.strip().splitlines() or ["it could not be parsed"])[-1],
            code="not-audio",
        )
    lines = result.stdout.decode("ascii", errors="replace").splitlines()
    if len(result.stdout) >= _PACKET_TAIL_BYTES:
        lines = lines[1:]  # the first line of a cut tail may be partial
    end = 0.0
    for line in lines:
        fields = dict(field.partition("=")[::2] for field in line.split("|"))
        start = _number(fields.get("pts_time"))
        if start is None:
            start = _number(fields.get("dts_time"))
        if start is not None:
            end = max(end, start + (_number(fields.get("duration_time")) or 0.0))
    return end


def _int(value: object) -> int | None:
    try:
        return int(str(value))
    except ValueError:
        return None


def _number(value: object) -> float | None:
    """A finite float, negative allowed (ffprobe writes "N/A" for unknown values)."""
    try:
        number = float(str(value))
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _float(value: object) -> float | None:
    try:
        number = float(str(value))
    except ValueError:
        return None
    return number if number > 0 else None


def _fmt(seconds: float) -> str:
    minutes, secs = divmod(round(seconds), 60)
    return f"{minutes}:{secs:02d}" if minutes else f"{seconds:.1f} s"
