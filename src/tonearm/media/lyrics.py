"""Lyrics as text or LRC: one parser for the player, the editor and search.

A track stores its lyrics as one text (``tracks.lyrics``): plain lines, or LRC
(``[mm:ss.xx]line``), possibly enhanced with word times (``<mm:ss.xx>word``).
Everything that needs lines (the synced display, search's "found at 1:23") reads
them through :func:`parse_lyrics`, so the stored text stays what the person wrote.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable
from dataclasses import dataclass

MAX_LYRICS_CHARS = 100_000
"""Longer texts are cut: no song needs more, and search indexes every line."""

_TIME = r"(\d{1,3}):(\d{1,2})(?:[.:](\d{1,3}))?"
_LINE_TAG = re.compile(r"\[" + _TIME + r"\]")
_WORD_TAG = re.compile(r"<" + _TIME + r">")
_META_TAG = re.compile(
    r"^\[(ar|ti|al|au|by|offset|length|re|ve|tool|la|lang|id|key|#):(.*)\]$", re.IGNORECASE
)
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029]")
_MAX_OFFSET_MS = 3_600_000
"""An offset beyond an hour is a typo, not a song: it is clamped."""


def clean_lyrics(text: str | None) -> str | None:
    """Lyrics as tonearm stores them, from a tag, a sidecar file or a person's edit.

    Line ends become ``\\n``; a byte-order mark, control characters (NUL, escape,
    bell ...) and invalid code points (lone surrogates) go; runs of spaces and tabs
    inside a line become one space; blank lines at either end go; text past
    :data:`MAX_LYRICS_CHARS` is cut. None for nothing left.
    """
    if not text:
        return None
    text = text.encode("utf-8", errors="replace").decode("utf-8")
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\ufeff", "")
    text = _CONTROL.sub(" ", text)
    lines = [" ".join(line.split()) for line in text.split("\n")]
    return "\n".join(lines).strip("\n")[:MAX_LYRICS_CHARS] or None


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

    Metadata tags (``[ar:...]``) are dropped and ``[offset:+/-ms]`` applied (positive
    shows lyrics earlier); a line with several time tags (``[00:10.00][01:10.00]chorus``)
    appears once per time, its word times moved with it; synced lines come sorted by
    time (stable: equal times keep their order), untimed lines of a synced text are
    dropped. A byte-order mark, CRLF or CR line ends and text past
    :data:`MAX_LYRICS_CHARS` are tolerated; nothing here raises.
    """
    if not text:
        return Lyrics(synced=False, lines=())
    text = text[:MAX_LYRICS_CHARS].lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
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
            line = line[match.end() :].lstrip()
        # Word tags may split a word into syllables (``<..>Hel<..>lo``): no space added.
        body = " ".join(_WORD_TAG.sub("", line).split())
        if starts:
            words = _words(line, starts[0])
            for start in starts:
                # Word times are written for the first time of the line; a repeat
                # (a chorus) sings them the same distance after its own start.
                shift = start - starts[0]
                moved = tuple(LyricWord(w.start_ms + shift, w.text) for w in words)
                timed.append(LyricLine(start, body, moved))
        elif body:
            plain.append(LyricLine(None, body))
    if timed:
        offset = max(-_MAX_OFFSET_MS, min(_MAX_OFFSET_MS, offset))
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


def _words(line: str, line_start: int) -> tuple[LyricWord, ...]:
    """Enhanced-LRC words of ``line`` (time tags already taken off its start).

    Text before the first word tag starts with the line; a line without word tags
    has no words (the line's own time is all there is). A word keeps one trailing
    space when a space followed it, so the texts joined give the line's text.
    """
    parts = _WORD_TAG.split(line)
    # split() with 3 groups: [before, m, s, f, word, m, s, f, word, ...]
    if len(parts) < 5:
        return ()
    words: list[LyricWord] = []
    if parts[0].strip():
        words.append(LyricWord(line_start, _word_text(parts[0])))
    for index in range(1, len(parts) - 3, 4):
        raw = parts[index + 3]
        if raw[:1].isspace() and words and not words[-1].text.endswith(" "):
            # Space after the tag (``<..> word``) still separates from the word before.
            words[-1] = LyricWord(words[-1].start_ms, words[-1].text + " ")
        if raw.strip():
            start = _ms(parts[index], parts[index + 1], parts[index + 2])
            words.append(LyricWord(start, _word_text(raw)))
    if words:
        words[-1] = LyricWord(words[-1].start_ms, words[-1].text.rstrip())
    return tuple(words)


def _word_text(raw: str) -> str:
    text = " ".join(raw.split())
    return text + " " if raw[-1:].isspace() else text


def _stamp(ms: int) -> str:
    centis = max(0, ms) // 10
    return f"{centis // 6000:02d}:{centis // 100 % 60:02d}.{centis % 100:02d}"


def format_time(ms: int) -> str:
    """``[mm:ss.xx]`` as LRC writes it."""
    return f"[{_stamp(ms)}]"


def to_lrc(lines: list[tuple[int, str]]) -> str:
    """LRC text of ``(start_ms, text)`` pairs, as the tap-to-sync editor saves them."""
    return "\n".join(f"{format_time(start)}{text}" for start, text in sorted(lines))


def synced_to_lrc(entries: Iterable[tuple[str, int]]) -> str:
    """LRC text of timed pieces ``(text, start_ms)`` as ID3 SYLT frames hold them.

    Writers use SYLT two ways: one entry per line, or one per word or syllable where
    an entry starting (or the previous one ending) with a line break opens a new
    line. The second gives enhanced LRC: the line's time, then each piece's
    ``<mm:ss.xx>``. Entries keep their order; empty ones are skipped.
    """
    lines: list[list[tuple[str, int]]] = []
    items = [(text, max(0, int(ms))) for text, ms in entries]
    by_piece = any(("\n" in t or "\r" in t) for t, _ in items[1:]) or any(
        t.endswith(("\n", "\r")) for t, _ in items[:-1]
    )
    opens_line = True
    for text, ms in items:
        if not by_piece or opens_line or text.startswith(("\n", "\r")):
            lines.append([])
        opens_line = text.endswith(("\n", "\r"))
        piece = " ".join(text.strip("\r\n").replace("\r", "\n").split("\n"))
        if piece.strip():
            lines[-1].append((piece, ms))
    out: list[str] = []
    for pieces in lines:
        if not pieces:
            continue
        start = pieces[0][1]
        if len(pieces) == 1:
            out.append(f"{format_time(start)}{' '.join(pieces[0][0].split())}")
        else:
            words = "".join(f"<{_stamp(ms)}>{text}" for text, ms in pieces)
            out.append(f"{format_time(start)}{words.rstrip()}")
    return "\n".join(out)
