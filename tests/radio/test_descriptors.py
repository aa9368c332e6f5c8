"""The sound descriptor on signals whose answer is known."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest

from tonearm.media import MediaTools, describe_file, probe
from tonearm.media.descriptors import LAYOUT, SIZE, DescriptorBuilder, vector_from_bytes
from tonearm.types import Seconds

RATE = 44100
PITCHES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")


def describe(samples: np.ndarray, rate: int = RATE, chunk: int = 40_000):
    builder = DescriptorBuilder(rate)
    pcm = np.clip(samples * 32767, -32768, 32767).astype(np.int16)
    for start in range(0, pcm.size, chunk):  # odd chunk sizes: state carries over
        builder.feed(pcm[start : start + chunk])
    return builder.descriptor()


def group(vector: np.ndarray, name: str) -> np.ndarray:
    g = next(g for g in LAYOUT if g.name == name)
    return vector[g.start : g.stop]


def clicks(bpm: float, seconds: float, level: float = 0.8) -> np.ndarray:
    out = np.zeros(int(RATE * seconds))
    rng = np.random.default_rng(1)
    step = RATE * 60.0 / bpm
    for n in range(int(seconds * bpm / 60)):
        start = int(n * step)
        out[start : start + 300] = rng.standard_normal(300)[: out[start : start + 300].size] * level
    return out


def test_a_440_hz_tone_has_its_chroma_peak_at_a() -> None:
    t = np.arange(RATE * 6) / RATE
    d = describe(0.5 * np.sin(2 * np.pi * 440.0 * t))
    chroma = group(d.vector, "harmony")[:12]
    assert PITCHES[int(np.argmax(chroma))] == "A"
    assert chroma[9] > 0.9
    assert d.vector.size == SIZE
    assert d.vector.dtype == np.float32


@pytest.mark.parametrize("bpm", [90.0, 120.0, 128.0])
def test_the_tempo_of_a_click_track(bpm: float) -> None:
    d = describe(clicks(bpm, 20.0))
    assert d.tempo_bpm == pytest.approx(bpm, rel=0.02)


def test_a_louder_signal_has_a_higher_rms() -> None:
    quiet = describe(clicks(120.0, 8.0, level=0.02))
    loud = describe(clicks(120.0, 8.0, level=0.16))
    rms_quiet = group(quiet.vector, "dynamics")[0]
    rms_loud = group(loud.vector, "dynamics")[0]
    assert rms_loud - rms_quiet == pytest.approx(20 * np.log10(8), abs=1.0)


def test_noise_is_flat_and_a_tone_is_not() -> None:
    t = np.arange(RATE * 4) / RATE
    tone = describe(0.5 * np.sin(2 * np.pi * 1000.0 * t))
    noise = describe(np.random.default_rng(3).standard_normal(t.size) * 0.2)
    flatness = lambda d: group(d.vector, "spectral")[4]  # noqa: E731 - mean flatness
    assert flatness(noise) > 10 * flatness(tone)


def test_the_key_of_a_c_major_chord_sequence() -> None:
    t = np.arange(RATE * 2) / RATE
    notes = {"C": 261.63, "E": 329.63, "G": 392.0, "F": 349.23, "A": 440.0, "D": 293.66}
    chord = lambda *names: sum(np.sin(2 * np.pi * notes[n] * t) for n in names) / 4  # noqa: E731
    d = describe(np.concatenate([chord("C", "E", "G"), chord("F", "A", "C"), chord("G", "D")]))
    assert (d.key, d.mode) == ("C", "major")


def test_silence_and_tiny_input_give_a_finite_descriptor() -> None:
    for samples in (np.zeros(RATE * 3), np.zeros(100)):
        d = describe(samples)
        assert np.all(np.isfinite(d.vector))
        assert d.tempo_bpm == 0.0


def test_the_file_decoder_gives_what_the_stream_gives(tmp_path: Path) -> None:
    path = tmp_path / "tone.flac"
    subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            "sine=frequency=440:sample_rate=48000:duration=5",
            str(path),
        ],
        check=True,
    )
    tools = MediaTools()
    info = probe(path, tools, min_duration=Seconds(1), max_duration=Seconds(60))
    d = describe_file(path, info, tools)
    assert PITCHES[int(np.argmax(group(d.vector, "harmony")[:12]))] == "A"
    assert d.seconds == pytest.approx(5.0, abs=0.05)
    assert np.array_equal(vector_from_bytes(d.to_bytes()), d.vector)
