"""Text tags from any container we accept, repaired and parsed, never fatal."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ftfy
import mutagen
from mutagen.id3 import ID3
from mutagen.mp3 import MPEGInfo
from mutagen.mp4 import MP4Tags

from tonearm.media.lyrics import clean_lyrics, synced_to_lrc
from tonearm.media.probe import AudioInfo
from tonearm.media.riff import info_tags

log = logging.getLogger(__name__)

_MAX_TEXT = 1000

# Our field -> keys to try, per tag family, best first.
_VORBIS_KEYS: dict[str, tuple[str, ...]] = {
    "title": ("title",),
    "artist": ("artist",),
    "album": ("album",),
    "album_artist": ("albumartist", "album artist", "album_artist"),
    "track_number": ("tracknumber", "track"),
    "disc_number": ("discnumber", "disc"),
    "year": ("date", "originaldate", "year"),
    "genre": ("genre",),
    "compilation": ("compilation",),
    "mb_track_id": ("musicbrainz_trackid",),
    "mb_artist_id": ("musicbrainz_artistid",),
    "mb_album_id": ("musicbrainz_albumid",),
    "mb_album_artist_id": ("musicbrainz_albumartistid",),
    "lyrics": ("lyrics", "unsyncedlyrics", "unsynced lyrics"),
}
_ID3_KEYS: dict[str, tuple[str, ...]] = {
    "title": ("TIT2",),
    "artist": ("TPE1",),
    "album": ("TALB",),
    "album_artist": ("TPE2",),
    "track_number": ("TRCK",),
    "disc_number": ("TPOS",),
    "year": ("TDRC", "TYER", "TDOR", "TORY"),
    "genre": ("TCON",),
    "compilation": ("TCMP",),
    "mb_track_id": ("UFID:http://musicbrainz.org", "TXXX:MusicBrainz Release Track Id"),
    "mb_artist_id": ("TXXX:MusicBrainz Artist Id",),
    "mb_album_id": ("TXXX:MusicBrainz Album Id",),
    "mb_album_artist_id": ("TXXX:MusicBrainz Album Artist Id",),
    "lyrics": ("USLT",),
}
_MP4_KEYS: dict[str, tuple[str, ...]] = {
    "title": ("\xa9nam",),
    "artist": ("\xa9ART",),
    "album": ("\xa9alb",),
    "album_artist": ("aART",),
    "track_number": ("trkn",),
    "disc_number": ("disk",),
    "year": ("\xa9day",),
    "genre": ("\xa9gen",),
    "compilation": ("cpil",),
    "mb_track_id": ("----:com.apple.iTunes:MusicBrainz Track Id",),
    "mb_artist_id": ("----:com.apple.iTunes:MusicBrainz Artist Id",),
    "mb_album_id": ("----:com.apple.iTunes:MusicBrainz Album Id",),
    "mb_album_artist_id": ("----:com.apple.iTunes:MusicBrainz Album Artist Id",),
    "lyrics": ("\xa9lyr",),
}
# ffprobe lower-cases nothing itself; AudioInfo.tags holds lower-cased keys.
_FFPROBE_KEYS: dict[str, tuple[str, ...]] = {
    **_VORBIS_KEYS,
    "album_artist": ("album_artist", "albumartist", "album artist"),
}


@dataclass(frozen=True)
class Tags:
    """What a file says about itself; every field may be missing."""

    title: str | None = None
    artist: str | None = None
    album: str | None = None
    album_artist: str | None = None
    track_number: int | None = None
    disc_number: int | None = None
    year: int | None = None
    genre: str | None = None
    """Several values are joined with "; " (``library/catalog.py`` splits them)."""
    compilation: bool | None = None
    mb_track_id: str | None = None
    mb_artist_id: str | None = None
    mb_album_id: str | None = None
    mb_album_artist_id: str | None = None
    """MusicBrainz ids (lower-case UUIDs); the first one where a tag holds several."""
    lyrics: str | None = None
    """Plain or LRC text, line breaks kept."""


def read_tags(path: Path, info: AudioInfo) -> Tags:
    """Read tags with mutagen, then a WAV's RIFF INFO chunk, then ffprobe's tags in
    ``info``, field by field in that order.

    The file alone is enough for every family we read ourselves: ``info.tags`` may be
    empty (the worker rebuilds ``AudioInfo`` from the database without them), and
    mutagen 1.48 reads only ID3 in a WAV, so its INFO tags are read here directly.
    Never raises for bad content: an unreadable tag block gives empty or partial tags.
    Text is repaired (mojibake fixed, invalid bytes replaced, NULs and surrounding
    whitespace stripped); "3/12" gives track 3; "2004-05-01" gives year 2004.
    """
    raw: dict[str, str] = {}
    try:
        raw = _mutagen_values(path)
    except Exception:  # mutagen raises many types on junk; tags are never worth failing for.
        log.info("could not read tags of %s with mutagen", path, exc_info=True)
    try:
        for name, text in info_tags(path).items():
            raw.setdefault(name, text)
    except OSError:
        log.info("could not read RIFF INFO tags of %s", path, exc_info=True)
    fallback = dict(info.tags)
    for name, keys in _FFPROBE_KEYS.items():
        if not raw.get(name):
            value = next((fallback[k] for k in keys if fallback.get(k)), None)
            if value:
                raw[name] = value
    return _parse(raw)


def _mutagen_values(path: Path) -> dict[str, str]:
    audio = mutagen.File(path)
    if audio is None or audio.tags is None:
        return {}
    tags: Any = audio.tags
    if isinstance(tags, ID3):
        values = _pick(_ID3_KEYS, lambda key: _id3_text(tags, key))
        synced = _sylt_lrc(tags, audio.info)
        if synced:
            values["lyrics"] = synced  # times beat plain text of the same words
        return values
    if isinstance(tags, MP4Tags):
        return _pick(_MP4_KEYS, lambda key: _mp4_text(tags, key))
    if hasattr(tags, "keys"):
        # Vorbis comments (FLAC, Ogg Vorbis, Opus) and APEv2: case-insensitive keys.
        lowered: dict[str, Any] = {}
        for key in tags.keys():  # noqa: SIM118 - these mappings are not always iterable
            lowered.setdefault(str(key).lower(), tags[key])

        def vorbis(key: str) -> str | None:
            value = lowered.get(key)
            return _all_text(value) if key == "genre" else _first_text(value)

        return _pick(_VORBIS_KEYS, vorbis)
    return {}


def _pick(keys: Mapping[str, Iterable[str]], get: Callable[[str], str | None]) -> dict[str, str]:
    values: dict[str, str] = {}
    for name, candidates in keys.items():
        for key in candidates:
            value = get(key)
            if value:
                values[name] = value
                break
    return values


def _id3_text(tags: Any, key: str) -> str | None:
    frames = tags.getall(key)
    if not frames:
        return None
    if key.startswith("UFID:"):
        data = getattr(frames[0], "data", b"")
        return data.decode("ascii", errors="replace") if isinstance(data, bytes) else None
    if key == "USLT":
        return str(getattr(frames[0], "text", "")) or None
    if not hasattr(frames[0], "text"):
        return None
    if key == "TCON":
        # TCON may hold ID3v1 genre numbers like "(17)"; mutagen resolves them to names.
        return _all_text(frames[0].genres)
    return _first_text(frames[0].text)


def _sylt_lrc(tags: Any, info: Any) -> str | None:
    """The lyrics of the file's SYLT frames as LRC, or None.

    A frame of content type 1 (lyrics) is preferred, then 2 (transcription), then
    any. SYLT times are milliseconds (format 2) or MPEG frames (format 1): a frame
    lasts 1152 samples (576 for MPEG-2/2.5 layer III, 384 for layer I); frame times
    in a file that is not MPEG audio (ID3 in WAV, AIFF) cannot be placed, so such a
    frame is skipped and USLT (if any) is used. mutagen decodes the text encodings
    (Latin-1, UTF-16 with or without BOM, UTF-8).
    """
    frames = [f for f in tags.getall("SYLT") if getattr(f, "text", None)]
    frames.sort(key=lambda f: {1: 0, 2: 1}.get(int(getattr(f, "type", 0)), 2))
    for frame in frames:
        scale = _sylt_scale(int(getattr(frame, "format", 2)), info)
        if scale is None:
            continue
        entries = [
            (str(text), round(int(time) * scale))
            for text, time in frame.text
            if isinstance(time, int) and time >= 0
        ]
        lrc = synced_to_lrc(entries)
        if lrc:
            return lrc
    return None


def _sylt_scale(time_format: int, info: Any) -> float | None:
    """Milliseconds per SYLT time unit."""
    if time_format == 2:
        return 1.0
    if time_format != 1 or not isinstance(info, MPEGInfo) or not info.sample_rate:
        return None
    if info.layer == 1:
        samples = 384
    elif info.layer == 3 and info.version != 1:
        samples = 576
    else:
        samples = 1152
    return samples * 1000.0 / float(info.sample_rate)


def _mp4_text(tags: Any, key: str) -> str | None:
    value = tags.get(key)
    if key == "cpil":
        return "1" if value else None
    if key == "\xa9gen":
        return _all_text(value)
    if key in ("trkn", "disk") and value:
        number = value[0]
        if isinstance(number, tuple) and number and number[0]:
            return str(number[0])
        return None
    return _first_text(value)


def _first_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, list | tuple):
        return _first_text(value[0]) if value else None
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return str(value)


def _all_text(value: object) -> str | None:
    """Every value of a multi-valued tag (several GENRE comments), joined with "; "."""
    if isinstance(value, list | tuple):
        texts = [t for t in (_first_text(v) for v in value) if t]
        return "; ".join(texts) or None
    return _first_text(value)


_MBID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def _mbid(text: str | None) -> str | None:
    match = _MBID.search(text or "")
    return match.group(0).lower() if match else None


def _flag(text: str | None) -> bool | None:
    if not text:
        return None
    return text.strip().lower() in ("1", "true", "yes")


def _clean(text: str) -> str | None:
    # Invalid bytes decoded with surrogateescape would make later encoding raise.
    text = text.encode("utf-8", errors="replace").decode("utf-8", errors="replace")
    text = ftfy.fix_text(text.replace("\x00", " "))
    text = " ".join(text.split())[:_MAX_TEXT]
    return text or None


def _number(text: str | None, *, limit: int) -> int | None:
    if not text:
        return None
    match = re.match(r"\s*0*(\d{1,6})", text)
    if not match:
        return None
    number = int(match.group(1))
    return number if 0 < number <= limit else None


def _year(text: str | None) -> int | None:
    if not text:
        return None
    match = re.search(r"(?<!\d)(\d{4})(?!\d)", text)
    if not match:
        return None
    year = int(match.group(1))
    return year if 1000 <= year <= 2999 else None


def _parse(raw: Mapping[str, str]) -> Tags:
    def text(name: str) -> str | None:
        value = raw.get(name)
        return _clean(value) if value else None

    return Tags(
        title=text("title"),
        artist=text("artist"),
        album=text("album"),
        album_artist=text("album_artist"),
        track_number=_number(raw.get("track_number"), limit=9999),
        disc_number=_number(raw.get("disc_number"), limit=999),
        year=_year(raw.get("year")),
        genre=text("genre"),
        compilation=_flag(raw.get("compilation")),
        mb_track_id=_mbid(raw.get("mb_track_id")),
        mb_artist_id=_mbid(raw.get("mb_artist_id")),
        mb_album_id=_mbid(raw.get("mb_album_id")),
        mb_album_artist_id=_mbid(raw.get("mb_album_artist_id")),
        lyrics=clean_lyrics(raw.get("lyrics")),
    )
