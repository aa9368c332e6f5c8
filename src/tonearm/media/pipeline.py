"""Turn one probed source file into everything playback needs, in parallel processes.

::

    source ──┬─ ffmpeg A ── top AAC rung (HLS fMP4) + MP3 + mono PCM pipe → peaks, descriptor
             ├─ ffmpeg B ── other AAC rungs + ebur128/astats (→ log)  ── progress pipe
             └─ fpcalc C ── fingerprint, started when A or B finishes (optional)

ffmpeg 5.1 runs each process's encoders on one thread, so two ffmpeg processes keep
two cores busy (reading the source in each process costs less than decoding once and
fanning out). Measured on the shared 2-core machine (noisy), 180 s stereo FLAC,
each alone and including its own decode: 256k AAC ≈ 5.8 s, 128k ≈ 4.8 s, 64k ≈ 2.5 s,
MP3 ≈ 2 s, ebur128 with true peak ≈ 1.2 s (loudnorm: 6.7 s, see loudness.py).
Process A as drawn took 5.8-6.2 s alone and B 6.9-8.1 s; with the PCM pipe in B
(the first split tried) A was 6.1-6.5 s and B 6.7-9.5 s. fpcalc waits for a free
core so it does not delay the first segments.

The calling thread supervises: it watches each rendition's playlist, which ffmpeg
rewrites after every finished segment, and calls ``observer.segment_ready`` as soon
as a segment is complete, so a caller can publish a growing playlist long before
the end. Every observer call happens on the calling thread.

Any failure, a timeout or ``cancel`` kills every child's process group before the
error propagates: no ffmpeg outlives the call.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Protocol

import numpy as np

from tonearm.errors import Invalid, Unavailable
from tonearm.media.descriptors import Descriptor, DescriptorBuilder
from tonearm.media.fingerprint import Fingerprint, fingerprint_command, parse_fingerprint
from tonearm.media.formats import demuxer_of, input_args
from tonearm.media.ladder import (
    DEFAULT_LADDER,
    INIT_NAME,
    PLAYLIST_NAME,
    RenditionResult,
    Rung,
    SegmentFile,
    hls_output_args,
    mp3_output_args,
    output_channels,
    output_sample_rate,
    read_playlist,
    rendition_result,
    rung_dir,
    shape_ladder,
)
from tonearm.media.loudness import Loudness, loudness_output_args, parse_loudness
from tonearm.media.probe import AudioInfo
from tonearm.media.tools import ChildProcess, MediaTools
from tonearm.media.waveform import PeakBuilder, peaks_output_args, peaks_sample_rate
from tonearm.types import Kbps, Seconds

log = logging.getLogger(__name__)

MP3_NAME = "fallback.mp3"
DEFAULT_MP3_BITRATE = Kbps(192)
_POLL_SECONDS = 0.05
_FINGERPRINT_MAX_OUTPUT = 1 << 20


class PipelineObserver(Protocol):
    """Receives news from :func:`process_audio`, always on the calling thread.

    An exception raised here aborts the run (children are killed, the exception
    propagates).
    """

    def progress(self, percent: float, step: str) -> None:
        """``percent`` in 0..100, never decreasing; ``step`` e.g. "encoding"."""

    def segment_ready(self, rung: Rung, init_path: Path, segment: SegmentFile) -> None:
        """``segment`` (and ``init_path``) are complete on disk and will not change.

        Called once per segment, in sequence order within a rung, while the encode
        is still running.
        """


@dataclass(frozen=True)
class MediaResult:
    """Everything :func:`process_audio` made; all paths lie under its ``workdir``.

    ``waveform`` is an audiowaveform v2 JSON document with a fixed number of points;
    ``duration`` is the decoded duration of the source.
    """

    renditions: list[RenditionResult]
    mp3_path: Path
    mp3_bitrate: Kbps
    loudness: Loudness
    waveform: dict[str, Any]
    fingerprint: str | None
    fingerprint_duration: Seconds | None
    duration: Seconds
    descriptor: Descriptor | None = None
    """What it sounds like (``descriptors.py``), from the same PCM as the peaks;
    None when the caller asked for none."""


def process_audio(
    source: Path,
    info: AudioInfo,
    workdir: Path,
    tools: MediaTools,
    observer: PipelineObserver,
    *,
    rungs: Sequence[Rung] = DEFAULT_LADDER,
    segment_seconds: float = 6.0,
    mp3_bitrate: Kbps = DEFAULT_MP3_BITRATE,
    cancel: threading.Event | None = None,
    timeout: float = 3600.0,
    describe: bool = True,
) -> MediaResult:
    """Encode the ladder and the MP3 fallback and analyse ``source``, in parallel.

    The ladder encoded is ``shape_ladder(rungs, info)``: rungs the source cannot fill
    are left out, and ``MediaResult.renditions`` holds only those encoded.
    ``source`` is opened only with the demuxer ``info.format_name`` names, which must
    be on the allow-list (``UnsupportedMedia`` otherwise, before anything runs).
    ``workdir`` is owned by this call: earlier outputs in it are removed first, so a
    re-run after a killed job starts clean and writes byte-identical files.
    Raises ``Invalid`` when ffmpeg cannot decode or encode the source (with ffmpeg's
    last error line), ``Unavailable`` (code "timeout") past ``timeout`` seconds and
    ``Unavailable`` (code "cancelled") once ``cancel`` is set. ``describe``: also
    compute the sound descriptor from the peaks PCM (no second decode).
    """
    if len({rung.name for rung in rungs}) != len(rungs):
        raise ValueError("rung names must be unique: they name directories")
    demuxer = demuxer_of(info.format_name)
    shaped = shape_ladder(rungs, info)
    ordered = sorted(shaped, key=lambda rung: rung.bitrate, reverse=True)
    rate = output_sample_rate(info.sample_rate)
    channels = output_channels(info.channels)
    mp3_path = workdir / MP3_NAME
    _prepare_workdir(workdir, ordered)

    command_a, command_b = _encoder_commands(
        input_args(source, demuxer),
        info,
        workdir,
        tools,
        ordered,
        segment_seconds=segment_seconds,
        mp3_path=mp3_path,
        mp3_bitrate=mp3_bitrate,
    )
    peak_rate = peaks_sample_rate(info.sample_rate)
    peaks = PeakBuilder(peak_rate, round(float(info.duration) * peak_rate))
    sound = DescriptorBuilder(peak_rate) if describe else None
    run = _Run(observer, cancel, time.monotonic() + timeout, timeout, float(info.duration))
    try:
        encoder_a = run.start(command_a)
        encoder_b = run.start(command_b)
        peaks_done = run.read_in_thread(encoder_a.stdout, lambda out: _read_pcm(out, peaks, sound))
        encoded = run.read_in_thread(encoder_b.stdout, run.follow_progress)
        fingerprinter = _OptionalFingerprint(run, fingerprint_command(source, tools, demuxer))

        watchers = [_SegmentWatcher(workdir, rung, observer) for rung in ordered]
        while not run.encoders_finished((encoder_a, encoder_b), (encoded, peaks_done)):
            for watcher in watchers:
                watcher.emit_new()
            if 0 in (encoder_a.poll(), encoder_b.poll()):
                # fpcalc takes the core the first finished encoder frees: started
                # earlier it would slow the first segments and add its memory to the
                # encoders' peak.
                fingerprinter.start()
            run.report("encoding", min(run.encoded_seconds, peaks.duration))
            time.sleep(_POLL_SECONDS)

        _check_decoded(float(info.duration), peaks.duration)
        renditions = [
            rendition_result(
                workdir, watcher.rung, watcher.finish(), sample_rate=rate, channels=channels
            )
            for watcher in watchers
        ]
        loudness = parse_loudness(encoder_b.stderr_tail())
        if loudness is None:
            raise Invalid(
                "The loudness of the audio could not be measured.", code="analysis-failed"
            )
        run.report("fingerprinting", run.duration)
        fingerprinter.start()
        fingerprint = fingerprinter.result()
    finally:
        run.kill_all()

    run.report("done", run.duration, final=True)
    by_rung = {result.rung.name: result for result in renditions}
    return MediaResult(
        renditions=[by_rung[rung.name] for rung in shaped],
        mp3_path=mp3_path,
        mp3_bitrate=mp3_bitrate,
        loudness=loudness,
        waveform=peaks.waveform(),
        fingerprint=fingerprint.fingerprint if fingerprint else None,
        fingerprint_duration=Seconds(fingerprint.duration) if fingerprint else None,
        duration=Seconds(peaks.duration),
        descriptor=sound.descriptor() if sound is not None else None,
    )


def _read_pcm(
    stream: IO[bytes], peaks: PeakBuilder, sound: DescriptorBuilder | None, chunk: int = 1 << 18
) -> None:
    """One reader for the PCM pipe, feeding the peaks and the descriptor each chunk."""
    odd = b""
    while block := stream.read(chunk):
        block = odd + block
        usable = len(block) - len(block) % 2
        odd = block[usable:]
        samples = np.frombuffer(block[:usable], dtype="<i2").astype(np.int16, copy=False)
        peaks.feed(samples)
        if sound is not None:
            sound.feed(samples)


def _check_decoded(expected: float, decoded: float) -> None:
    """ffmpeg skips frames it cannot decode and still exits 0: compare what came out."""
    if decoded < expected - max(0.5, 0.01 * expected):
        raise Invalid(
            f"The audio could not be decoded: only {decoded:.1f} s of {expected:.1f} s "
            "came out. The file is damaged.",
            code="decode-failed",
        )


def _encoder_commands(
    source_input: Sequence[str],
    info: AudioInfo,
    workdir: Path,
    tools: MediaTools,
    ordered: Sequence[Rung],
    *,
    segment_seconds: float,
    mp3_path: Path,
    mp3_bitrate: Kbps,
) -> tuple[list[str], list[str]]:
    """Process A: the top rung, the MP3 and the peaks PCM (on stdout); process B: the
    other rungs and the loudness analysis, with ``-progress`` on stdout.

    ``source_input`` is the source's ``formats.input_args`` (its approved demuxer)."""
    rate = output_sample_rate(info.sample_rate)
    channels = output_channels(info.channels)
    base = [tools.ffmpeg, "-nostdin", "-hide_banner", "-nostats"]
    command_a = [
        *base,
        "-loglevel",
        "level+error",
        *source_input,
        *hls_output_args(
            workdir,
            ordered[0],
            sample_rate=rate,
            channels=channels,
            segment_seconds=segment_seconds,
        ),
        *mp3_output_args(mp3_path, bitrate=mp3_bitrate, sample_rate=rate, channels=channels),
        "-map",
        "0:a:0",
        "-vn",
        *peaks_output_args(info.sample_rate),
    ]
    # Info level: ebur128 and astats report only there.
    command_b = [*base, "-loglevel", "level+info", "-progress", "pipe:1", *source_input]
    for rung in ordered[1:]:
        command_b += hls_output_args(
            workdir, rung, sample_rate=rate, channels=channels, segment_seconds=segment_seconds
        )
    command_b += ["-map", "0:a:0", "-vn", *loudness_output_args()]
    return command_a, command_b


def _prepare_workdir(workdir: Path, rungs: Sequence[Rung]) -> None:
    shutil.rmtree(workdir / "hls", ignore_errors=True)
    (workdir / MP3_NAME).unlink(missing_ok=True)
    for rung in rungs:
        rung_dir(workdir, rung).mkdir(parents=True)


class _SegmentWatcher:
    """Announces the segments of one rendition as its playlist grows."""

    def __init__(self, workdir: Path, rung: Rung, observer: PipelineObserver) -> None:
        self.rung = rung
        self.playlist = rung_dir(workdir, rung) / PLAYLIST_NAME
        self.init_path = rung_dir(workdir, rung) / INIT_NAME
        self.observer = observer
        self.announced: list[SegmentFile] = []
        self._stamp: tuple[int, int] | None = None

    def emit_new(self) -> None:
        try:
            stat = self.playlist.stat()
        except FileNotFoundError:
            return
        stamp = (stat.st_mtime_ns, stat.st_ino)
        if stamp == self._stamp:
            return
        self._stamp = stamp
        segments, _ = read_playlist(self.playlist)
        for segment in segments[len(self.announced) :]:
            self.announced.append(segment)
            self.observer.segment_ready(self.rung, self.init_path, segment)

    def finish(self) -> list[SegmentFile]:
        self._stamp = None
        self.emit_new()
        segments, ended = read_playlist(self.playlist)
        if not ended or not segments:
            raise Invalid(
                f"The {self.rung.name} rendition was not completed by ffmpeg.",
                code="encode-failed",
            )
        return segments


class _OptionalFingerprint:
    """fpcalc beside the encoders; a missing, failing or slow fpcalc gives None."""

    def __init__(self, run: _Run, command: list[str]) -> None:
        self.run = run
        self.command = command
        self.output: list[bytes] = []
        self.child: ChildProcess | None = None
        self.done = threading.Event()
        self.started = False

    def start(self) -> None:
        """Start fpcalc unless already started (or found missing)."""
        if self.started:
            return
        self.started = True
        try:
            self.child = self.run.start(self.command)
        except Unavailable:
            log.warning("fpcalc is not available; tracks get no fingerprint")
            return
        self.done = self.run.read_in_thread(
            self.child.stdout,
            lambda stream: self.output.append(stream.read(_FINGERPRINT_MAX_OUTPUT)),
        )

    def result(self) -> Fingerprint | None:
        if self.child is None:
            return None
        status = self.run.wait_optional(self.child, self.done)
        # fpcalc 1.5 exits 3 ("Error decoding audio frame (End of file)") at the end of
        # many FLAC files yet prints a complete fingerprint: trust the JSON, not the
        # status. A killed (timed-out) fpcalc gives None.
        fingerprint = None
        if status is not None and self.output:
            fingerprint = parse_fingerprint(self.output[0])
        if fingerprint is None:
            log.info("fpcalc failed (status %s): %s", status, self.child.last_error())
        return fingerprint


class _Run:
    """Children, reader threads, progress and the abort conditions of one run."""

    def __init__(
        self,
        observer: PipelineObserver,
        cancel: threading.Event | None,
        deadline: float,
        timeout: float,
        duration: float,
    ) -> None:
        self.observer = observer
        self.cancel = cancel
        self.deadline = deadline
        self.timeout = timeout
        self.duration = max(duration, 1e-6)
        self.children: list[ChildProcess] = []
        self.threads: list[threading.Thread] = []
        self.errors: list[BaseException] = []
        self.encoded_seconds = 0.0
        self._reported = -1.0

    def start(self, command: list[str]) -> ChildProcess:
        child = ChildProcess(command, stdout_pipe=True)
        self.children.append(child)
        return child

    def read_in_thread(
        self, stream: IO[bytes], reader: Callable[[IO[bytes]], object]
    ) -> threading.Event:
        done = threading.Event()

        def target() -> None:
            try:
                reader(stream)
            except BaseException as exc:  # handed to the supervising thread
                self.errors.append(exc)
            finally:
                done.set()

        thread = threading.Thread(target=target, daemon=True)
        thread.start()
        self.threads.append(thread)
        return done

    def follow_progress(self, stream: IO[bytes]) -> None:
        """Track ``out_time_us`` from ffmpeg's ``-progress`` output."""
        for raw in stream:
            key, _, value = raw.decode("ascii", errors="replace").strip().partition("=")
            if key == "out_time_us" and value.lstrip("-").isdigit():
                self.encoded_seconds = max(self.encoded_seconds, int(value) / 1_000_000)

    def encoders_finished(
        self, encoders: Sequence[ChildProcess], readers: Sequence[threading.Event]
    ) -> bool:
        """True once every encoder exited cleanly and its output was read; raises on
        cancel, timeout, a failed encoder or a failed reader thread."""
        self.check()
        for child in encoders:
            status = child.poll()
            if status not in (None, 0):
                raise Invalid(
                    f"The audio could not be decoded: {child.last_error()}",
                    code="decode-failed",
                )
        if all(child.poll() == 0 for child in encoders) and all(r.is_set() for r in readers):
            self.raise_thread_error()
            return True
        return False

    def check(self) -> None:
        if self.cancel is not None and self.cancel.is_set():
            raise Unavailable("Processing was cancelled.", code="cancelled")
        if time.monotonic() > self.deadline:
            raise Unavailable(
                f"Processing took longer than {self.timeout:g} s and was stopped.",
                code="timeout",
            )
        self.raise_thread_error()

    def raise_thread_error(self) -> None:
        if self.errors:
            raise self.errors[0]

    def report(self, step: str, seconds: float, *, final: bool = False) -> None:
        percent = 100.0 if final else min(99.0, 100.0 * seconds / self.duration)
        if percent >= self._reported + 1.0 or (final and percent > self._reported):
            self._reported = percent
            self.observer.progress(round(percent, 1), step)

    def wait_optional(self, child: ChildProcess, done: threading.Event) -> int | None:
        """Wait for a child whose failure is not fatal: None if it outlives the deadline.

        ``cancel`` still raises.
        """
        while True:
            if self.cancel is not None and self.cancel.is_set():
                raise Unavailable("Processing was cancelled.", code="cancelled")
            remaining = self.deadline - time.monotonic()
            if remaining <= 0:
                child.kill()
                return None
            if done.wait(min(_POLL_SECONDS, remaining)):
                try:
                    return child.wait(timeout=max(0.0, self.deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    child.kill()
                    return None

    def kill_all(self) -> None:
        for child in self.children:
            child.kill()
        for thread in self.threads:
            thread.join(timeout=5)
