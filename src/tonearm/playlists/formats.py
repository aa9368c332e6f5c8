"""M3U8 and XSPF: writing a playlist out, reading entries in.

Pure text in, text out: no database. XML is parsed with defusedxml, which refuses
DTDs, entity expansion and external references (a "billion laughs" file is refused,
never expanded).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote, urlsplit
from xml.etree.ElementTree import Element, SubElement, tostring

from defusedxml import ElementTree as SafeTree
from defusedxml.common import DefusedXmlException

from tonearm.errors import BadRequest

XSPF_NS = "http://xspf.org/ns/0/"
MAX_ENTRIES = 10_000


@dataclass(frozen=True)
class Entry:
    """One line of a playlist file, as the file said it."""

    location: str | None = None
    title: str | None = None
    artist: str | None = None
    album: str | None = None
    duration_s: float | None = None
    identifier: str | None = None

    def describe(self) -> str:
        if self.artist and self.title:
            return f"{self.artist} - {self.title}"
        return self.title or self.location or self.identifier or "(empty entry)"

    def filename(self) -> str | None:
        if not self.location:
            return None
        path = urlsplit(self.location).path if "://" in self.location else self.location
        name = unquote(path).replace("\\", "/").rsplit("/", 1)[-1]
        return name or None


@dataclass(frozen=True)
class Parsed:
    title: str | None
    entries: list[Entry]


def sniff(data: bytes) -> str:
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:200]
    return "xspf" if head.startswith(b"<") else "m3u8"


def decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BadRequest("The playlist file is not UTF-8 text.") from None


# --- M3U8 ----------------------------------------------------------------------------


def parse_m3u8(data: bytes) -> Parsed:
    title = None
    entries: list[Entry] = []
    info: tuple[float | None, str | None, str | None] | None = None
    for raw in decode(data).splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#PLAYLIST:"):
            title = line.removeprefix("#PLAYLIST:").strip() or None
        elif line.startswith("#EXTINF:"):
            info = _extinf(line.removeprefix("#EXTINF:"))
        elif line.startswith("#"):
            continue
        else:
            duration, artist, name = info or (None, None, None)
            entries.append(Entry(location=line, title=name, artist=artist, duration_s=duration))
            info = None
        if len(entries) > MAX_ENTRIES:
            raise BadRequest(f"A playlist file may hold at most {MAX_ENTRIES} entries.")
    return Parsed(title, entries)


def _extinf(rest: str) -> tuple[float | None, str | None, str | None]:
    length, _, text = rest.partition(",")
    try:
        seconds: float | None = float(length.split()[0]) if length.strip() else None
    except ValueError:
        seconds = None
    if seconds is not None and seconds < 0:
        seconds = None
    artist, sep, title = text.partition(" - ")
    if not sep:
        return seconds, None, text.strip() or None
    return seconds, artist.strip() or None, title.strip() or None


def write_m3u8(title: str, rows: list[Entry]) -> str:
    lines = ["#EXTM3U", f"#PLAYLIST:{_one_line(title)}"]
    for row in rows:
        seconds = round(row.duration_s) if row.duration_s is not None else -1
        name = row.describe() if row.title else ""
        lines.append(f"#EXTINF:{seconds},{_one_line(name)}")
        lines.append(row.location or "")
    return "\n".join(lines) + "\n"


def _one_line(text: str) -> str:
    return " ".join(text.split())


# --- XSPF ----------------------------------------------------------------------------


def parse_xspf(data: bytes) -> Parsed:
    try:
        root = SafeTree.fromstring(data, forbid_dtd=True)
    except DefusedXmlException:
        raise BadRequest("The XSPF file declares a DTD or entities, which are refused.") from None
    except SafeTree.ParseError as exc:
        raise BadRequest(f"The XSPF file is not well-formed XML ({exc}).") from None
    if _local(root.tag) != "playlist":
        raise BadRequest("The XML is not an XSPF playlist (no <playlist> root element).")
    title = _text(root, "title")
    entries: list[Entry] = []
    for child in root:
        if _local(child.tag) != "trackList":
            continue
        for track in child:
            if _local(track.tag) != "track":
                continue
            entries.append(_xspf_entry(track))
            if len(entries) > MAX_ENTRIES:
                raise BadRequest(f"A playlist file may hold at most {MAX_ENTRIES} entries.")
    return Parsed(title, entries)


def _xspf_entry(track: Element) -> Entry:
    duration = _text(track, "duration")
    try:
        seconds = int(duration) / 1000 if duration else None
    except ValueError:
        seconds = None
    return Entry(
        location=_text(track, "location"),
        title=_text(track, "title"),
        artist=_text(track, "creator"),
        album=_text(track, "album"),
        duration_s=seconds,
        identifier=_text(track, "identifier"),
    )


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _text(parent: Element, name: str) -> str | None:
    for child in parent:
        if _local(child.tag) == name:
            value = (child.text or "").strip()
            return value or None
    return None


def write_xspf(title: str, creator: str | None, rows: list[Entry]) -> str:
    root = Element("playlist", version="1", xmlns=XSPF_NS)
    SubElement(root, "title").text = title
    if creator:
        SubElement(root, "creator").text = creator
    tracks = SubElement(root, "trackList")
    for row in rows:
        track = SubElement(tracks, "track")
        if row.location:
            SubElement(track, "location").text = row.location
        if row.identifier:
            SubElement(track, "identifier").text = row.identifier
        if row.title:
            SubElement(track, "title").text = row.title
        if row.artist:
            SubElement(track, "creator").text = row.artist
        if row.album:
            SubElement(track, "album").text = row.album
        if row.duration_s is not None:
            SubElement(track, "duration").text = str(round(row.duration_s * 1000))
    body = tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"
