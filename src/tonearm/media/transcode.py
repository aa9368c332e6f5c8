"""ffmpeg arguments for an on-the-fly transcode to a pipe: formats tonearm does not store.

Everything a player can ask for that processing already wrote (the original, the AAC
rungs, the MP3 fallback) is served as stored; this covers the rest (Opus, Vorbis,
FLAC, WAV, and MP3/AAC when no stored file fits). The output goes to stdout in a
streamable container, so the first bytes leave while ffmpeg still encodes.
"""

from __future__ import annotations

from dataclasses import dataclass

from tonearm.types import Kbps, Seconds


@dataclass(frozen=True)
class Target:
    codec: list[str]
    muxer: str
    media_type: str
    suffix: str


TARGETS: dict[str, Target] = {
    "mp3": Target(["-c:a", "libmp3lame"], "mp3", "audio/mpeg", "mp3"),
    # libopus takes 48 kHz: ffmpeg resamples to it by itself.
    "opus": Target(["-c:a", "libopus"], "ogg", "audio/ogg", "opus"),
    "ogg": Target(["-c:a", "libvorbis"], "ogg", "audio/ogg", "ogg"),
    "aac": Target(["-c:a", "aac"], "adts", "audio/aac", "aac"),
    "flac": Target(["-c:a", "flac"], "flac", "audio/flac", "flac"),
    "wav": Target(["-c:a", "pcm_s16le"], "wav", "audio/wav", "wav"),
}


def transcode_args(
    ffmpeg: str, source: str, target: str, kbps: Kbps | None, offset: Seconds
) -> list[str]:
    """The command line that writes ``source`` from ``offset`` as ``target`` to stdout.

    ``-ss`` before ``-i`` seeks the input (fast, to the frame; decoders start exactly
    there); ``-map 0:a:0`` drops cover pictures and other streams.
    """
    spec = TARGETS[target]
    seek = ["-ss", f"{offset:.3f}"] if offset > 0 else []
    rate = ["-b:a", f"{int(kbps)}k"] if kbps is not None else []
    return [
        ffmpeg,
        "-nostdin",
        "-hide_banner",
        "-v",
        "error",
        *seek,
        "-i",
        source,
        "-map",
        "0:a:0",
        "-vn",
        "-map_metadata",
        "-1",
        *spec.codec,
        *rate,
        "-f",
        spec.muxer,
        "pipe:1",
    ]
