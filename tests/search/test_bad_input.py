"""Whatever is typed, search answers with results or empty lists: full-text syntax,
unbalanced quotes, 10 kB, control characters, right-to-left text and emoji are words or
nothing, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import pytest

from tests.search.conftest import Indexed
from tonearm.search.service import KINDS

QUERIES = [
    "",
    "   ",
    '"',
    '""',
    "*",
    "eple*",
    "NEAR(",
    "NEAR(eple royksopp, 2)",
    "AND",
    "OR",
    "NOT",
    "a AND b OR",
    "-",
    "-queen",
    "^",
    "^queen",
    ":",
    "title:eple",
    "{title}: eple",
    '"unbalanced',
    "(((",
    ")",
    "'; DROP TABLE tracks; --",
    "\\",
    "%",
    "_",
    "&:*|!",
    "a" * 10_000,
    "beatles " * 1_250,
    "e" * 300,
    "\x00\x01beatles\x7f\x1b[31m",
    "\u202eesrever\u202c",
    "\u200fفيروز\u200f",
    "שלום עולם",
    "🎵🎶",
    "queen 🎵",
    "\ufeff\u200b",
    "𝔮𝔲𝔢𝔢𝔫",
]


@pytest.mark.parametrize("query", QUERIES, ids=range(len(QUERIES)))
def test_any_query_answers(indexed: Indexed, query: str) -> None:
    c = indexed.c
    with c.infra.uows.read() as session:
        out = c.search.service.search(session, indexed.viewer, query, KINDS, 10)
    assert len(out.query) <= 200
    for kind in KINDS:
        assert isinstance(getattr(out, kind), list)


@pytest.mark.parametrize(
    ("query", "artist"),
    [
        ('"queen"', "Queen"),
        ("-queen", "Queen"),
        ("queen 🎵", "Queen"),
        ("\x00queen\x1b", "Queen"),
        ("𝔮𝔲𝔢𝔢𝔫", "Queen"),  # mathematical letters fold to plain ones (NFKC)
        ("\u200fفيروز\u200f", "فيروز"),
        ("beatles " * 1_250, "The Beatles"),
    ],
)
def test_syntax_is_just_words(indexed: Indexed, query: str, artist: str) -> None:
    c = indexed.c
    with c.infra.uows.read() as session:
        out = c.search.service.search(session, indexed.viewer, query, KINDS, 5)
    assert out.artists and out.artists[0].id == indexed.cat.artists[artist]


def test_blank_is_empty(indexed: Indexed) -> None:
    c = indexed.c
    with c.infra.uows.read() as session:
        out = c.search.service.search(session, indexed.viewer, "  \t ", KINDS, 10)
    assert out.top is None and out.corrected is None
    assert not any(getattr(out, kind) for kind in KINDS)


def test_types_not_asked_stay_empty(indexed: Indexed) -> None:
    c = indexed.c
    with c.infra.uows.read() as session:
        out = c.search.service.search(session, indexed.viewer, "queen", ["artists"], 10)
    assert out.artists and not out.tracks and not out.albums and not out.lyrics


def test_did_you_mean(indexed: Indexed) -> None:
    c = indexed.c
    with c.infra.uows.read() as session:
        out = c.search.service.search(session, indexed.viewer, "beatels yesterday", KINDS, 10)
        exact = c.search.service.search(session, indexed.viewer, "beatles", KINDS, 10)
        ids = c.search.service.tracks(session, indexed.viewer, "bohemain rhapsody", 5)
    assert out.corrected == "beatles yesterday"
    assert out.tracks[0].id == indexed.cat.tracks["Yesterday"]
    assert exact.corrected is None
    assert exact.top is not None and exact.top.kind == "artist"
    assert ids[0] == indexed.cat.tracks["Bohemian Rhapsody"]


def test_short_prefixes_rank_popular_names(indexed: Indexed) -> None:
    """One or two letters: names starting with them, the most liked first."""
    c = indexed.c
    with c.infra.uows.read() as session:
        one = c.search.service.search(session, indexed.viewer, "b", ["tracks"], 10)
        two = c.search.service.search(session, indexed.viewer, "bo", ["tracks"], 10)
    assert one.tracks[0].id == indexed.cat.tracks["Bohemian Rhapsody"]  # 45 likes
    assert all(t.title and t.title.lower().startswith("b") for t in one.tracks)
    assert two.tracks[0].id == indexed.cat.tracks["Bohemian Rhapsody"]
