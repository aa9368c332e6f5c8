"""The embedded cover picture, checked by decoding it, with WebP thumbnails."""

from __future__ import annotations

import base64
import io
import logging
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import mutagen
from mutagen.flac import Picture
from mutagen.id3 import ID3
from mutagen.mp4 import MP4Cover, MP4Tags
from PIL import Image, ImageOps

from tonearm.errors import UnsupportedMedia
from tonearm.media.formats import demuxer_of, input_args
from tonearm.media.probe import AudioInfo
from tonearm.media.tools import MediaTools, run_tool

log = logging.getLogger(__name__)

MAX_ARTWORK_BYTES = 10 << 20
"""Larger embedded pictures are skipped: no real cover needs more."""
MAX_ARTWORK_PIXELS = 40_000_000
"""Beyond this a picture is treated as a decompression bomb and skipped."""
THUMBNAIL_EDGES = (128, 512)
_FRONT_COVER = 3  # picture type "Cover (front)" in ID3 APIC and FLAC PICTURE


@dataclass(frozen=True)
class Artwork:
    """A decoded, verified cover and its thumbnails.

    ``thumbnails`` maps each edge in ``THUMBNAIL_EDGES`` to WebP bytes that fit in an
    edge x edge square; a picture smaller than an edge is kept at its own size, never
    upscaled.
    """

    original: bytes
    mime: str
    width: int
    height: int
    thumbnails: dict[int, bytes]


def read_artwork(path: Path, info: AudioInfo, tools: MediaTools) -> Artwork | None:
    """The front cover (or else the first picture) embedded in ``path``, or None.

    Never raises for bad content: no picture, a picture over ``MAX_ARTWORK_BYTES``,
    data Pillow cannot decode, or a decompression bomb all give None.
    """
    candidates: list[tuple[int, bytes]] = []
    try:
        candidates = list(_mutagen_pictures(path))
    except Exception:  # junk tag blocks raise many types; a cover is never worth failing for.
        log.info("could not read pictures of %s with mutagen", path, exc_info=True)
    if not candidates and info.has_cover:
        data = _ffmpeg_attached_picture(path, info, tools)
        if data:
            candidates.append((_FRONT_COVER, data))
    # Front cover first, then file order; try the next one if a picture is broken.
    candidates.sort(key=lambda c: c[0] != _FRONT_COVER)
    for _, data in candidates:
        if 0 < len(data) <= MAX_ARTWORK_BYTES:
            artwork = _decode(data)
            if artwork is not None:
                return artwork
    return None


def _mutagen_pictures(path: Path) -> Iterable[tuple[int, bytes]]:
    audio = mutagen.File(path)
    if audio is None:
        return
    for picture in getattr(audio, "pictures", None) or []:  # FLAC PICTURE blocks
        yield int(picture.type), bytes(picture.data)
    tags: Any = audio.tags
    if tags is None:
        return
    # Flags, not isinstance branches: mutagen's partial annotations would narrow `tags`.
    is_id3, is_mp4 = isinstance(tags, ID3), isinstance(tags, MP4Tags)
    if is_id3:
        for frame in tags.getall("APIC"):
            yield int(frame.type), bytes(frame.data)
    elif is_mp4:
        for cover in tags.get("covr", []):
            if isinstance(cover, MP4Cover):
                yield _FRONT_COVER, bytes(cover)
    elif hasattr(tags, "get"):
        # Ogg Vorbis / Opus carry FLAC picture blocks, base64-encoded, in a comment.
        for encoded in tags.get("metadata_block_picture", []) or []:
            try:
                block: Any = Picture(base64.b64decode(encoded))  # type: ignore[no-untyped-call]
            except Exception:  # noqa: S112 - one broken block must not hide the others
                continue
            yield int(block.type), bytes(block.data)


def _ffmpeg_attached_picture(path: Path, info: AudioInfo, tools: MediaTools) -> bytes | None:
    """The attached picture as stored, for containers mutagen does not cover."""
    try:
        source = input_args(path, demuxer_of(info.format_name))
    except UnsupportedMedia:
        return None  # never opened with a demuxer the probe did not approve
    try:
        result = run_tool(
            [
                tools.ffmpeg,
                "-nostdin",
                "-v",
                "error",
                *source,
                "-map",
                "0:v:0",
                "-c",
                "copy",
                "-frames:v",
                "1",
                "-f",
                "image2pipe",
                "-",
            ],
            timeout=30.0,
            max_stdout=MAX_ARTWORK_BYTES,
        )
    except Exception:  # too large or too slow: skip the cover, keep the track.
        log.info("could not extract the picture of %s with ffmpeg", path, exc_info=True)
        return None
    return result.stdout if result.returncode == 0 and result.stdout else None


def decode_picture(data: bytes) -> Artwork | None:
    """A picture from anywhere (an uploaded cover, ``cover.jpg``), checked as embedded ones
    are; None for anything that is not a picture Pillow can decode within the limits."""
    if not 0 < len(data) <= MAX_ARTWORK_BYTES:
        return None
    return _decode(data)


def _decode(data: bytes) -> Artwork | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                width, height = image.size
                if width <= 0 or height <= 0 or width * height > MAX_ARTWORK_PIXELS:
                    return None
                mime = Image.MIME.get(image.format or "", "application/octet-stream")
                image.load()  # decodes everything: broken data fails here, not later
                upright = ImageOps.exif_transpose(image)
                thumbnails = {edge: _thumbnail(upright, edge) for edge in THUMBNAIL_EDGES}
    except Exception:  # Pillow raises many types on bad data; a broken cover is no cover.
        log.info("embedded picture could not be decoded", exc_info=True)
        return None
    return Artwork(original=data, mime=mime, width=width, height=height, thumbnails=thumbnails)


def _thumbnail(image: Image.Image, edge: int) -> bytes:
    copy = image.convert("RGBA" if _has_alpha(image) else "RGB")
    copy.thumbnail((edge, edge), Image.Resampling.LANCZOS)  # only ever shrinks
    out = io.BytesIO()
    copy.save(out, format="WEBP", quality=82, method=4)
    return out.getvalue()


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info
    )
