"""One normal form for everything search compares: the index and the query both pass here.

``tokens("Röyksopp")`` is ``["royksopp"]``, ``tokens("Кино")`` is ``["kino"]``,
``tokens("AC/DC")`` is ``["acdc", "ac", "dc"]``: the steps are

1. NFKC, then case folding ("ß" becomes "ss", "Ⅳ" becomes "iv");
2. letters no decomposition reaches (ø, æ, œ, đ, ł, þ, ð, ı ...) and the Cyrillic and
   Greek alphabets mapped to one Latin spelling (Russian, Ukrainian, Belarusian,
   Serbian, Macedonian and Bulgarian letters in one table: "Кино" and "Kino" meet in
   "kino"; a person typing another romanisation is one or two edits away, which the
   typo layer forgives);
3. NFKD with combining marks dropped ("é" -> "e"), so accents never matter;
4. words split on anything that is not a letter or digit. Apostrophes join ("Don't" ->
   "dont"); a word written with inner dots, slashes, hyphens, ampersands or plus signs
   gives its joined form first and then its parts ("T.N.T." -> "tnt" + "t", "n", "t").
   The query keeps only the joined form, so "tnt", "T.N.T." and "AC/DC" = "acdc" match;
5. scripts with no transliteration here (Chinese, Japanese, Korean, Thai) index each
   character and each pair of neighbours, so any part of a name can be typed; Arabic,
   Hebrew and other scripts written with spaces stay words of their own.

Pure functions, no database: what is indexed and what is asked are compared in one form.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

MAX_QUERY_CHARS = 200
"""A query is cut here: names are shorter, and a 10 kB paste must not cost more."""
MAX_QUERY_TOKENS = 12

_LETTERS = {
    # Latin letters without a decomposition.
    "ø": "o",
    "æ": "ae",
    "œ": "oe",
    "đ": "d",
    "ð": "d",
    "ł": "l",
    "þ": "th",
    "ı": "i",
    "ħ": "h",
    "ŧ": "t",
    "ŋ": "ng",
    "ĸ": "k",
    "ſ": "s",
    "ƒ": "f",
    "ɨ": "i",
    # Cyrillic (Russian first; the letters of other languages after).
    "а": "a",
    "б": "b",
    "в": "v",
    "г": "g",
    "д": "d",
    "е": "e",
    "ё": "e",
    "ж": "zh",
    "з": "z",
    "и": "i",
    "й": "y",
    "ȷ": "y",
    "к": "k",
    "л": "l",
    "м": "m",
    "н": "n",
    "о": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "у": "u",
    "ф": "f",
    "х": "kh",
    "ц": "ts",
    "ч": "ch",
    "ш": "sh",
    "щ": "shch",
    "ъ": "",
    "ы": "y",
    "ь": "",
    "э": "e",
    "ю": "yu",
    "я": "ya",
    "і": "i",
    "ї": "yi",
    "є": "ye",
    "ґ": "g",
    "ў": "u",
    "ђ": "d",  # as Serbian Latin writes it (đ), then folded like đ
    "ј": "j",
    "љ": "lj",
    "њ": "nj",
    "ћ": "c",
    "џ": "dz",
    "ѓ": "gj",
    "ќ": "kj",
    "ѕ": "dz",
    # Greek (accents are gone by now: NFKD ran first).
    "α": "a",
    "β": "v",
    "γ": "g",
    "δ": "d",
    "ε": "e",
    "ζ": "z",
    "η": "i",
    "θ": "th",
    "ι": "i",
    "κ": "k",
    "λ": "l",
    "μ": "m",
    "ν": "n",
    "ξ": "x",
    "ο": "o",
    "π": "p",
    "ρ": "r",
    "σ": "s",
    "ς": "s",
    "τ": "t",
    "υ": "y",
    "φ": "f",
    "χ": "ch",
    "ψ": "ps",
    "ω": "o",
}
_TABLE = str.maketrans(_LETTERS)
# Inner punctuation that writes one word in parts: "T.N.T.", "AC/DC", "Jay-Z", "R&B".
_JOINERS = ".-/&+·_"
_CHUNK = re.compile(r"\S+")
_APOSTROPHES = str.maketrans("", "", "'\u2019`\u02bc")
"""Dropped, not split on: "Don't" is "dont"."""
_PART = re.compile(r"[^\W_]+")


def _is_dense(ch: str) -> bool:
    """Scripts written without spaces between words: each character counts."""
    o = ord(ch)
    return (
        0x3040 <= o <= 0x30FF  # hiragana, katakana
        or 0x3400 <= o <= 0x4DBF
        or 0x4E00 <= o <= 0x9FFF  # CJK ideographs
        or 0xAC00 <= o <= 0xD7AF  # hangul
        or 0xF900 <= o <= 0xFAFF
        or 0x0E00 <= o <= 0x0E7F  # thai
        or 0x20000 <= o <= 0x2FFFF
    )


def fold(text: str) -> str:
    """Steps 1-3: case, special letters, transliteration, accents."""
    if text.isascii():  # most names: nothing to decompose or transliterate
        return text.lower()
    text = unicodedata.normalize("NFKC", text).casefold()
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    # After NFKD: "й" has become "и" + breve and lost it; put the short i back first.
    return text.translate(_TABLE)


def _dense(run: str) -> list[str]:
    """Each character and each neighbouring pair: a substring query finds the name."""
    out = list(run)
    out.extend(run[i : i + 2] for i in range(len(run) - 1))
    return out


def _split_dense(part: str) -> list[str]:
    """Separate runs of space-less scripts from the letters around them."""
    pieces: list[str] = []
    current = ""
    dense = False
    for ch in part:
        d = _is_dense(ch)
        if current and d != dense:
            pieces.append(current)
            current = ""
        current += ch
        dense = d
    if current:
        pieces.append(current)
    return pieces


def tokens(text: str | None, *, query: bool = False) -> list[str]:
    """The words of ``text`` in the normal form (see the module doc).

    For a query (``query=True``) a word written in parts keeps only its joined form,
    and a run of a space-less script gives its pairs (or its one character), so that
    every query word must be in the name.
    """
    if not text:
        return []
    primary, extra = _split(text[:MAX_QUERY_CHARS] if query else text, query)
    return [*primary, *extra]


@lru_cache(maxsize=65_536)
def _split(text: str, query: bool) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(the words as written, the extra forms indexed beside them: parts, pairs).

    Cached: artists, albums and genres repeat across a library's tracks."""
    folded = fold(_restore_short_i(text))
    primary: list[str] = []
    extra: list[str] = []
    for written in _CHUNK.findall(folded):
        chunk = written.translate(_APOSTROPHES)
        parts = _PART.findall(chunk)
        if not parts:
            continue
        words = parts
        if len(parts) > 1 and _joined_by_punctuation(chunk):
            words = ["".join(parts)]
            if not query:
                extra.extend(parts)
        for word in words:
            for piece in _split_dense(word) if not word.isascii() else (word,):
                if not _is_dense(piece[0]):
                    primary.append(piece)
                elif query:
                    pairs = [piece[i : i + 2] for i in range(len(piece) - 1)]
                    primary.extend(pairs or [piece])
                else:
                    primary.extend(piece)
                    extra.extend(piece[i : i + 2] for i in range(len(piece) - 1))
    return tuple(primary), tuple(extra)


def _joined_by_punctuation(chunk: str) -> bool:
    """True when only joiner punctuation separates the parts ("ac/dc", "t.n.t.")."""
    inner = _PART.sub("", chunk.strip(".,;:!?()[]{}\"'"))
    return bool(inner) and all(c in _JOINERS for c in inner)


_SHORT_I = str.maketrans({"й": "ȷ", "Й": "ȷ"})


def _restore_short_i(text: str) -> str:
    """Keep "й" from decomposing into "и" + breve: it becomes "ȷ" (no decomposition,
    no case) until the table turns it into "y"."""
    return text.translate(_SHORT_I)


SEPARATOR = " | "
"""Between a field's words and their extra forms; both tokenizers drop the bar."""


def text(*values: str | None) -> str:
    """The indexed form of a field: its words, then (after ``SEPARATOR``) the parts of
    words written in parts and the character pairs of space-less scripts."""
    primary: list[str] = []
    extra: list[str] = []
    for value in values:
        if value:
            p, e = _split(value, False)
            primary += p
            extra += e
    return " ".join(primary) + (SEPARATOR + " ".join(extra) if extra else "")


def words_of(field: str) -> tuple[list[str], list[str]]:
    """The stored form of a field back into (words, extra forms)."""
    head, _, tail = field.partition(SEPARATOR)
    return head.split(), tail.split()


def name_key(value: str | None) -> str:
    """A name as one sortable key for the prefix fast path: the folded words, joined
    by spaces ("The Beatles" -> "the beatles")."""
    if not value:
        return ""
    folded = fold(_restore_short_i(value)).translate(_APOSTROPHES)
    return " ".join(_PART.findall(folded))[:200]


def is_dense(word: str) -> bool:
    return bool(word) and _is_dense(word[0])
