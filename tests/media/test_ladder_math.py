"""Pure parts of the ladder and the peaks: no ffmpeg needed."""

from __future__ import annotations

import io
import math

import numpy as np
import pytest

from tonearm.media import output_channels, output_sample_rate
from tonearm.media.ladder import peak_bandwidth
from tonearm.media.waveform import PeakBuilder


@pytest.mark.parametrize(
    ("source", "output"),
    [(8000, 44100), (22050, 44100), (32000, 44100), (44100, 44100), (48000, 48000),
     (88200, 44100), (96000, 48000), (192000, 48000)],
)
def test_output_sample_rate(source: int, output: int) -> None:
    assert output_sample_rate(source) == output


def test_output_channels() -> None:
    assert [output_channels(n) for n in (1, 2, 6, 8)] == [1, 2, 2, 2]


def test_peak_bandwidth_uses_rfc_8216_windows() -> None:
    # 6 s segments of 96 kB (128 kbit/s), then a 21 ms tail of one AAC frame: alone
    # it would be 300 kbit/s, but a window must last at least half a target duration.
    sizes = [96_000, 96_000, 96_000, 800]
    durations = [6.0, 6.0, 6.0, 0.021]
    assert peak_bandwidth(sizes, durations) == math.ceil(96_800 * 8 / 6.021)
    # One short dense segment next to a 6 s one counts together (window 0.5..1.5 x 6 s).
    assert peak_bandwidth([96_000, 60_000], [6.0, 2.0]) == 156_000
    assert peak_bandwidth([], []) == 0


@pytest.mark.parametrize("actual", [99_000, 100_000, 101_234])
def test_peaks_always_have_the_fixed_length(actual: int) -> None:
    builder = PeakBuilder(sample_rate=8000, expected_samples=100_000, points=1000)
    samples = (np.arange(actual) % 200 - 100).astype("<i2") * 300
    builder.read_from(io.BytesIO(samples.tobytes()), chunk_bytes=4097)  # odd: splits samples
    waveform = builder.waveform()
    assert waveform["length"] == 1000
    assert len(waveform["data"]) == 2000
    assert builder.samples == actual
    assert min(waveform["data"]) == (-100 * 300) >> 8
    assert max(waveform["data"][:1980]) == (99 * 300) >> 8
