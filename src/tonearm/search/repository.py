"""Reading the search index: candidates for a query, on SQLite (FTS5) and PostgreSQL
(``tsvector`` + GIN, ``pg_trgm``). The only module that knows the two differ.

Every query is bounded: full-text matches stop at ``limit`` rows (SQLite walks its
doclists newest first and stops; PostgreSQL's bitmap scan stops at the limit), the
short-prefix path reads an index already ordered by popularity, and the vocabulary
look-ups read at most a few hundred words. Access is part of each statement (the
caller's ``visible`` condition), so the limit counts only what the viewer may see.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import (
    ColumnClause,
    ColumnElement,
    Row,
    Select,
    and_,
    column,
    func,
    select,
    table,
    text,
)
from sqlalchemy.orm import Session

from tonearm.models import SearchLine, SearchName, SearchTrack, SearchWord, Track
from tonearm.types import TrackId, UserId

_S = TypeVar("_S", bound=Select[*tuple[Any, ...]])


@dataclass(frozen=True)
class Term:
    """One query word and what may stand for it."""

    word: str
    prefix: bool = False
    """The last word while typing: any word starting with it matches."""
    corrections: tuple[str, ...] = ()

    def alternatives(self) -> list[tuple[str, bool]]:
        return [(self.word, self.prefix), *((c, False) for c in self.corrections)]


def _fts5(terms: Sequence[Term]) -> str:
    """An FTS5 MATCH expression of quoted words only: nothing a person types is syntax."""
    groups = []
    for term in terms:
        alts = [
            f'"{w.replace(chr(34), "")}"' + ("*" if prefix else "")
            for w, prefix in term.alternatives()
        ]
        groups.append("(" + " OR ".join(alts) + ")")
    return " AND ".join(groups)


def _tsquery(terms: Sequence[Term]) -> str:
    """A ``to_tsquery`` expression of quoted lexemes (quotes doubled), never raw input."""
    groups = []
    for term in terms:
        alts = []
        for w, prefix in term.alternatives():
            quoted = "'" + w.replace("'", "''").replace("\\", "") + "'"
            alts.append(quoted + (":*" if prefix else ""))
        groups.append("(" + " | ".join(alts) + ")")
    return " & ".join(groups)


_TRACK_BODY = " || ' ' || ".join(
    f"search_tracks.{c}" for c in ("title", "artist", "album", "extra")
)
_NAME_BODY = "search_names.name || ' ' || search_names.extra"
_LINE_BODY = "search_lines.words"


_TRACK_DOC = (
    SearchTrack.track_id,
    SearchTrack.title,
    SearchTrack.artist,
    SearchTrack.album,
    SearchTrack.extra,
    SearchTrack.popularity,
    Track.owner_id,
)
NAMED_READ = 10
"""Whole-name matches read per one wanted, before the viewer's access is checked."""
_HIGHEST = "\U0010ffff"
"""Above every character: ``key < prefix + _HIGHEST`` ends a prefix range."""
_NAME_DOC = (SearchName.subject_id, SearchName.name, SearchName.extra, SearchName.popularity)
_LINE_DOC = (
    SearchLine.track_id,
    SearchLine.start_ms,
    SearchLine.line,
    SearchLine.words,
    Track.owner_id,
)
TrackDoc = Row[TrackId, str, str, str, str, int, UserId | None]
NameDoc = Row[str, str, str, int]
LineDoc = Row[TrackId, int | None, str, str, UserId | None]


MATCH_CAP = 5000
"""PostgreSQL reads at most this many matching documents per kind (before access and
ranking): a one-word prefix matching half the library costs no more than this."""
KEY_CAP = 2000
"""Likewise for the short-prefix path: the most popular names with that first letter."""


class SearchRepository:
    """Documents come back as plain rows (no ORM objects: hundreds are read per query)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.postgres = session.get_bind().dialect.name == "postgresql"

    def _matched(self, q: _S, name: str, body: str, terms: Sequence[Term]) -> _S:
        """``q`` narrowed to documents of table ``name`` matching every term.

        SQLite: the FTS5 table drives the join, newest row first, so LIMIT stops the
        walk early however common the words are. PostgreSQL: the GIN index on the same
        folded text, read first (a materialized CTE, so the planner cannot start from
        the viewer's tracks instead) and at most ``MATCH_CAP`` rows of it.
        """
        doc_id: ColumnClause[int] = column("id", _selectable=table(name))
        if self.postgres:
            matches = (
                select(column("id"))
                .select_from(table(name))
                .where(
                    text(
                        f"to_tsvector('simple'::regconfig, {body})"
                        " @@ to_tsquery('simple'::regconfig, :q)"
                    ).bindparams(q=_tsquery(terms))
                )
                .limit(MATCH_CAP)
                .cte(f"{name}_matches")
                .prefix_with("MATERIALIZED")
            )
            return q.join(matches, matches.c.id == doc_id)
        fts = table(f"{name}_fts", column("rowid"))
        return (
            q.join(fts, fts.c.rowid == doc_id)
            .where(text(f"{name}_fts MATCH :q").bindparams(q=_fts5(terms)))
            .order_by(fts.c.rowid.desc())
        )

    # -- tracks ----------------------------------------------------------------------

    def tracks(
        self, terms: Sequence[Term], visible: ColumnElement[bool], limit: int
    ) -> Sequence[TrackDoc]:
        """Track documents matching every term (across title, artist, album, genre)."""
        q = (
            select(*_TRACK_DOC)
            .join(Track, Track.id == SearchTrack.track_id)
            .where(visible)
            .limit(limit)
        )
        return self.session.execute(self._matched(q, "search_tracks", _TRACK_BODY, terms)).all()

    def tracks_by_key(
        self, key: str, visible: ColumnElement[bool], limit: int
    ) -> Sequence[TrackDoc]:
        """Tracks whose title starts with a one- or two-letter ``key``, most popular first."""
        column_ = SearchTrack.key1 if len(key) == 1 else SearchTrack.key2
        q = (
            select(*_TRACK_DOC)
            .join(Track, Track.id == SearchTrack.track_id)
            .where(column_ == key, visible)
            .order_by(SearchTrack.popularity.desc(), SearchTrack.id.desc())
            .limit(limit)
        )
        if self.postgres:
            top = self._top(SearchTrack, column_ == key)
            q = q.join(top, top.c.id == SearchTrack.id)
        return self.session.execute(q).all()

    def tracks_named(
        self, key: str, visible: ColumnElement[bool], limit: int
    ) -> Sequence[TrackDoc]:
        """Tracks whose whole title starts with ``key`` (a name key), shortest first: the
        exact title and its continuations, whatever the full-text walk's cap leaves out."""
        # The key range is read first, bounded (a subquery with LIMIT is never
        # flattened on SQLite; MATERIALIZED on PostgreSQL): left to themselves both
        # planners start from the viewer's tracks, every public one (seconds at 1M).
        first = (
            select(SearchTrack.id)
            .where(SearchTrack.key >= key, SearchTrack.key < key + _HIGHEST)
            .order_by(SearchTrack.key)
            .limit(limit * NAMED_READ)
            .cte("named_tracks")
        )
        if self.postgres:
            first = first.prefix_with("MATERIALIZED")
        q = (
            select(*_TRACK_DOC)
            .join(first, first.c.id == SearchTrack.id)
            .join(Track, Track.id == SearchTrack.track_id)
            .where(visible)
            .order_by(SearchTrack.key)
            .limit(limit)
        )
        return self.session.execute(q).all()

    def _top(self, model: type[SearchTrack | SearchName], cond: ColumnElement[bool]) -> Any:
        """PostgreSQL: the ``KEY_CAP`` most popular documents under ``cond``, read from
        their index first whatever the planner thinks of the viewer's tracks."""
        return (
            select(model.id)
            .where(cond)
            .order_by(model.popularity.desc(), model.id.desc())
            .limit(KEY_CAP)
            .cte(f"{model.__tablename__}_top")
            .prefix_with("MATERIALIZED")
        )

    # -- albums, artists, playlists ------------------------------------------------------

    def names(
        self, kind: str, terms: Sequence[Term], visible: ColumnElement[bool], limit: int
    ) -> Sequence[NameDoc]:
        q = select(*_NAME_DOC).where(SearchName.kind == kind, visible).limit(limit)
        return self.session.execute(self._matched(q, "search_names", _NAME_BODY, terms)).all()

    def names_named(
        self, kind: str, key: str, visible: ColumnElement[bool], limit: int
    ) -> Sequence[NameDoc]:
        """Like ``tracks_named``, for albums, artists or playlists."""
        first = (
            select(SearchName.id)
            .where(
                SearchName.kind == kind,
                SearchName.key >= key,
                SearchName.key < key + _HIGHEST,
            )
            .order_by(SearchName.key)
            .limit(limit * NAMED_READ)
            .cte("named_names")
        )
        if self.postgres:
            first = first.prefix_with("MATERIALIZED")
        q = (
            select(*_NAME_DOC)
            .join(first, first.c.id == SearchName.id)
            .where(visible)
            .order_by(SearchName.key)
            .limit(limit)
        )
        return self.session.execute(q).all()

    def names_by_key(
        self, kind: str, key: str, visible: ColumnElement[bool], limit: int
    ) -> Sequence[NameDoc]:
        column_ = SearchName.key1 if len(key) == 1 else SearchName.key2
        q = (
            select(*_NAME_DOC)
            .where(column_ == key, SearchName.kind == kind, visible)
            .order_by(SearchName.popularity.desc(), SearchName.id.desc())
            .limit(limit)
        )
        if self.postgres:
            top = self._top(SearchName, and_(column_ == key, SearchName.kind == kind))
            q = q.join(top, top.c.id == SearchName.id)
        return self.session.execute(q).all()

    # -- lyrics ----------------------------------------------------------------------

    def lines(
        self, terms: Sequence[Term], visible: ColumnElement[bool], limit: int
    ) -> Sequence[LineDoc]:
        q = (
            select(*_LINE_DOC)
            .join(Track, Track.id == SearchLine.track_id)
            .where(visible)
            .limit(limit)
        )
        return self.session.execute(self._matched(q, "search_lines", _LINE_BODY, terms)).all()

    # -- vocabulary ------------------------------------------------------------------

    def known(self, word: str, *, prefix: bool) -> bool:
        """Whether ``word`` (or, for a prefix, any word starting with it) is a name word."""
        if prefix:
            cond = and_(SearchWord.word >= word, SearchWord.word < word + "\U0010ffff")
        else:
            cond = SearchWord.word == word
        return self.session.scalar(select(SearchWord.id).where(cond).limit(1)) is not None

    def near(self, word: str, edits: int, limit: int) -> list[tuple[str, int]]:
        """Words sharing trigrams with ``word`` (both ends padded), most alike first,
        of a length within ``edits`` of it."""
        lengths = and_(
            func.length(SearchWord.word) >= len(word) - edits,
            func.length(SearchWord.word) <= len(word) + edits,
        )
        if self.postgres:
            # The threshold is for this transaction only: short words share few trigrams
            # ("hone" and "home": 2 of 8), so the default 0.3 would miss one-letter typos.
            self.session.execute(
                text("SELECT set_config('pg_trgm.similarity_threshold', '0.15', true)")
            )
            rows = self.session.execute(
                select(SearchWord.word, SearchWord.freq)
                .where(SearchWord.word.op("%")(word), lengths)
                .order_by(func.similarity(SearchWord.word, word).desc())
                .limit(limit)
            ).all()
            return [(w, int(f)) for w, f in rows]
        padded = f"^{word}$"
        grams = sorted({padded[i : i + 3] for i in range(len(padded) - 2)})
        match = " OR ".join(f'"{g}"' for g in grams if '"' not in g)
        if not match:
            return []
        rows = self.session.execute(
            text(
                "SELECT w.word, w.freq FROM search_words_tri t"
                " JOIN search_words w ON w.id = t.rowid"
                " WHERE search_words_tri MATCH :m AND length(w.word) BETWEEN :lo AND :hi"
                " ORDER BY t.rank LIMIT :n"
            ),
            {"m": match, "n": limit, "lo": len(word) - edits, "hi": len(word) + edits},
        ).all()
        return [(w, int(f)) for w, f in rows]
