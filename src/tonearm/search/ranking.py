"""How well a document answers a query: pure functions over the folded text.

Per query word, the best field it hits, weighted by field (title 1.0 > artist 0.8 >
album 0.6 > genre or description 0.3 > lyric line 0.4 on its own list) and by how it
hit: the word itself 1.0 > a word it begins (as-you-type) 0.75 > a typo correction
0.5. The mean over the words, plus a bonus when the words cover the whole name (an
exact name beats a longer one holding it), then a small popularity and own-library
term that only orders what is otherwise equal.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from tonearm.search import normalize
from tonearm.search.repository import Term

EXACT, PREFIX, CORRECTED = 1.0, 0.75, 0.5
TITLE, ARTIST, ALBUM, EXTRA, LYRICS = 1.0, 0.8, 0.6, 0.3, 0.4
COVER_BONUS = 0.3
POPULARITY_CAP = 0.08
OWN_BONUS = 0.04


def hit(term: Term, word: str) -> float:
    if word == term.word:
        return EXACT
    if term.prefix and word.startswith(term.word):
        return PREFIX
    if word in term.corrections:
        return CORRECTED
    return 0.0


def score(
    terms: Sequence[Term],
    fields: Sequence[tuple[str, float]],
    *,
    popularity: int = 0,
    own: bool = False,
) -> float:
    """``fields``: (stored field text, weight); the first is the document's name."""
    if not terms:
        return 0.0
    parsed = [(normalize.words_of(text), weight) for text, weight in fields]
    total = 0.0
    name_words, name_extra = parsed[0][0]
    name_hits: set[int] = set()
    name_quality = 1.0
    for term in terms:
        best = 0.0
        for (words, extra), weight in parsed:
            for word in (*words, *extra):
                q = hit(term, word)
                if q:
                    best = max(best, q * weight)
        total += best
        for i, word in enumerate(name_words):
            q = hit(term, word)
            if q:
                name_hits.add(i)
                name_quality = min(name_quality, q)
        if not name_words and any(hit(term, w) for w in name_extra):
            name_hits.add(0)
    value = total / len(terms)
    if name_words and len(name_hits) == len(name_words):
        value += COVER_BONUS * name_quality
    elif name_words:
        value += COVER_BONUS * 0.5 * len(name_hits) / len(name_words) * name_quality
    if value <= 0:
        return 0.0
    value += min(POPULARITY_CAP, 0.02 * math.log1p(max(0, popularity)))
    if own:
        value += OWN_BONUS
    return value


def contiguous(terms: Sequence[Term], line_words: Sequence[str]) -> bool:
    """The query's words appear in this order, side by side (a quoted lyric line)."""
    n = len(terms)
    for start in range(len(line_words) - n + 1):
        if all(hit(t, line_words[start + i]) for i, t in enumerate(terms)):
            return True
    return False
