"""Lyrics as text or LRC: one parser for the player, the editor and search.

A track stores its lyrics as one text (``tracks.lyrics``): plain lines, or LRC
(``[mm:ss.xx]line``), possibly enhanced with word times (``<mm:ss.xx>word``).
Everything that needs lines (the synced display, search's "found at 1:23") reads
them through :func:`parse_lyrics`, so the stored text stays what the person wrote.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass

MAX_LYRICS_CHARS = 100_000
"""Longer texts are cut: no song needs more, and search indexes every line."""

_TIME = r"(\d{1,3}):(\d{1,2})(?:[.:](\d{1,3}))?"
_LINE_TAG = re.compile(r"\[" + _TIME + r"\]")
_WORD_TAG = re.compile(r"<" + _TIME + r">")
_META_TAG = re.compile(r"^\[(ar|ti|al|au|by|offset|length|re|ve|#):(.*)\]$", re.IGNORECASE)


@dataclass(frozen=True)
class LyricWord:
    start_ms: int
    text: str


@dataclass(frozen=True)
class LyricLine:
    start_ms: int | None
    """When the line starts; ``None`` for plain (unsynced) lyrics."""
    text: str
    words: tuple[LyricWord, ...] = ()
    """Enhanced-LRC word times, when the source had them."""


@dataclass(frozen=True)
class Lyrics:
    synced: bool
    lines: tuple[LyricLine, ...]


def _ms(minutes: str, seconds: str, fraction: str | None) -> int:
    frac = (fraction or "0").ljust(3, "0")[:3]
    return (int(minutes) * 60 + int(seconds)) * 1000 + int(frac)


def parse_lyrics(text: str | None) -> Lyrics:
    """Lines of ``text``: synced when at least one line carries an LRC time tag.

    Metadata tags (``[ar:...]``) are dropped and ``[offset:+/-ms]`` applied; a line
    with several time tags (``[00:10.00][01:10.00]chorus``) appears once per time;
    synced lines come sorted by time, untimed lines of a synced text are dropped.
    """
    if not text:
        return Lyrics(synced=False, lines=())
    text = text[:MAX_LYRICS_CHARS].replace("\r\n", "\n").replace("\r", "\n")
    offset = 0
    timed: list[LyricLine] = []
    plain: list[LyricLine] = []
    for raw in text.split("\n"):
        line = raw.strip()
        meta = _META_TAG.match(line)
        if meta:
            if meta.group(1).lower() == "offset":
                with contextlib.suppress(ValueError):
                    offset = int(meta.group(2).strip())
            continue
        starts: list[int] = []
        while (match := _LINE_TAG.match(line)) is not None:
            starts.append(_ms(*match.groups()))
            line = line[match.end() :]
        words = _words(line)
        body = " ".join(_WORD_TAG.sub(" ", line).split())
        if starts:
            timed.extend(LyricLine(start, body, words) for start in starts)
        elif body:
            plain.append(LyricLine(None, body))
    if timed:
        # LRC's offset is added to every time: positive shifts lyrics earlier.
        shifted = [
            LyricLine(
                max(0, (line.start_ms or 0) - offset),
                line.text,
                tuple(LyricWord(max(0, w.start_ms - offset), w.text) for w in line.words),
            )
            for line in timed
        ]
        shifted.sort(key=lambda line: line.start_ms or 0)
        return Lyrics(synced=True, lines=tuple(shifted))
    return Lyrics(synced=False, lines=tuple(plain))


def _words(line: str) -> tuple[LyricWord, ...]:
    parts = _WORD_TAG.split(line)
    # split() with 3 groups: [before, m, s, f, word, m, s, f, word, ...]
    if len(parts) < 5:
        return ()
    words: list[LyricWord] = []
    for index in range(1, len(parts) - 3, 4):
        word = parts[index + 3].strip()
        if word:
            words.append(LyricWord(_ms(parts[index], parts[index + 1], parts[index + 2]), word))
    return tuple(words)


def format_time(ms: int) -> str:
    """``[mm:ss.xx]`` as LRC writes it."""
    centis = ms // 10
    return f"[{centis // 6000:02d}:{centis // 100 % 60:02d}.{centis % 100:02d}]"


def to_lrc(lines: list[tuple[int, str]]) -> str:
    """LRC text of ``(start_ms, text)`` pairs, as the tap-to-sync editor saves them."""
    return "\n".join(f"{format_time(start)}{text}" for start, text in sorted(lines))
