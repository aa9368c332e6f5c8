"""A fixed-length sound descriptor per blob, from the PCM the pipeline already decodes.

:class:`DescriptorBuilder` is fed the same mono int16 chunks as ``PeakBuilder`` (one
reader thread, one decode) and keeps only running sums plus two small per-frame
envelopes, so memory stays flat whatever the track's length:

1. Decimate to about 11 kHz by averaging ``q`` samples (``q = rate // 11025``). The
   box filter's nulls sit on the aliasing frequencies' centres; what still folds
   down is above 4 kHz, where only the top contrast band and rolloff look.
2. Every 256 samples (23 ms) a 512-sample Hann frame gives onset strength and RMS:
   43 values a second resolve 120 BPM to within about 1 BPM after interpolation.
   Every eighth position a 2048-sample frame (186 ms, so the long frames still
   cover the track) gives timbre, harmony and shape: 5.4 Hz bins separate semitones
   down to about 100 Hz for chroma, and averages need no more frames.
3. Long frames: power spectrum, 40-band mel (HTK), log, DCT -> 13 MFCCs; chroma
   from 100-4000 Hz bins mapped to their nearest pitch class; spectral centroid,
   85 % rolloff, flatness and six octave-band contrasts. Short frames: RMS and onset
   strength (rectified log-mel flux).
4. At the end: means and standard deviations, the key by Krumhansl-Kessler profile
   correlation, the tempo from the onset envelope's autocorrelation weighted
   towards 120 BPM (log-normal, one octave wide), dynamics from the RMS envelope.

Layout (:data:`LAYOUT`, version :data:`DESCRIPTOR_VERSION`; any change of meaning
or order bumps the version, and the backfill job recomputes older rows)::

    timbre    0-25  MFCC 1-13 mean, MFCC 1-13 std
    harmony  26-38  chroma C..B mean (sums to 1), key clarity (profile correlation)
    rhythm   39-42  tempo / 100, tempo clarity, onset mean, onset std
    spectral 43-54  centroid, rolloff, flatness (mean, std; kHz, kHz, 0-1),
                    contrast of six octave bands (mean, dB)
    dynamics 55-59  level (RMS of the whole, dBFS), std, 10th and 95th percentile of the
                    23 ms RMS (dB), crest factor (dB)

Measured on this machine (``docs/architecture.md``): 0.12 s of CPU for a 180 s track,
about 1 % of the CPU of ``bench/ingest.py``'s full pipeline (measured there with and
without: +0.7 % CPU on a quiet machine).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import numpy as np
import numpy.typing as npt

from tonearm.errors import Invalid
from tonearm.media.formats import demuxer_of, input_args
from tonearm.media.probe import AudioInfo
from tonearm.media.tools import ChildProcess, MediaTools
from tonearm.media.waveform import peaks_output_args, peaks_sample_rate

DESCRIPTOR_VERSION = 1
TARGET_RATE = 11025
N_FFT = 2048
HOP = 256
N_MELS = 40
ONSET_FFT = 512
SPECTRAL_EVERY = 8
N_MFCC = 13
MAX_ENVELOPE_FRAMES = 43 * 60 * 20
"""Onset and RMS envelopes are kept for the first 20 minutes (about 200 kB each);
summary statistics cover the whole stream."""
_EPS = 1e-10
_CONTRAST_EDGES = (0.0, 200.0, 400.0, 800.0, 1600.0, 3200.0, 5600.0)
_PITCH_NAMES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")
# Krumhansl-Kessler key profiles (C major, C minor).
_MAJOR = np.array([6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88])
_MINOR = np.array([6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17])

Vector = npt.NDArray[np.float32]


@dataclass(frozen=True)
class Group:
    name: str
    start: int
    stop: int


LAYOUT = (
    Group("timbre", 0, 26),
    Group("harmony", 26, 39),
    Group("rhythm", 39, 43),
    Group("spectral", 43, 55),
    Group("dynamics", 55, 60),
)
SIZE = LAYOUT[-1].stop


@dataclass(frozen=True)
class Descriptor:
    """What a blob sounds like: ``vector`` (float32, :data:`SIZE`) plus readable facts."""

    vector: Vector
    tempo_bpm: float
    key: str
    """Pitch class name ("A", "C#")."""
    mode: str
    """"major" or "minor"."""
    seconds: float
    version: int = DESCRIPTOR_VERSION

    def to_bytes(self) -> bytes:
        return self.vector.astype("<f4").tobytes()


def vector_from_bytes(data: bytes) -> Vector:
    return np.frombuffer(data, dtype="<f4").astype(np.float32)


class DescriptorBuilder:
    """Running statistics over a stream of mono int16 samples at ``sample_rate``."""

    def __init__(self, sample_rate: int) -> None:
        self.sample_rate = sample_rate
        self.decimation = max(1, sample_rate // TARGET_RATE)
        self.rate = sample_rate / self.decimation
        self.samples = 0
        self._raw_carry = np.empty(0, dtype=np.float32)
        self._buffer = np.empty(0, dtype=np.float32)
        self._window = np.hanning(N_FFT).astype(np.float32)
        freqs = np.fft.rfftfreq(N_FFT, 1.0 / self.rate)
        self._freqs = freqs.astype(np.float32)
        self._mel = _mel_filterbank(freqs, self.rate).astype(np.float32)
        self._dct = _dct_matrix(N_MELS, N_MFCC).astype(np.float32)
        self._chroma = _chroma_matrix(freqs).astype(np.float32)
        self._short_window = np.hanning(ONSET_FFT).astype(np.float32)
        short_freqs = np.fft.rfftfreq(ONSET_FFT, 1.0 / self.rate)
        self._short_mel = _mel_filterbank(short_freqs, self.rate).astype(np.float32)
        self._bands = [
            np.flatnonzero((freqs >= lo) & (freqs < hi))
            for lo, hi in itertools.pairwise(_CONTRAST_EDGES)
        ]
        self.frames = 0
        self.spectral_frames = 0
        self._sums: dict[str, npt.NDArray[np.float64]] = {}
        self._prev_logmel: npt.NDArray[np.float32] | None = None
        self._onsets: list[npt.NDArray[np.float32]] = []
        self._rms: list[npt.NDArray[np.float32]] = []
        self._envelope_frames = 0
        self._peak = 0
        self._energy = 0.0

    # -- feeding ----------------------------------------------------------------

    def feed(self, samples: npt.NDArray[np.int16]) -> None:
        if not samples.size:
            return
        self.samples += samples.size
        self._peak = max(self._peak, int(np.abs(samples.astype(np.int32)).max()))
        data = samples.astype(np.float32) * (1.0 / 32768.0)
        self._energy += float(np.dot(data, data))
        if self._raw_carry.size:
            data = np.concatenate([self._raw_carry, data])
        whole = data.size - data.size % self.decimation
        self._raw_carry = data[whole:].copy()
        if self.decimation > 1:
            low = data[:whole].reshape(-1, self.decimation).mean(axis=1)
        else:
            low = data[:whole]
        self._buffer = np.concatenate([self._buffer, low])
        if self._buffer.size < N_FFT:
            return
        count = 1 + (self._buffer.size - N_FFT) // HOP
        frames = np.lib.stride_tricks.sliding_window_view(self._buffer, N_FFT)[::HOP][:count]
        self._frames(frames)
        self._buffer = self._buffer[count * HOP :].copy()

    def read_from(self, stream: IO[bytes], chunk_bytes: int = 1 << 18) -> None:
        """Feed everything from a byte stream of s16le samples until EOF."""
        odd = b""
        while block := stream.read(chunk_bytes):
            block = odd + block
            usable = len(block) - len(block) % 2
            odd = block[usable:]
            self.feed(np.frombuffer(block[:usable], dtype="<i2").astype(np.int16, copy=False))

    def _add(self, name: str, values: npt.NDArray[np.float32]) -> None:
        """Running sum and sum of squares over frames (axis 0)."""
        v = values.astype(np.float64)
        total = np.stack([v.sum(axis=0), (v * v).sum(axis=0)])
        if name in self._sums:
            self._sums[name] += total
        else:
            self._sums[name] = total

    def _frames(self, frames: npt.NDArray[np.float32]) -> None:
        # Onset and level need every hop, but only a coarse spectrum: short frames.
        short = frames[:, :ONSET_FFT]
        spectrum = np.fft.rfft(short * self._short_window, axis=1)
        logmel = np.log(_product(spectrum.real**2 + spectrum.imag**2, self._short_mel) + _EPS)
        previous = logmel[:1] if self._prev_logmel is None else self._prev_logmel[None, :]
        flux = np.maximum(0.0, np.diff(np.concatenate([previous, logmel]), axis=0)).mean(axis=1)
        self._prev_logmel = logmel[-1]
        rms_db = 10.0 * np.log10((short[:, :HOP] ** 2).mean(axis=1) + 1e-10)
        self._add("envelope", np.stack([flux, rms_db], axis=1))
        room = MAX_ENVELOPE_FRAMES - self._envelope_frames
        if room > 0:
            self._onsets.append(flux[:room].astype(np.float32))
            self._rms.append(rms_db[:room].astype(np.float32))
            self._envelope_frames += min(room, flux.size)
        # Timbre, harmony and shape are averages: one long frame in SPECTRAL_EVERY.
        picked = np.flatnonzero((self.frames + np.arange(frames.shape[0])) % SPECTRAL_EVERY == 0)
        self.frames += frames.shape[0]
        if picked.size:
            self._spectral(frames[picked])

    def _spectral(self, frames: npt.NDArray[np.float32]) -> None:
        self.spectral_frames += frames.shape[0]
        spectrum = np.fft.rfft(frames * self._window, axis=1)
        power = (spectrum.real**2 + spectrum.imag**2).astype(np.float32)
        magnitude = np.sqrt(power)
        self._add("mfcc", _product(np.log(_product(power, self._mel) + _EPS), self._dct))
        chroma = _product(power, self._chroma)
        chroma /= chroma.sum(axis=1, keepdims=True) + _EPS
        self._add("chroma", chroma)
        total = magnitude.sum(axis=1) + _EPS
        centroid = (magnitude * self._freqs).sum(axis=1) / total / 1000.0
        cumulative = np.cumsum(power, axis=1)
        rolloff_bin = (cumulative < 0.85 * cumulative[:, -1:]).sum(axis=1)
        rolloff = self._freqs[np.minimum(rolloff_bin, self._freqs.size - 1)] / 1000.0
        flatness = np.exp(np.log(power + _EPS).mean(axis=1)) / (power.mean(axis=1) + _EPS)
        self._add("shape", np.stack([centroid, rolloff, flatness], axis=1))
        self._add("contrast", self._contrast(magnitude))

    def _contrast(self, magnitude: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        out = np.empty((magnitude.shape[0], len(self._bands)), dtype=np.float32)
        for i, band in enumerate(self._bands):
            part = np.sort(magnitude[:, band], axis=1)
            edge = max(1, round(0.2 * part.shape[1]))
            valley = part[:, :edge].mean(axis=1)
            peak = part[:, -edge:].mean(axis=1)
            out[:, i] = 20.0 * np.log10((peak + _EPS) / (valley + _EPS))
        return out

    # -- result -----------------------------------------------------------------

    @property
    def duration(self) -> float:
        return self.samples / self.sample_rate

    def _stats(self, name: str, width: int) -> tuple[npt.NDArray[np.float64], ...]:
        count = self.frames if name == "envelope" else self.spectral_frames
        if name not in self._sums or count == 0:
            return np.zeros(width), np.zeros(width)
        total, squares = self._sums[name]
        mean = total / count
        return mean, np.sqrt(np.maximum(0.0, squares / self.frames - mean * mean))

    def descriptor(self) -> Descriptor:
        """The descriptor of everything fed so far (zeros for under one frame)."""
        mfcc_mean, mfcc_std = self._stats("mfcc", N_MFCC)
        chroma, _ = self._stats("chroma", 12)
        chroma = chroma / (chroma.sum() + _EPS)
        key, mode, clarity = estimate_key(chroma)
        shape_mean, shape_std = self._stats("shape", 3)
        contrast, _ = self._stats("contrast", len(self._bands))
        (onset_mean, _), (onset_std, rms_std) = self._stats("envelope", 2)
        onsets = np.concatenate(self._onsets) if self._onsets else np.zeros(0, np.float32)
        levels = np.concatenate(self._rms) if self._rms else np.full(1, -100.0, np.float32)
        tempo, tempo_clarity = estimate_tempo(onsets, self.rate / HOP)
        overall = math.sqrt(self._energy / max(1, self.samples))
        crest = 20.0 * math.log10((self._peak / 32768.0 + 1e-9) / (overall + 1e-9))
        level = 20.0 * math.log10(overall + 1e-5)
        vector = np.concatenate(
            [
                mfcc_mean,
                mfcc_std,
                chroma,
                [clarity],
                [tempo / 100.0, tempo_clarity, onset_mean, onset_std],
                np.stack([shape_mean, shape_std], axis=1).reshape(-1),
                contrast,
                [level, rms_std, *np.percentile(levels, [10, 95]), crest],
            ]
        ).astype(np.float32)
        assert vector.size == SIZE
        return Descriptor(
            vector=vector, tempo_bpm=round(tempo, 2), key=key, mode=mode, seconds=self.duration
        )


_SINGLE_THREAD_WORK = 200_000
"""OpenBLAS runs a matrix product on all cores from about 262k multiply-adds (its
``GEMM_MULTITHREAD_THRESHOLD`` heuristic) and its idle threads spin: measured, that
quadrupled the CPU time of a 180 s track (0.12 s to 0.5 s) while ffmpeg needed those
cores. Products are therefore made in row blocks below that size."""


def _product(a: npt.NDArray[Any], b: npt.NDArray[Any]) -> npt.NDArray[np.float32]:
    """``a @ b`` (float32) in row blocks small enough for one thread (see above)."""
    a = a.astype(np.float32, copy=False)
    b = b.astype(np.float32, copy=False)
    rows = max(1, _SINGLE_THREAD_WORK // max(1, a.shape[1] * b.shape[1]))
    if a.shape[0] <= rows:
        small: npt.NDArray[np.float32] = a @ b
        return small
    out = np.empty((a.shape[0], b.shape[1]), dtype=np.float32)
    for start in range(0, a.shape[0], rows):
        np.matmul(a[start : start + rows], b, out=out[start : start + rows])
    return out


def estimate_key(chroma: npt.NDArray[np.float64]) -> tuple[str, str, float]:
    """(pitch class name, mode, correlation) of the best Krumhansl-Kessler profile."""
    if not np.any(chroma > 0):
        return "C", "major", 0.0
    best = ("C", "major", -2.0)
    for mode, profile in (("major", _MAJOR), ("minor", _MINOR)):
        for tonic in range(12):
            r = float(np.corrcoef(chroma, np.roll(profile, tonic))[0, 1])
            if r > best[2]:
                best = (_PITCH_NAMES[tonic], mode, r)
    return best


def estimate_tempo(onsets: npt.NDArray[np.float32], frame_rate: float) -> tuple[float, float]:
    """(BPM, clarity 0-1) from an onset-strength envelope sampled at ``frame_rate``.

    Autocorrelation (by FFT) of the mean-removed envelope, lags of 40-240 BPM,
    weighted by a log-normal prior centred on 120 BPM with one octave's spread
    (so a half or double tempo wins only when clearly stronger); the peak is refined
    by parabolic interpolation. Clarity is the peak's autocorrelation relative to
    lag 0. Under 4 s of envelope: (0, 0).
    """
    if onsets.size < frame_rate * 4:
        return 0.0, 0.0
    x = onsets.astype(np.float64) - onsets.mean()
    size = 1 << math.ceil(math.log2(2 * x.size))
    spectrum = np.fft.rfft(x, size)
    corr = np.fft.irfft(spectrum * np.conj(spectrum), size)[: x.size]
    if corr[0] <= 0:
        return 0.0, 0.0
    corr /= corr[0]
    low = max(1, int(frame_rate * 60.0 / 240.0))
    high = min(x.size - 2, int(frame_rate * 60.0 / 40.0) + 1)
    if high <= low:
        return 0.0, 0.0
    lags = np.arange(low, high + 1)
    bpm = 60.0 * frame_rate / lags
    prior = np.exp(-0.5 * np.log2(bpm / 120.0) ** 2)
    score = np.maximum(corr[low : high + 1], 0.0) * prior
    i = int(np.argmax(score))
    lag = float(lags[i])
    if 0 < i < lags.size - 1:
        a, b, c = corr[lags[i] - 1], corr[lags[i]], corr[lags[i] + 1]
        denom = a - 2 * b + c
        if denom < 0:
            lag += 0.5 * (a - c) / denom
    return 60.0 * frame_rate / lag, float(max(0.0, corr[lags[i]]))


def _hz_to_mel(f: npt.NDArray[np.float64] | float) -> npt.NDArray[np.float64]:
    return np.asarray(2595.0 * np.log10(1.0 + np.asarray(f) / 700.0))


def _mel_filterbank(freqs: npt.NDArray[np.floating[Any]], rate: float) -> npt.NDArray[np.float64]:
    """(bins, N_MELS) triangular filters, HTK mel scale, 30 Hz to Nyquist."""
    edges_mel = np.linspace(_hz_to_mel(30.0), _hz_to_mel(rate / 2), N_MELS + 2)
    edges = 700.0 * (10 ** (edges_mel / 2595.0) - 1.0)
    bank = np.zeros((freqs.size, N_MELS))
    for m in range(N_MELS):
        lo, mid, hi = edges[m], edges[m + 1], edges[m + 2]
        rise = (freqs - lo) / (mid - lo)
        fall = (hi - freqs) / (hi - mid)
        bank[:, m] = np.maximum(0.0, np.minimum(rise, fall))
    return bank


def _dct_matrix(n_in: int, n_out: int) -> npt.NDArray[np.float64]:
    """Orthonormal DCT-II as a (n_in, n_out) matrix; coefficient 0 (level) is left out,
    so MFCC 1-13 describe shape, not loudness (dynamics has its own group)."""
    n = np.arange(n_in)
    k = np.arange(1, n_out + 1)
    basis = np.cos(np.pi / n_in * (n[:, None] + 0.5) * k[None, :])
    scaled: npt.NDArray[np.float64] = basis * math.sqrt(2.0 / n_in)
    return scaled


def _chroma_matrix(freqs: npt.NDArray[np.floating[Any]]) -> npt.NDArray[np.float64]:
    """(bins, 12): each bin of 100-4000 Hz to its nearest pitch class (C = 0)."""
    out = np.zeros((freqs.size, 12))
    usable = (freqs >= 100.0) & (freqs <= 4000.0)
    midi = 69.0 + 12.0 * np.log2(np.where(usable, freqs, 440.0) / 440.0)
    classes = np.round(midi).astype(int) % 12
    out[np.flatnonzero(usable), classes[usable]] = 1.0
    return out


def describe_file(
    source: Path, info: AudioInfo, tools: MediaTools, *, timeout: float = 600.0
) -> Descriptor:
    """Decode ``source`` to the pipeline's PCM (the peaks pipe's format) and describe it.

    For blobs processed before descriptors existed (the backfill job). Raises
    ``Invalid`` when ffmpeg fails.
    """
    builder = DescriptorBuilder(peaks_sample_rate(info.sample_rate))
    command = [
        tools.ffmpeg,
        "-nostdin",
        "-hide_banner",
        "-nostats",
        "-loglevel",
        "level+error",
        *input_args(source, demuxer_of(info.format_name)),
        "-map",
        "0:a:0",
        "-vn",
        *peaks_output_args(info.sample_rate),
    ]
    with ChildProcess(command, stdout_pipe=True) as child:
        builder.read_from(child.stdout)
        status = child.wait(timeout=timeout)
        if status != 0:
            raise Invalid(
                f"The audio could not be decoded: {child.last_error()}", code="decode-failed"
            )
    return builder.descriptor()
