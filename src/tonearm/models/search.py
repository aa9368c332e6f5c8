"""The search index: documents in the normal form of ``search/normalize.py``.

Rows here are derived data, rebuilt at any time by ``tonearm search reindex``; they hold
no access rules. Every search joins back to ``tracks``, ``albums``, ``artists`` and
``playlists`` for who may see what, so a row that outlived its subject finds nothing.
No foreign keys for the same reason: the SQLite full-text tables follow these rows
through triggers, which a cascading delete would bypass.
"""

from __future__ import annotations

from sqlalchemy import Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tonearm.models.base import Base
from tonearm.types import TrackId

NAME_KEY_TYPE = String(200).with_variant(String(200, collation="C"), "postgresql")
"""A whole name's key, read by range for "names starting with the query": bytewise on
PostgreSQL too, so the range's upper bound (U+10FFFF) is above every key."""


class SearchTrack(Base):
    """One per track: its tags, folded. ``id`` is the full-text row id."""

    __tablename__ = "search_tracks"
    __table_args__ = (
        Index("ix_search_tracks_key", "key"),
        Index("ix_search_tracks_key1", "key1", "popularity", "id"),
        Index("ix_search_tracks_key2", "key2", "popularity", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    track_id: Mapped[TrackId] = mapped_column(String(32), unique=True)
    title: Mapped[str] = mapped_column(Text, default="")
    artist: Mapped[str] = mapped_column(Text, default="")
    """Artist and album artist."""
    album: Mapped[str] = mapped_column(Text, default="")
    extra: Mapped[str] = mapped_column(Text, default="")
    """Genres."""
    key: Mapped[str] = mapped_column(NAME_KEY_TYPE, default="")
    """The title's folded words, joined (``normalize.name_key``): exact and whole-name
    prefix matches, however many newer documents share the words."""
    key1: Mapped[str] = mapped_column(String(4), default="")
    """The first letter of the title's key: the one-letter prefix path."""
    key2: Mapped[str] = mapped_column(String(8), default="")
    popularity: Mapped[int] = mapped_column(Integer, default=0)
    """Likes now; play counts join it once they are counted."""


class SearchName(Base):
    """One per album, artist and playlist."""

    __tablename__ = "search_names"
    __table_args__ = (
        Index("uq_search_names_subject", "kind", "subject_id", unique=True),
        Index("ix_search_names_key", "kind", "key"),
        Index("ix_search_names_key1", "key1", "popularity", "id"),
        Index("ix_search_names_key2", "key2", "popularity", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))
    """``album``, ``artist`` or ``playlist``."""
    subject_id: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(Text, default="")
    extra: Mapped[str] = mapped_column(Text, default="")
    """An album's artist; a playlist's description."""
    key: Mapped[str] = mapped_column(NAME_KEY_TYPE, default="")
    key1: Mapped[str] = mapped_column(String(4), default="")
    key2: Mapped[str] = mapped_column(String(8), default="")
    popularity: Mapped[int] = mapped_column(Integer, default=0)


class SearchLine(Base):
    """One per line of a track's lyrics."""

    __tablename__ = "search_lines"
    __table_args__ = (Index("ix_search_lines_track", "track_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    track_id: Mapped[TrackId] = mapped_column(String(32))
    start_ms: Mapped[int | None] = mapped_column(Integer)
    line: Mapped[str] = mapped_column(String(500))
    """As written, for showing."""
    words: Mapped[str] = mapped_column(Text, default="")


class SearchWord(Base):
    """The vocabulary of names, for typo correction (found by trigrams)."""

    __tablename__ = "search_words"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    word: Mapped[str] = mapped_column(String(100), unique=True)
    padded: Mapped[str] = mapped_column(String(102))
    """``^word$``: SQLite's trigram tokenizer does not pad, and short words need the ends."""
    freq: Mapped[int] = mapped_column(Integer, default=1)
