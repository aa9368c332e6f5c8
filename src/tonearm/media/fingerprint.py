"""Chromaprint fingerprints (the AcoustID kind) via fpcalc, never fatal."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from tonearm.media.formats import fpcalc_input_args
from tonearm.media.tools import MediaTools

FINGERPRINT_SECONDS = 120
"""fpcalc's default and what AcoustID expects: the first two minutes."""


@dataclass(frozen=True)
class Fingerprint:
    fingerprint: str
    duration: float
    """The whole file's duration as fpcalc measured it (AcoustID lookups need it)."""


def fingerprint_command(source: Path, tools: MediaTools, demuxer: str) -> list[str]:
    """fpcalc over ``source`` read with its approved ``demuxer`` (see ``formats``)."""
    return [
        tools.fpcalc,
        "-json",
        "-length",
        str(FINGERPRINT_SECONDS),
        *fpcalc_input_args(source, demuxer),
    ]


def parse_fingerprint(stdout: bytes) -> Fingerprint | None:
    """fpcalc's JSON, or None when it is missing or malformed."""
    try:
        report = json.loads(stdout.decode("utf-8", errors="replace"))
        value = str(report["fingerprint"])
        duration = float(report["duration"])
    except (ValueError, KeyError, TypeError):
        return None
    return Fingerprint(value, duration) if value else None
