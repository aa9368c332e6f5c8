"""EBU R128 loudness and ReplayGain 2.0 gain, measured by ffmpeg's ebur128 filter.

The pipeline adds :func:`loudness_output_args` to one of its ffmpeg processes and
hands that process's stderr tail to :func:`parse_loudness` when it has finished.

Why ebur128 and not loudnorm: in ffmpeg 5.1 ``loudnorm=print_format=json`` costs about
5x more CPU (it resamples to 192 kHz and runs its limiter even when only measuring):
6.7 s against 1.3 s for a 3-minute track, which alone made the parallel encode slower
than a plain single-process ladder. ebur128 prints its summary with one decimal, so
the integrated loudness is read from its per-frame metadata instead (three decimals;
the value on the last frame is the whole track's), and the sample peak from astats.
Tests check the result against loudnorm, the independent implementation.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

REPLAYGAIN_REFERENCE_LUFS = -18.0
"""ReplayGain 2.0 plays every track at -18 LUFS."""
SILENCE_FLOOR_LUFS = -70.0
"""The R128 absolute gate; a silent track reports -inf/-70, which we clamp to this."""

_NUMBER = r"(-?(?:inf|nan|\d+(?:\.\d+)?))"
_INTEGRATED = re.compile(r"lavfi\.r128\.I=" + _NUMBER)
_SUMMARY_I = re.compile(
    r"Integrated loudness:\s*I:\s*" + _NUMBER + r"\s*LUFS\s*Threshold:\s*" + _NUMBER
)
_SUMMARY_LRA = re.compile(r"LRA:\s*" + _NUMBER + r"\s*LU\b")
_SUMMARY_TRUE_PEAK = re.compile(r"True peak:\s*Peak:\s*" + _NUMBER)
_SAMPLE_PEAK_DB = re.compile(r"Peak level dB:\s*" + _NUMBER)


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

    ffmpeg must log at info level for the reports to appear; the audio itself goes
    to a null muxer.
    """
    return [
        "-af",
        "astats=measure_perchannel=none:measure_overall=Peak_level,"
        "ebur128=peak=true:metadata=1,"
        "ametadata=mode=print:key=lavfi.r128.I",
        "-f",
        "null",
        "-",
    ]


def parse_loudness(stderr_lines: Sequence[str]) -> Loudness | None:
    """Read the reports of :func:`loudness_output_args` from ffmpeg's last log lines."""
    text = "\n".join(_strip_prefix(line) for line in stderr_lines)
    summary = _SUMMARY_I.search(text)
    lra = _SUMMARY_LRA.search(text)
    true_peak = _SUMMARY_TRUE_PEAK.search(text)
    if not (summary and lra and true_peak):
        return None
    frames = _INTEGRATED.findall(text)
    integrated = _floor(float(frames[-1]) if frames else float(summary.group(1)))
    sample_peak = _SAMPLE_PEAK_DB.findall(text)
    peak_db = float(sample_peak[-1]) if sample_peak else float(true_peak.group(1))
    return Loudness(
        integrated_lufs=integrated,
        loudness_range_lu=_finite(float(lra.group(1)), 0.0),
        true_peak_dbtp=_finite(float(true_peak.group(1)), -120.0),
        threshold_lufs=_floor(float(summary.group(2))),
        replaygain_track_gain_db=round(REPLAYGAIN_REFERENCE_LUFS - integrated, 2),
        sample_peak=min(1.0, 10 ** (peak_db / 20)) if math.isfinite(peak_db) else 0.0,
    )


def _strip_prefix(line: str) -> str:
    # "[Parsed_ebur128_1 @ 0x55] [info]   I:  -25.2 LUFS" -> "  I:  -25.2 LUFS"
    return line.split("] ", 2)[-1] if line.startswith("[") else line


def _floor(lufs: float) -> float:
    return SILENCE_FLOOR_LUFS if math.isnan(lufs) else max(lufs, SILENCE_FLOOR_LUFS)


def _finite(value: float, default: float) -> float:
    return value if math.isfinite(value) else default
