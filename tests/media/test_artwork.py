"""read_artwork(): every place a cover hides, and pictures that must be skipped."""

from __future__ import annotations

import base64
import io
import shutil
from pathlib import Path

from mutagen.flac import FLAC, Picture
from mutagen.id3 import APIC, ID3
from mutagen.mp4 import MP4, MP4Cover
from mutagen.oggvorbis import OggVorbis
from PIL import Image

from tests.fixtures.audio import image_bytes
from tests.media.conftest import MAX, MIN, TOOLS, ffmpeg
from tonearm.media import Artwork, probe, read_artwork


def _copy(clips: dict[str, Path], name: str, tmp_path: Path) -> Path:
    target = tmp_path / clips[name].name
    shutil.copy(clips[name], target)
    return target


def _artwork(path: Path) -> Artwork | None:
    return read_artwork(path, probe(path, TOOLS, min_duration=MIN, max_duration=MAX), TOOLS)


def _picture(data: bytes, kind: int, mime: str = "image/png") -> Picture:
    picture = Picture()
    picture.type = kind
    picture.mime = mime
    picture.data = data
    return picture


def _edge(webp: bytes) -> tuple[str, int]:
    with Image.open(io.BytesIO(webp)) as image:
        return str(image.format), max(image.size)


def test_flac_front_cover_preferred_with_thumbnails(
    clips: dict[str, Path], tmp_path: Path
) -> None:
    path = _copy(clips, "flac", tmp_path)
    audio = FLAC(path)
    audio.add_picture(_picture(image_bytes((200, 200), color="blue"), kind=4))  # back cover
    audio.add_picture(_picture(image_bytes((800, 600)), kind=3))  # front cover
    audio.save()
    art = _artwork(path)
    assert art is not None
    assert (art.mime, art.width, art.height) == ("image/png", 800, 600)
    assert _edge(art.thumbnails[128]) == ("WEBP", 128)
    assert _edge(art.thumbnails[512]) == ("WEBP", 512)


def test_small_cover_is_never_upscaled(clips: dict[str, Path], tmp_path: Path) -> None:
    path = _copy(clips, "mp3", tmp_path)
    tags = ID3()
    tags.add(APIC(encoding=3, mime="image/jpeg", type=3, desc="",
                  data=image_bytes((100, 80), fmt="JPEG")))
    tags.save(path)
    art = _artwork(path)
    assert art is not None
    assert art.mime == "image/jpeg"
    assert _edge(art.thumbnails[128]) == ("WEBP", 100)
    assert _edge(art.thumbnails[512]) == ("WEBP", 100)


def test_m4a_covr(clips: dict[str, Path], tmp_path: Path) -> None:
    path = _copy(clips, "m4a", tmp_path)
    audio = MP4(path)
    audio["covr"] = [MP4Cover(image_bytes((300, 300), fmt="JPEG"),
                              imageformat=MP4Cover.FORMAT_JPEG)]
    audio.save()
    art = _artwork(path)
    assert art is not None
    assert (art.width, art.height) == (300, 300)


def test_vorbis_metadata_block_picture(clips: dict[str, Path], tmp_path: Path) -> None:
    path = _copy(clips, "ogg", tmp_path)
    audio = OggVorbis(path)
    block = _picture(image_bytes((64, 64)), kind=3).write()
    audio["metadata_block_picture"] = [base64.b64encode(block).decode("ascii")]
    audio.save()
    art = _artwork(path)
    assert art is not None
    assert art.width == 64


def test_attached_picture_written_by_ffmpeg(clips: dict[str, Path], tmp_path: Path) -> None:
    cover = tmp_path / "cover.png"
    cover.write_bytes(image_bytes((256, 256)))
    path = tmp_path / "with_cover.mp3"
    ffmpeg("-i", str(clips["mp3"]), "-i", str(cover), "-map", "0:a", "-map", "1:v",
           "-c", "copy", "-disposition:v", "attached_pic", str(path))
    art = _artwork(path)
    assert art is not None
    assert art.width == 256


def test_no_cover_gives_none(clips: dict[str, Path]) -> None:
    assert _artwork(clips["flac"]) is None


def test_broken_image_bytes_give_none(clips: dict[str, Path], tmp_path: Path) -> None:
    path = _copy(clips, "flac", tmp_path)
    audio = FLAC(path)
    truncated_png = image_bytes((400, 400))[:100]
    audio.add_picture(_picture(truncated_png, kind=3))
    audio.add_picture(_picture(b"\x89PNG\r\n\x1a\nnot really a png", kind=3))
    audio.save()
    assert _artwork(path) is None


def test_decompression_bomb_gives_none(clips: dict[str, Path], tmp_path: Path) -> None:
    bomb = io.BytesIO()
    Image.new("1", (12000, 12000)).save(bomb, format="PNG")  # 144 Mpx in a few KB
    assert len(bomb.getvalue()) < 1 << 20
    path = _copy(clips, "flac", tmp_path)
    audio = FLAC(path)
    audio.add_picture(_picture(bomb.getvalue(), kind=3))
    audio.save()
    assert _artwork(path) is None
