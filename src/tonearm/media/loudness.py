"""EBU R128 loudness and ReplayGain 2.0 gain, measured by ffmpeg's loudnorm filter.

The pipeline adds :func:`loudness_output_args` to one of its ffmpeg processes and
hands that process's stderr tail to :func:`parse_loudness` when it has finished.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

REPLAYGAIN_REFERENCE_LUFS = -18.0
"""ReplayGain 2.0 plays every track at -18 LUFS."""
SILENCE_FLOOR_LUFS = -70.0
"""The R128 absolute gate; a silent track reports -inf, which we clamp to this."""

_LOUDNORM_JSON = re.compile(r"\{[^{}]*\"input_i\"[^{}]*\}", re.DOTALL)
_PEAK_LEVEL = re.compile(r"Peak level dB:\s*(-?(?:inf|[\d.]+))")


@dataclass(frozen=True)
class Loudness:
    """Loudness of a whole track.

    ``replaygain_track_gain_db`` = -18 - ``integrated_lufs``; ``sample_peak`` is the
    largest absolute sample value, linear, 0..1 (1 = full scale).
    """

    integrated_lufs: float
    loudness_range_lu: float
    true_peak_dbtp: float
    threshold_lufs: float
    replaygain_track_gain_db: float
    sample_peak: float


def loudness_output_args() -> list[str]:
    """ffmpeg output arguments (after ``-map``) measuring loudness into the log.

    astats gives the sample peak, loudnorm the rest; the audio goes to a null muxer.
    ffmpeg must log at info level for both reports to appear.
    """
    return [
        "-af", "astats=measure_perchannel=none:measure_overall=Peak_level,"
        "loudnorm=print_format=json",
        "-f", "null", "-",
    ]


def parse_loudness(stderr_lines: Sequence[str]) -> Loudness | None:
    """Read the reports of :func:`loudness_output_args` from ffmpeg's stderr lines."""
    text = "\n".join(stderr_lines)
    matches = _LOUDNORM_JSON.findall(text)
    if not matches:
        return None
    report = json.loads(matches[-1])
    integrated = _floor(float(report["input_i"]))
    peak_match = _PEAK_LEVEL.findall(text)
    peak_db = float(peak_match[-1]) if peak_match else float(report["input_tp"])
    return Loudness(
        integrated_lufs=integrated,
        loudness_range_lu=_finite(float(report["input_lra"]), 0.0),
        true_peak_dbtp=_finite(float(report["input_tp"]), -120.0),
        threshold_lufs=_floor(float(report["input_thresh"])),
        replaygain_track_gain_db=round(REPLAYGAIN_REFERENCE_LUFS - integrated, 2),
        sample_peak=min(1.0, 10 ** (peak_db / 20)) if math.isfinite(peak_db) else 0.0,
    )


def _floor(lufs: float) -> float:
    return SILENCE_FLOOR_LUFS if math.isnan(lufs) else max(lufs, SILENCE_FLOOR_LUFS)


def _finite(value: float, default: float) -> float:
    return value if math.isfinite(value) else default
