"""Peaks for a waveform display, in audiowaveform's JSON (version 2) format.

The pipeline pipes mono 16-bit PCM out of ffmpeg; :class:`PeakBuilder` reduces it in
fixed-size chunks, so memory stays flat whatever the track's length.

The 8-bit values are display-scaled: each track is normalised to its own peak, so a
quiet recording fills the height like a loud one. Unscaled, a -41 dBFS sine peaked
at 2 of 127 and drew a flat line. The gain applied is written into the document as
``display_gain_db`` (an addition: audiowaveform readers ignore unknown keys), so a
client that wants true levels divides it back out.
"""

from __future__ import annotations

import math
from typing import IO, Any

import numpy as np
import numpy.typing as npt

WAVEFORM_POINTS = 1000
"""Points per track whatever its length: a display scales one array, never resamples."""
PEAKS_MAX_RATE = 48000
"""Sources above this rate are resampled for the peaks pipe; display needs no more."""
NORMALISE_FLOOR_DBFS = -60.0
"""Peaks are scaled as if the track peaked at least this loud.

Digital silence stays flat (0 times any gain is 0) and low noise stays low: a track
holding only 16-bit dither (±1-2 LSB, about -84 dBFS) draws at most 2-4 of 127,
instead of full height. -60 dB leaves room for quiet real recordings: a -41 dBFS
sine is scaled to full height.
"""
_FULL_SCALE = 32768
_TOP = 127


def peaks_sample_rate(source_rate: int) -> int:
    return min(source_rate, PEAKS_MAX_RATE)


def peaks_output_args(source_rate: int) -> list[str]:
    """ffmpeg output arguments (after ``-map``) writing mono s16le PCM to stdout."""
    rate = peaks_sample_rate(source_rate)
    resample = ["-ar", str(rate)] if rate != source_rate else []
    return ["-ac", "1", *resample, "-c:a", "pcm_s16le", "-f", "s16le", "pipe:1"]


class PeakBuilder:
    """Min/max pairs over a stream of mono int16 samples.

    ``expected_samples`` (from the probed duration) fixes the samples per point; the
    real stream may be a little longer or shorter, and :meth:`waveform` still returns
    exactly ``points`` points (surplus folded into the last, shortfall padded with 0).
    """

    def __init__(self, sample_rate: int, expected_samples: int, points: int = WAVEFORM_POINTS):
        self.sample_rate = sample_rate
        self.points = points
        self.samples_per_pixel = max(1, math.ceil(expected_samples / points))
        self.samples = 0
        self._carry = np.empty(0, dtype=np.int16)
        self._mins: list[npt.NDArray[np.int16]] = []
        self._maxs: list[npt.NDArray[np.int16]] = []

    def feed(self, samples: npt.NDArray[np.int16]) -> None:
        self.samples += samples.size
        if self._carry.size:
            samples = np.concatenate([self._carry, samples])
        whole = samples.size - samples.size % self.samples_per_pixel
        if whole:
            blocks = samples[:whole].reshape(-1, self.samples_per_pixel)
            self._mins.append(blocks.min(axis=1))
            self._maxs.append(blocks.max(axis=1))
        self._carry = samples[whole:].copy()

    def read_from(self, stream: IO[bytes], chunk_bytes: int = 1 << 18) -> None:
        """Feed everything from a byte stream of s16le samples until EOF."""
        odd = b""
        while block := stream.read(chunk_bytes):
            block = odd + block
            usable = len(block) - len(block) % 2
            odd = block[usable:]
            self.feed(np.frombuffer(block[:usable], dtype="<i2").astype(np.int16, copy=False))

    @property
    def duration(self) -> float:
        return self.samples / self.sample_rate

    def waveform(self) -> dict[str, Any]:
        """The audiowaveform v2 document: ``data`` is [min0, max0, min1, max1, ...].

        Values are display-scaled, -127..127: the track's largest absolute sample (or
        :data:`NORMALISE_FLOOR_DBFS`, if louder) maps to 127; ``display_gain_db`` is
        the gain that was applied.
        """
        mins = list(self._mins)
        maxs = list(self._maxs)
        if self._carry.size:
            mins.append(self._carry.min(keepdims=True))
            maxs.append(self._carry.max(keepdims=True))
        low = np.concatenate(mins) if mins else np.zeros(0, dtype=np.int16)
        high = np.concatenate(maxs) if maxs else np.zeros(0, dtype=np.int16)
        if low.size > self.points:
            low = np.append(low[: self.points - 1], low[self.points - 1 :].min())
            high = np.append(high[: self.points - 1], high[self.points - 1 :].max())
        elif low.size < self.points:
            pad = self.points - low.size
            low = np.pad(low, (0, pad))
            high = np.pad(high, (0, pad))
        peak = max(
            int(np.abs(low.astype(np.int32)).max(initial=0)),
            int(np.abs(high.astype(np.int32)).max(initial=0)),
        )
        reference = max(peak, _FULL_SCALE * 10 ** (NORMALISE_FLOOR_DBFS / 20))
        scale = _TOP / reference

        def scaled(values: npt.NDArray[np.int16]) -> npt.NDArray[np.int32]:
            rounded: npt.NDArray[np.float64] = np.rint(values * scale)
            return np.clip(rounded, -_TOP, _TOP).astype(np.int32)

        pairs = np.stack([scaled(low), scaled(high)], axis=1)
        return {
            "version": 2,
            "channels": 1,
            "sample_rate": self.sample_rate,
            "samples_per_pixel": self.samples_per_pixel,
            "bits": 8,
            "length": self.points,
            "data": [int(v) for v in pairs.reshape(-1)],
            "display_gain_db": round(20 * math.log10(scale * _FULL_SCALE / _TOP), 2),
        }
