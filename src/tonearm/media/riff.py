"""WAV (RIFF) and AIFF (IFF) chunks, read directly for two things no tool gives us.

- A data chunk declared longer than the file: ffmpeg quietly shortens the duration
  to what is present, so only the chunk header shows the file was cut.
- A WAV's LIST/INFO text tags: mutagen 1.48 reads only an ``id3 `` chunk in WAV, and
  ffprobe's tags exist only at probe time (the worker rebuilds ``AudioInfo`` from the
  database without them).

Reads are bounded: at most :data:`_MAX_CHUNKS` chunk headers and
:data:`_MAX_INFO_BYTES` of INFO text, whatever the file claims.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Literal

_MAX_CHUNKS = 64  # a real file has a handful of chunks; junk must not loop for long
_MAX_INFO_BYTES = 64 << 10
_UNKNOWN_SIZES = (0, 0xFFFFFFFF)  # streamed and RF64 files: no size to judge

# RIFF INFO ids -> our tag names. ffmpeg writes the track number as IPRT, others ITRK.
INFO_FIELDS: dict[bytes, str] = {
    b"INAM": "title",
    b"IART": "artist",
    b"IPRD": "album",
    b"ICRD": "year",
    b"IGNR": "genre",
    b"ITRK": "track_number",
    b"IPRT": "track_number",
}


@dataclass(frozen=True)
class _Chunk:
    id: bytes
    data_offset: int
    size: int


def data_chunk_cut_short(path: Path) -> bool:
    """True when a WAV or AIFF declares more audio data than the file holds."""
    file_size = path.stat().st_size
    with path.open("rb") as file:
        form = _form(file)
        if form is None:
            return False
        wanted = b"data" if form == "little" else b"SSND"
        for chunk in _chunks(file, form):
            if chunk.id == wanted:
                end = chunk.data_offset + chunk.size
                return chunk.size not in _UNKNOWN_SIZES and end > file_size
    return False


def info_tags(path: Path) -> dict[str, str]:
    """The LIST/INFO tags of a WAV file as our tag names (empty for anything else).

    Text is UTF-8 when it decodes as such (ffmpeg writes UTF-8), else Windows-1252,
    the code page most INFO writers used; the caller repairs what remains.
    """
    tags: dict[str, str] = {}
    with path.open("rb") as file:
        if _form(file) != "little":
            return tags
        for chunk in _chunks(file, "little"):
            if chunk.id != b"LIST":
                continue
            file.seek(chunk.data_offset)
            body = file.read(min(chunk.size, _MAX_INFO_BYTES))
            if body[:4] == b"INFO":
                for key, raw in _subchunks(body[4:]):
                    name = INFO_FIELDS.get(key)
                    text = _text(raw)
                    if name and text:
                        tags.setdefault(name, text)
    return tags


def _form(file: BinaryIO) -> Literal["little", "big"] | None:
    file.seek(0)
    head = file.read(12)
    if len(head) < 12:
        return None
    if head[:4] in (b"RIFF", b"RF64") and head[8:12] == b"WAVE":
        return "little"
    if head[:4] == b"FORM" and head[8:12] in (b"AIFF", b"AIFC"):
        return "big"
    return None


def _chunks(file: BinaryIO, order: Literal["little", "big"]) -> Iterator[_Chunk]:
    offset = 12
    for _ in range(_MAX_CHUNKS):
        file.seek(offset)
        header = file.read(8)
        if len(header) < 8:
            return
        size = int.from_bytes(header[4:], order)
        yield _Chunk(header[:4], offset + 8, size)
        if size == 0xFFFFFFFF:
            return  # RF64's placeholder: the real size is elsewhere, the walk ends here
        offset += 8 + size + (size & 1)  # chunks are padded to even sizes


def _subchunks(body: bytes) -> Iterator[tuple[bytes, bytes]]:
    offset = 0
    while offset + 8 <= len(body):
        size = int.from_bytes(body[offset + 4 : offset + 8], "little")
        yield body[offset : offset + 4], body[offset + 8 : offset + 8 + size]
        offset += 8 + size + (size & 1)


def _text(raw: bytes) -> str:
    raw = raw.split(b"\x00", 1)[0]
    try:
        return raw.decode("utf-8").strip()
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace").strip()
