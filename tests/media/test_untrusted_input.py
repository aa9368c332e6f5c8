"""Uploads that try to make the server open other files: refused before any decode.

An HLS playlist or an ffconcat list is a few bytes of text naming other files;
libavformat follows them if allowed to pick the demuxer itself. Each test names a
real audio file on this machine, as an attacker would name one on the server.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.media.conftest import MAX, MIN, TOOLS, RecordingObserver
from tonearm.errors import Invalid, UnsupportedMedia
from tonearm.media import AudioInfo, probe, process_audio, read_artwork
from tonearm.types import Seconds


def _write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


@pytest.fixture
def secret(clips: dict[str, Path], tmp_path: Path) -> Path:
    """Audio that is not the upload: the file a playlist would make us publish."""
    target = tmp_path / "secret.flac"
    target.write_bytes(clips["flac"].read_bytes())
    return target


def _plain_ffprobe_sees_audio(path: Path) -> bool:
    """What libavformat does unrestricted: follows the list and finds the audio."""
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_streams", "-of", "json", str(path)],
        capture_output=True, text=True, check=False,
    ).stdout
    streams = json.loads(out or "{}").get("streams", [])
    return any(stream.get("codec_type") == "audio" for stream in streams)


def test_hls_playlist_naming_a_file_on_disk_is_refused(secret: Path, tmp_path: Path) -> None:
    playlist = _write(
        tmp_path / "upload.m3u8",
        f"#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:8,\n{secret}\n#EXT-X-ENDLIST\n",
    )
    assert playlist.stat().st_size < 200
    assert _plain_ffprobe_sees_audio(playlist)  # the bait works without the allow-list
    with pytest.raises(UnsupportedMedia, match="HLS playlist: it only names other files") as err:
        probe(playlist, TOOLS, min_duration=MIN, max_duration=MAX)
    assert "Upload the audio file itself" in err.value.message


@pytest.mark.parametrize("absolute", [False, True], ids=["relative", "absolute"])
def test_ffconcat_list_is_refused(secret: Path, tmp_path: Path, absolute: bool) -> None:
    name = str(secret) if absolute else secret.name
    listing = _write(tmp_path / "upload.flac", f"ffconcat version 1.0\nfile '{name}'\n")
    if not absolute:  # the concat demuxer's "safe" mode allows only relative names
        assert _plain_ffprobe_sees_audio(listing)
    with pytest.raises(UnsupportedMedia, match="ffmpeg concat list: it only names other files"):
        probe(listing, TOOLS, min_duration=MIN, max_duration=MAX)


def test_concat_script_is_refused(secret: Path, tmp_path: Path) -> None:
    listing = _write(tmp_path / "upload.txt", f"file '{secret}'\nfile '{secret}'\n")
    with pytest.raises(UnsupportedMedia, match="not audio tonearm can read"):
        probe(listing, TOOLS, min_duration=MIN, max_duration=MAX)


def _info(format_name: str) -> AudioInfo:
    return AudioInfo(format_name, "flac", 44100, 2, 16, Seconds(8), None, has_cover=True)


def test_a_stored_playlist_format_is_never_decoded(secret: Path, tmp_path: Path) -> None:
    """A row probed before the allow-list existed: refused before ffmpeg starts."""
    playlist = _write(tmp_path / "old.m3u8", f"#EXTM3U\n#EXTINF:8,\n{secret}\n#EXT-X-ENDLIST\n")
    with pytest.raises(UnsupportedMedia, match="HLS playlist"):
        process_audio(playlist, _info("hls"), tmp_path / "work", TOOLS, RecordingObserver())
    assert not (tmp_path / "work" / "hls").exists()
    assert read_artwork(playlist, _info("hls"), TOOLS) is None


def test_decoding_uses_the_demuxer_the_probe_approved(secret: Path, tmp_path: Path) -> None:
    """Bytes that changed after the probe (or a row that lies) are read with the
    approved demuxer only: a playlist read as FLAC holds no audio, and nothing of the
    file it names comes out."""
    playlist = _write(
        tmp_path / "swapped.flac",
        f"#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:8,\n{secret}\n#EXT-X-ENDLIST\n",
    )
    with pytest.raises(Invalid, match="could not be decoded"):
        process_audio(playlist, _info("flac"), tmp_path / "work", TOOLS, RecordingObserver())
    assert list((tmp_path / "work" / "hls").rglob("*.m4s")) == []
    assert read_artwork(playlist, _info("flac"), TOOLS) is None


@pytest.mark.parametrize(
    ("codec_args", "codec"),
    [(("-c:a", "mp2"), "mp2"), (("-c:a", "pcm_mulaw"), "pcm_mulaw")],
)
def test_a_codec_off_the_list_is_refused(
    tmp_path: Path, codec_args: tuple[str, ...], codec: str
) -> None:
    path = tmp_path / "odd.wav"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "sine=d=2", *codec_args, str(path)],
        check=True,
    )
    with pytest.raises(UnsupportedMedia, match=f"encoded as {codec}, which tonearm does not"):
        probe(path, TOOLS, min_duration=MIN, max_duration=MAX)
