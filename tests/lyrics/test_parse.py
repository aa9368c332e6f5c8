"""The lyrics text: parsing LRC (plain, synced, enhanced), cleaning, and SYLT to LRC."""

from __future__ import annotations

import pytest

from tonearm.media.lyrics import (
    MAX_LYRICS_CHARS,
    LyricLine,
    Lyrics,
    LyricWord,
    clean_lyrics,
    format_time,
    parse_lyrics,
    synced_to_lrc,
    to_lrc,
)


def _times(lyrics: Lyrics) -> list[tuple[int | None, str]]:
    return [(line.start_ms, line.text) for line in lyrics.lines]


def test_nothing_and_plain_text() -> None:
    assert parse_lyrics(None) == Lyrics(synced=False, lines=())
    assert parse_lyrics("") == Lyrics(synced=False, lines=())
    plain = parse_lyrics("First  line\n\n  [Chorus]\nsecond\tline \n")
    assert not plain.synced
    assert _times(plain) == [(None, "First line"), (None, "[Chorus]"), (None, "second line")]
    assert all(line.words == () for line in plain.lines)


def test_synced_lines_sorted_with_metadata_dropped() -> None:
    text = "[ar:Someone]\n[ti:Song]\n[length: 03:21]\n[00:12.50]Second\n[00:01.00]First\n"
    got = parse_lyrics(text)
    assert got.synced
    assert _times(got) == [(1000, "First"), (12500, "Second")]


@pytest.mark.parametrize(
    ("tag", "ms"),
    [
        ("[00:01]", 1000),
        ("[00:01.5]", 1500),
        ("[00:01.50]", 1500),
        ("[00:01.505]", 1505),
        ("[00:01:50]", 1500),  # a colon before the hundredths, as some writers do
        ("[1:02.03]", 62030),
        ("[100:00.00]", 6_000_000),
    ],
)
def test_time_tag_forms(tag: str, ms: int) -> None:
    assert _times(parse_lyrics(f"{tag}la")) == [(ms, "la")]


def test_a_line_with_several_times_appears_at_each() -> None:
    got = parse_lyrics("[00:10.00][01:10.00] chorus\n[00:40.00]verse")
    assert _times(got) == [(10000, "chorus"), (40000, "verse"), (70000, "chorus")]
    spaced = parse_lyrics("[00:10.00] [00:20.00]both")
    assert _times(spaced) == [(10000, "both"), (20000, "both")]


def test_offset_moves_every_line_and_word_and_never_below_zero() -> None:
    text = "[offset:+500]\n[00:00.20]early\n[00:02.00]<00:02.00>one <00:02.60>two"
    got = parse_lyrics(text)
    assert _times(got) == [(0, "early"), (1500, "one two")]
    assert got.lines[1].words == (LyricWord(1500, "one "), LyricWord(2100, "two"))
    later = parse_lyrics("[00:01.00]x\n[offset:-250]")  # wherever the tag stands
    assert _times(later) == [(1250, "x")]
    assert _times(parse_lyrics("[offset:abc]\n[00:01.00]x")) == [(1000, "x")]
    # An absurd offset is clamped to an hour, not a crash or an overflow.
    assert _times(parse_lyrics("[offset:-99999999999999]\n[00:01.00]x")) == [(3_601_000, "x")]


def test_enhanced_words_keep_their_times_and_join_into_the_line() -> None:
    got = parse_lyrics("[00:05.00]Oh <00:05.40>Hel<00:05.60>lo <00:06.00>world")
    line = got.lines[0]
    assert line == LyricLine(
        5000,
        "Oh Hello world",
        (
            LyricWord(5000, "Oh "),  # before the first word tag: the line's own time
            LyricWord(5400, "Hel"),
            LyricWord(5600, "lo "),
            LyricWord(6000, "world"),
        ),
    )
    assert "".join(w.text for w in line.words) == line.text


def test_repeated_enhanced_line_moves_its_words_with_each_time() -> None:
    got = parse_lyrics("[00:10.00][00:30.00]<00:10.00>la <00:10.50>la")
    assert [[w.start_ms for w in line.words] for line in got.lines] == [
        [10000, 10500],
        [30000, 30500],
    ]


def test_untimed_lines_of_a_synced_text_and_empty_timed_lines() -> None:
    got = parse_lyrics("Title line without time\n[00:01.00]one\n[00:03.00]\n[00:05.00]two")
    # The empty timed line is an instrumental break: it ends "one" at 3 s.
    assert _times(got) == [(1000, "one"), (3000, ""), (5000, "two")]


@pytest.mark.parametrize(
    "text",
    [
        "[00:xx.00]not a time",
        "[0a:01.00]",
        "[00:01.00",
        "<00:01.00>word only",
        "[[00:01.00]]",
        "[-00:01.00]negative",
        "[00:01.00]<00:0x.00>broken word tag",
        "[" * 10_000,
        "[offset:]",
    ],
)
def test_malformed_tags_never_raise(text: str) -> None:
    got = parse_lyrics(text)
    assert isinstance(got, Lyrics)
    for line in got.lines:
        assert line.start_ms is None or line.start_ms >= 0


def test_malformed_tags_stay_text() -> None:
    assert _times(parse_lyrics("[00:xx.00]a\n<00:01.00>b")) == [
        (None, "[00:xx.00]a"),
        (None, "b"),  # a word tag alone does not make a synced line
    ]
    # A broken word tag inside a synced line stays part of its text.
    assert _times(parse_lyrics("[00:01.00]a <00:0x.00>b")) == [(1000, "a <00:0x.00>b")]


def test_crlf_cr_and_bom() -> None:
    for text in (
        "\ufeff[00:01.00]one\r\n[00:02.00]two\r\n",
        "[00:01.00]one\r[00:02.00]two",
        "\ufeff[ar:x]\n[00:01.00]one\n[00:02.00]two",
    ):
        assert _times(parse_lyrics(text)) == [(1000, "one"), (2000, "two")], text


def test_very_long_text_is_cut() -> None:
    text = "[00:01.00]" + "a" * (MAX_LYRICS_CHARS * 2)
    got = parse_lyrics(text)
    assert len(got.lines) == 1 and len(got.lines[0].text) == MAX_LYRICS_CHARS - 10


def test_clean_lyrics() -> None:
    assert clean_lyrics(None) is None
    assert clean_lyrics(" \n\r\n\x00 ") is None
    assert clean_lyrics("\ufeffone\r\ntwo\rthree") == "one\ntwo\nthree"
    assert clean_lyrics("a\x00b\x1b[31mc\x07 \x7f d\u2028e") == "a b [31mc d e"
    assert clean_lyrics("  lead\t\ttabs  \n\n\nkept blank lines\n\n") == (
        "lead tabs\n\n\nkept blank lines"
    )
    assert clean_lyrics("lone \ud800 surrogate") == "lone ? surrogate"
    assert len(clean_lyrics("x" * (MAX_LYRICS_CHARS + 5)) or "") == MAX_LYRICS_CHARS


def test_to_lrc_round_trips_through_the_parser() -> None:
    lrc = to_lrc([(62_345, "later"), (0, "first"), (5_000, "")])
    assert lrc == "[00:00.00]first\n[00:05.00]\n[01:02.34]later"
    assert _times(parse_lyrics(lrc)) == [(0, "first"), (5000, ""), (62340, "later")]
    assert format_time(3_599_990) == "[59:59.99]"
    assert format_time(6_000_000) == "[100:00.00]"


def test_sylt_one_entry_per_line() -> None:
    lrc = synced_to_lrc([("First line", 1000), ("", 1500), ("Second  line", 2500)])
    assert lrc == "[00:01.00]First line\n[00:02.50]Second line"


def test_sylt_pieces_with_line_breaks_become_enhanced_lrc() -> None:
    entries = [("Hel", 1000), ("lo ", 1200), ("world", 1500), ("\nSecond", 3000), (" line", 3500)]
    lrc = synced_to_lrc(entries)
    assert lrc == (
        "[00:01.00]<00:01.00>Hel<00:01.20>lo <00:01.50>world\n"
        "[00:03.00]<00:03.00>Second<00:03.50> line"
    )
    got = parse_lyrics(lrc)
    assert _times(got) == [(1000, "Hello world"), (3000, "Second line")]
    assert [w.start_ms for w in got.lines[1].words] == [3000, 3500]
    # Some writers end a line's last piece with the break instead.
    trailing = synced_to_lrc([("one ", 0), ("two\n", 400), ("three", 900)])
    assert _times(parse_lyrics(trailing)) == [(0, "one two"), (900, "three")]
    assert synced_to_lrc([]) == ""
