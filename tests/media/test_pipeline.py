"""process_audio(): the ladder, the fallback and the analysis, with real ffmpeg."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import threading
from pathlib import Path

import pytest

from tests.fixtures.audio import decoded_duration, ebur128_integrated
from tests.media.conftest import (
    CLIPS,
    MAX,
    MIN,
    TOOLS,
    RecordingObserver,
)
from tonearm.errors import Invalid, Unavailable
from tonearm.media import (
    WAVEFORM_POINTS,
    AudioInfo,
    MediaResult,
    MediaTools,
    Rung,
    SegmentFile,
    probe,
    process_audio,
)
from tonearm.types import Seconds

FORMATS = [name for name in CLIPS if name != "noise_14s"]
ALL = ["64k", "128k", "256k"]
# The ladder each source is shaped to (see ladder.shape_ladder).
EXPECTED_RUNGS = {
    "flac": ALL,  # 44.1 kHz stereo, lossless: everything
    "mp3": ["64k", "128k"],  # 192 kbps source
    "mp3_96k": ["64k"],  # 96 kbps source: nothing above its own rate
    "wav_s16": ALL,
    "wav_f32": ALL,
    "aiff_s24": ALL,
    "wav_s32": ALL,
    "ogg": ["64k", "128k"],  # Vorbis q4: 128 kbps nominal
    "opus": ["64k"],  # Opus asked for 96k
    "m4a": ["64k", "128k"],  # AAC 160k
    "mono_8k": ["64k"],  # 8 kHz mono: 96 kbps is all it can fill
    "surround_51": ALL,  # downmixed to stereo
    "hires_192k": ALL,
    "adts": ["64k", "128k"],  # AAC 128k
    "wavpack": ALL,
    "mka": ALL,
    "alac": ALL,
    "aiff_51": ALL,  # downmixed to stereo
}


def _run(
    source: Path, workdir: Path, observer: RecordingObserver | None = None, **kwargs: object
) -> MediaResult:
    info = probe(source, TOOLS, min_duration=MIN, max_duration=MAX)
    return process_audio(
        source,
        info,
        workdir,
        kwargs.pop("tools", TOOLS),  # type: ignore[arg-type]
        observer or RecordingObserver(),
        **kwargs,  # type: ignore[arg-type]
    )


@pytest.fixture(scope="module", params=FORMATS)
def processed(
    request: pytest.FixtureRequest, clips: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
) -> tuple[str, MediaResult, RecordingObserver]:
    name: str = request.param
    observer = RecordingObserver()
    result = _run(clips[name], tmp_path_factory.mktemp(f"work-{name}"), observer)
    return name, result, observer


@pytest.fixture(scope="module")
def noise_run(
    clips: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
) -> tuple[MediaResult, RecordingObserver]:
    observer = RecordingObserver()
    result = _run(clips["noise_14s"], tmp_path_factory.mktemp("work-noise"), observer)
    return result, observer


def test_every_rung_decodes_to_the_source_duration(
    processed: tuple[str, MediaResult, RecordingObserver],
) -> None:
    name, result, _ = processed
    clip = CLIPS[name]
    assert [r.rung.name for r in result.renditions] == EXPECTED_RUNGS[name]
    # Lossy sources decode with a few ms of encoder padding at the end.
    assert result.duration == pytest.approx(clip.seconds, abs=0.05)
    expected_rate = 48000 if clip.rate in (48000, 96000, 192000) else 44100
    for rendition in result.renditions:
        playlist = rendition.init_path.parent / "index.m3u8"
        assert decoded_duration(str(playlist)) == pytest.approx(clip.seconds, abs=0.1)
        assert rendition.sample_rate == expected_rate
        assert rendition.channels == min(clip.channels, 2)
        assert rendition.codecs == "mp4a.40.2"
        assert 0 < rendition.average_bandwidth <= rendition.peak_bandwidth
    assert decoded_duration(str(result.mp3_path)) == pytest.approx(clip.seconds, abs=0.1)
    assert result.waveform["length"] == WAVEFORM_POINTS


def test_renditions_are_really_aac_and_stereo_at_most(
    processed: tuple[str, MediaResult, RecordingObserver],
) -> None:
    _, result, _ = processed
    rendition = result.renditions[-1]
    out = subprocess.run(
        [
            "ffprobe",
            "-v",
            "error",
            "-show_entries",
            "stream=codec_name,profile,sample_rate,channels",
            "-of",
            "csv=p=0",
            str(rendition.init_path.parent / "index.m3u8"),
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()[0]
    assert out == f"aac,LC,{rendition.sample_rate},{rendition.channels}"


def test_init_segment_has_an_edit_list_that_skips_aac_priming(
    noise_run: tuple[MediaResult, RecordingObserver],
) -> None:
    result, _ = noise_run
    for rendition in result.renditions:
        data = rendition.init_path.read_bytes()
        at = data.index(b"elst")
        version = data[at + 4]
        assert version == 0
        # entry: segment_duration (u32), media_time (s32): the encoder's 1024 priming samples
        assert int.from_bytes(data[at + 16 : at + 20], "big", signed=True) == 1024


def test_segments_are_about_six_seconds(
    noise_run: tuple[MediaResult, RecordingObserver],
) -> None:
    result, _ = noise_run
    for rendition in result.renditions:
        durations = [s.duration for s in rendition.segments]
        assert [s.sequence for s in rendition.segments] == list(range(len(durations)))
        assert all(abs(d - 6.0) < 0.1 for d in durations[:-1])
        assert sum(durations) == pytest.approx(14.0, abs=0.1)
        assert rendition.peak_bandwidth < rendition.rung.bitrate * 1000 * 1.3


def test_segments_are_announced_once_in_order(
    noise_run: tuple[MediaResult, RecordingObserver],
) -> None:
    result, observer = noise_run
    for rendition in result.renditions:
        announced = [seg for rung, _, seg in observer.segments if rung == rendition.rung]
        assert announced == rendition.segments
    percents = [p for p, _ in observer.progress_calls]
    assert percents == sorted(percents)
    assert percents[-1] == 100.0


def test_segments_are_announced_while_the_encode_runs(
    clips: dict[str, Path], tmp_path: Path, realtime_tools: MediaTools
) -> None:
    """Each rendition's first segments are announced before its encode has ended.

    The source is read in real time, so the playlist of 1 s segments cannot end
    before 4 s have passed: the order holds on a machine of any speed.
    """
    observer = RecordingObserver()
    source = clips["adts"]
    info = probe(source, TOOLS, min_duration=MIN, max_duration=MAX)
    result = process_audio(
        source, info, tmp_path / "work", realtime_tools, observer, segment_seconds=1.0
    )
    for rendition in result.renditions:
        assert len(rendition.segments) >= 4
        # Before the encode finished: announced while the playlist had not ended.
        first = (rendition.rung.name, rendition.segments[0].sequence)
        assert observer.ended_when_announced[first] is False
    # Every segment is announced before the run reports its next step.
    first_other_step = next(
        i for i, (kind, step, _) in enumerate(observer.events)
        if kind == "progress" and step != "encoding"
    )
    announced_at = [i for i, (kind, *_) in enumerate(observer.events) if kind == "segment"]
    assert max(announced_at) < first_other_step


def test_same_input_gives_byte_identical_outputs(
    clips: dict[str, Path],
    tmp_path: Path,
    noise_run: tuple[MediaResult, RecordingObserver],
) -> None:
    first, _ = noise_run
    second = _run(clips["noise_14s"], tmp_path / "again")
    assert _digests(first) == _digests(second)
    # A re-run in a dirty work directory (a killed job) also ends with the same files.
    (tmp_path / "again" / "hls" / "64k" / "seg_00099.m4s").write_bytes(b"stale")
    third = _run(clips["noise_14s"], tmp_path / "again")
    assert _digests(third) == _digests(first)
    assert not (tmp_path / "again" / "hls" / "64k" / "seg_00099.m4s").exists()


def _digests(result: MediaResult) -> dict[str, str]:
    files = [result.mp3_path]
    for rendition in result.renditions:
        files += [rendition.init_path, *(s.path for s in rendition.segments)]
    root = result.mp3_path.parent
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest() for path in files
    }


def test_loudness_matches_ffmpeg_measurements(sine_997_minus20: Path, tmp_path: Path) -> None:
    result = _run(sine_997_minus20, tmp_path / "work")
    loudness = result.loudness
    reference = ebur128_integrated(sine_997_minus20)
    loudnorm = subprocess.run(
        [
            "ffmpeg",
            "-nostdin",
            "-hide_banner",
            "-nostats",
            "-i",
            str(sine_997_minus20),
            "-map",
            "0:a:0",
            "-af",
            "loudnorm=print_format=json",
            "-f",
            "null",
            "-",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stderr
    loudnorm_i = re.findall(r'"input_i" : "(-?[\d.]+)"', loudnorm)[-1]
    assert loudness.integrated_lufs == pytest.approx(reference, abs=0.1)
    assert loudness.integrated_lufs == pytest.approx(float(loudnorm_i), abs=0.1)
    assert loudness.integrated_lufs == pytest.approx(-20.0, abs=0.2)
    assert loudness.replaygain_track_gain_db == pytest.approx(
        -18 - loudness.integrated_lufs, abs=0.01
    )
    assert loudness.sample_peak == pytest.approx(0.1, abs=0.002)
    assert loudness.true_peak_dbtp == pytest.approx(-20.0, abs=0.2)
    assert loudness.loudness_range_lu == pytest.approx(0.0, abs=0.5)


def test_waveform_of_a_quiet_track_fills_the_display(
    silence_then_quiet_tone: Path, tmp_path: Path
) -> None:
    waveform = _run(silence_then_quiet_tone, tmp_path / "work").waveform
    assert waveform["version"] == 2
    assert waveform["channels"] == 1
    assert waveform["bits"] == 8
    assert waveform["length"] == WAVEFORM_POINTS
    data = waveform["data"]
    assert len(data) == 2 * WAVEFORM_POINTS
    assert all(-128 <= v <= 127 for v in data)
    quiet = data[: int(0.9 * WAVEFORM_POINTS)]  # first 45%: digital silence
    tone = data[int(1.1 * WAVEFORM_POINTS) :]  # last 45%: a sine peaking at -41 dBFS
    assert max(abs(v) for v in quiet) <= 1
    # Unscaled, this tone peaked at 2 of 127; scaled to the track's own peak it fills
    # the display, and the document says by how much it was raised.
    assert min(tone[1::2]) > 110
    assert max(tone[0::2]) < -110
    assert waveform["display_gain_db"] == pytest.approx(41.0, abs=0.5)


def test_fingerprint_is_present(noise_run: tuple[MediaResult, RecordingObserver]) -> None:
    result, _ = noise_run
    assert result.fingerprint
    assert result.fingerprint_duration == pytest.approx(14, abs=0.5)


def test_missing_fpcalc_is_not_fatal(clips: dict[str, Path], tmp_path: Path) -> None:
    tools = MediaTools(fpcalc=str(tmp_path / "no-such-fpcalc"))
    result = _run(clips["flac"], tmp_path / "work", tools=tools)
    assert result.fingerprint is None
    assert result.fingerprint_duration is None


def _ffmpeg_children() -> list[int]:
    """Our own child processes that still exist (zombies included)."""
    mine = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # Only media tools: other suites' servers and browsers may be our children too.
            name = stat.split("(", 1)[1].rsplit(")", 1)[0]
            if int(stat.rsplit(")", 1)[1].split()[1]) == os.getpid() and name in (
                "ffmpeg",
                "ffprobe",
                "fpcalc",
            ):
                mine.append(int(entry.name))
    return mine


def test_undecodable_input_raises_invalid_and_leaves_no_process(tmp_path: Path) -> None:
    junk = tmp_path / "junk.flac"
    junk.write_bytes(b"fLaC" + os.urandom(50_000))
    info = AudioInfo("flac", "flac", 44100, 2, 16, Seconds(10), None, has_cover=False)
    with pytest.raises(Invalid, match="The audio could not be decoded: ") as caught:
        process_audio(junk, info, tmp_path / "work", TOOLS, RecordingObserver())
    assert _ffmpeg_children() == []
    # The reason reaches people: it names no path on the server.
    assert str(tmp_path) not in caught.value.message
    assert "/" not in caught.value.message.split("decoded: ", 1)[1]


def test_cancel_kills_the_children(clips: dict[str, Path], tmp_path: Path) -> None:
    cancel = threading.Event()

    class CancelOnFirstSegment(RecordingObserver):
        def segment_ready(self, rung: Rung, init_path: Path, segment: SegmentFile) -> None:
            cancel.set()

    with pytest.raises(Unavailable, match="cancelled"):
        _run(clips["noise_14s"], tmp_path / "work", CancelOnFirstSegment(), cancel=cancel)
    assert _ffmpeg_children() == []


def test_timeout_kills_the_children(
    clips: dict[str, Path], tmp_path: Path, realtime_tools: MediaTools
) -> None:
    # Read in real time, 14 s of audio cannot be done in 1 s, however fast the machine.
    with pytest.raises(Unavailable, match="longer than") as caught:
        _run(clips["noise_14s"], tmp_path / "work", tools=realtime_tools, timeout=1.0)
    assert caught.value.code == "timeout"
    assert _ffmpeg_children() == []


def test_an_observer_error_kills_the_children(clips: dict[str, Path], tmp_path: Path) -> None:
    class Broken(RecordingObserver):
        def segment_ready(self, rung: Rung, init_path: Path, segment: SegmentFile) -> None:
            raise RuntimeError("observer broke")

    with pytest.raises(RuntimeError, match="observer broke"):
        _run(clips["noise_14s"], tmp_path / "work", Broken())
    assert _ffmpeg_children() == []
