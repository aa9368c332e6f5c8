"""Pure parts of the ladder and the peaks: no ffmpeg needed."""

from __future__ import annotations

import io
import math

import numpy as np
import numpy.typing as npt
import pytest

from tonearm.media import (
    DEFAULT_LADDER,
    AudioInfo,
    Rung,
    output_channels,
    output_sample_rate,
    shape_ladder,
)
from tonearm.media.ladder import peak_bandwidth
from tonearm.media.waveform import PeakBuilder
from tonearm.types import Kbps, Seconds


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
    # Scaled to the track's own peak (-100 * 300): that is -127.
    assert min(waveform["data"]) == -127
    assert max(waveform["data"][:1980]) == round(99 * 300 * 127 / (100 * 300))


def _info(codec: str, rate: int, channels: int, bit_rate: int | None) -> AudioInfo:
    return AudioInfo("x", codec, rate, channels, None, Seconds(60), bit_rate, has_cover=False)


@pytest.mark.parametrize(
    ("info", "names"),
    [
        (_info("pcm_s16le", 8000, 1, 128_000), ["64k"]),
        (_info("pcm_s16le", 8000, 2, 256_000), ["64k", "128k"]),
        (_info("mp3", 44100, 2, 96_000), ["64k"]),
        (_info("mp3", 44100, 2, 192_000), ["64k", "128k"]),
        (_info("mp3", 44100, 2, 320_000), ["64k", "128k", "256k"]),
        (_info("aac", 44100, 2, 127_000), ["64k", "128k"]),  # a 128k AAC a bit under
        (_info("opus", 48000, 2, None), ["64k", "128k", "256k"]),  # rate unknown
        (_info("flac", 44100, 2, 900_000), ["64k", "128k", "256k"]),
        (_info("flac", 44100, 1, 500_000), ["64k", "128k"]),
        (_info("flac", 22050, 2, 400_000), ["64k", "128k", "256k"]),
        (_info("flac", 48000, 6, 2_000_000), ["64k", "128k", "256k"]),  # downmixed
        (_info("flac", 44100, 2, 40_000), ["64k", "128k", "256k"]),  # lossless: rate no bound
    ],
    ids=["8k-mono", "8k-stereo", "mp3-96k", "mp3-192k", "mp3-320k", "aac-127k", "opus-unknown",
         "flac", "flac-mono", "flac-22k", "flac-5.1", "flac-silence"],
)
def test_shape_ladder_keeps_what_the_source_can_fill(info: AudioInfo, names: list[str]) -> None:
    assert [rung.name for rung in shape_ladder(DEFAULT_LADDER, info)] == names


def test_shape_ladder_always_keeps_one_rung_and_no_twins() -> None:
    ladder = (Rung("hi", Kbps(320)), Rung("mid", Kbps(160)), Rung("also-mid", Kbps(160)))
    # Every rung above a 96 kbps source: the lowest alone stays.
    assert shape_ladder(ladder, _info("mp3", 44100, 2, 96_000)) == (Rung("mid", Kbps(160)),)
    # Order is the caller's; a second rung at the same rate would come out the same.
    assert shape_ladder(ladder, _info("flac", 44100, 2, 900_000)) == (Rung("mid", Kbps(160)),)
    wide = (Rung("b", Kbps(256)), Rung("a", Kbps(32)), Rung("c", Kbps(96)))
    assert [r.name for r in shape_ladder(wide, _info("flac", 44100, 2, None))] == ["b", "a", "c"]
    with pytest.raises(ValueError, match="at least one rung"):
        shape_ladder((), _info("flac", 44100, 2, None))


def _waveform(samples: npt.NDArray[np.int16]) -> list[int]:
    builder = PeakBuilder(sample_rate=8000, expected_samples=samples.size, points=100)
    builder.feed(samples)
    data: list[int] = builder.waveform()["data"]
    return data


def _sine(dbfs: float, n: int = 80_000) -> npt.NDArray[np.int16]:
    amplitude = 32767 * 10 ** (dbfs / 20)
    return np.rint(amplitude * np.sin(np.arange(n) * 2 * np.pi * 440 / 8000)).astype(np.int16)


def test_peaks_are_scaled_to_the_tracks_own_peak() -> None:
    for dbfs in (0.0, -12.0, -41.0):
        data = _waveform(_sine(dbfs))
        assert max(data) == 127, dbfs
        assert min(data) == -127, dbfs
    builder = PeakBuilder(sample_rate=8000, expected_samples=80_000, points=100)
    builder.feed(_sine(-41.0))
    assert builder.waveform()["display_gain_db"] == pytest.approx(41.0, abs=0.1)


def test_silence_stays_flat_and_noise_stays_low() -> None:
    assert set(_waveform(np.zeros(80_000, dtype=np.int16))) == {0}
    # 16-bit dither alone (+-2 LSB, about -84 dBFS) is not blown up to full height.
    dither = np.random.default_rng(5).integers(-2, 3, 80_000).astype(np.int16)
    assert max(abs(v) for v in _waveform(dither)) <= 8
    # Below the -60 dBFS floor the gain stops growing: -80 dBFS draws at a tenth.
    assert max(_waveform(_sine(-80.0))) == pytest.approx(12.7, abs=1)
