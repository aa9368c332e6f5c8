"""Which stored file answers a player that names a format and a bit rate ceiling.

Pure: no database, no store. The Subsonic ``stream`` method (``format``,
``maxBitRate``) asks it; the answer is one of the files processing already wrote, and
only a format tonearm does not store is transcoded:

- ``raw``: the original as uploaded.
- an AAC name (``aac``, ``m4a``, ``mp4``): the highest finished AAC rung at or under
  the ceiling (the lowest when none fits), served as one fragmented MP4.
- nothing: the original when it fits the ceiling (or there is none); else the AAC rung
  as above, without a finished rung the stored MP3, else the original.
- ``mp3``: the stored MP3 when it fits the ceiling, an MP3 original that fits, else a
  transcode at the ceiling.
- the original's own format (``flac`` for a FLAC upload...): the original, when it
  fits the ceiling or the format is lossless (no rate to lower); else a transcode.
- another format we can encode (``opus``, ``ogg``, ``flac``, ``wav``): a transcode.
- a name we do not know: as if none were given (the spec calls ``format`` a
  preference, and apps send their own profile names).
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass

from tonearm.types import Kbps


class Source(enum.StrEnum):
    ORIGINAL = "original"
    AAC = "aac"
    MP3 = "mp3"
    TRANSCODE = "transcode"


AAC_NAMES = frozenset({"aac", "m4a", "mp4", "fmp4"})
LOSSLESS_TARGETS = frozenset({"flac", "wav"})
TRANSCODE_TARGETS = frozenset({"mp3", "opus", "ogg", "aac", "flac", "wav"})
DEFAULT_KBPS: dict[str, Kbps] = {
    "mp3": Kbps(192),
    "opus": Kbps(128),
    "ogg": Kbps(192),
    "aac": Kbps(256),
}
"""A transcode's rate when the player sets no ceiling."""

_FORMAT_OF_EXT = {"m4a": "aac", "aac": "aac", "opus": "opus", "ogg": "ogg"}


@dataclass(frozen=True)
class Stored:
    """What processing stored for one track (the blob's columns, read by the caller)."""

    original_ext: str
    """The original's extension (``keys.original_ext``): ``flac``, ``mp3``, ``ogg``..."""
    original_kbps: Kbps | None
    rungs: Sequence[tuple[str, Kbps]] = ()
    """Finished AAC renditions, (name, nominal kbps)."""
    mp3_kbps: Kbps | None = None
    """The stored MP3 fallback's rate; None when there is none (yet)."""


@dataclass(frozen=True)
class Pick:
    source: Source
    rung: str | None = None
    """The AAC rendition, for ``Source.AAC``."""
    target: str | None = None
    """The format to encode, for ``Source.TRANSCODE``."""
    kbps: Kbps | None = None
    """The transcode's rate (None for lossless targets)."""


def choose(stored: Stored, fmt: str | None, max_kbps: int) -> Pick:
    """The file for ``fmt`` (None or empty: no preference) under ``max_kbps`` (0: none)."""
    name = (fmt or "").strip().lower()
    if name == "raw":
        return Pick(Source.ORIGINAL)
    if name == "mp3":
        return _mp3(stored, max_kbps)
    if name in AAC_NAMES:
        if stored.rungs:
            return _best_rung(stored.rungs, max_kbps)
        return _transcode("aac", max_kbps)
    if name and name == _format_of(stored.original_ext):
        if name in LOSSLESS_TARGETS or _fits(stored.original_kbps, max_kbps):
            return Pick(Source.ORIGINAL)
        return _transcode(name, max_kbps)
    if name in TRANSCODE_TARGETS:
        return _transcode(name, max_kbps)
    if _fits(stored.original_kbps, max_kbps):
        # What apps expect when they name no format: the file their song entry describes
        # (suffix, contentType, size), as folder servers send it; it seeks by Range.
        return Pick(Source.ORIGINAL)
    if stored.rungs:
        return _best_rung(stored.rungs, max_kbps)
    if stored.mp3_kbps is not None:
        return Pick(Source.MP3)
    return Pick(Source.ORIGINAL)


def _best_rung(rungs: Sequence[tuple[str, Kbps]], max_kbps: int) -> Pick:
    fitting = [r for r in rungs if _fits(r[1], max_kbps)]
    name, _ = max(fitting, key=lambda r: r[1]) if fitting else min(rungs, key=lambda r: r[1])
    return Pick(Source.AAC, rung=name)


def _mp3(stored: Stored, max_kbps: int) -> Pick:
    if stored.mp3_kbps is not None and _fits(stored.mp3_kbps, max_kbps):
        return Pick(Source.MP3)
    if stored.original_ext == "mp3" and _fits(stored.original_kbps, max_kbps):
        return Pick(Source.ORIGINAL)
    return _transcode("mp3", max_kbps)


def _transcode(target: str, max_kbps: int) -> Pick:
    if target in LOSSLESS_TARGETS:
        return Pick(Source.TRANSCODE, target=target)
    kbps = DEFAULT_KBPS[target]
    if max_kbps > 0:
        kbps = Kbps(max(32, min(kbps, max_kbps)))
    return Pick(Source.TRANSCODE, target=target, kbps=kbps)


def _fits(kbps: int | None, max_kbps: int) -> bool:
    # An unknown rate is taken to fit: the ceiling is a preference, not a contract.
    return max_kbps <= 0 or kbps is None or kbps <= max_kbps


def _format_of(ext: str) -> str:
    return _FORMAT_OF_EXT.get(ext, ext)
