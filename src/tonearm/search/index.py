"""Writing the search index: one change at a time (``SearchIndexer``) or all of it
(``Rebuild``, driven by ``tonearm search reindex``).

Documents hold the folded text of ``normalize.py`` and nothing about access; see
``models/search.py``. The SQLite full-text tables follow the rows through triggers
(migration 0007), PostgreSQL's GIN indexes follow them by themselves.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, cast

from sqlalchemy import Table, bindparam, delete, func, insert, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from tonearm.db.unit_of_work import UnitOfWorkFactory
from tonearm.media.lyrics import parse_lyrics
from tonearm.models import (
    Album,
    Artist,
    Like,
    LikeKind,
    Playlist,
    SearchLine,
    SearchName,
    SearchTrack,
    SearchWord,
    Track,
    TrackPlays,
)
from tonearm.search import normalize
from tonearm.types import PlaylistId, TrackId

MAX_LINES = 500
"""Lyric lines indexed per track (``parse_lyrics`` already caps the text)."""
WORD_MIN, WORD_MAX = 3, 100
"""Words kept for typo correction: shorter ones are never corrected (see ``service.py``)."""
_CHUNK = 500
_FTS_TABLES = ("search_tracks_fts", "search_names_fts", "search_lines_fts", "search_words_tri")

_TRACK_COLUMNS = (
    Track.id,
    Track.title,
    Track.artist,
    Track.album_artist,
    Track.album,
    Track.genre,
    Track.lyrics,
    Track.artist_id,
    Track.album_id,
)


def _table(model: type[Any]) -> Table:
    """The Core table: bulk inserts skip the ORM's per-row work (a rebuild writes
    millions of rows)."""
    return cast(Table, model.__table__)


def keys(name: str | None) -> tuple[str, str, str]:
    """A name's key, its first letter and its first two letters (the short-prefix path)."""
    key = normalize.name_key(name)
    return key, key[:1], key[:2]


def vocabulary(*fields: str) -> set[str]:
    """Words of indexed fields worth correcting a typo towards."""
    out: set[str] = set()
    for value in fields:
        for word in normalize.words_of(value)[0]:
            if WORD_MIN <= len(word) <= WORD_MAX and not normalize.is_dense(word):
                out.add(word)
    return out


def track_doc(row: Any, popularity: int) -> dict[str, Any]:
    key, key1, key2 = keys(row.title)
    return {
        "track_id": row.id,
        "title": normalize.text(row.title),
        "artist": normalize.text(row.artist, row.album_artist),
        "album": normalize.text(row.album),
        "extra": normalize.text(row.genre),
        "key": key,
        "key1": key1,
        "key2": key2,
        "popularity": popularity,
    }


def line_docs(track_id: str, lyrics: str | None) -> list[dict[str, Any]]:
    out = []
    for line in parse_lyrics(lyrics).lines[:MAX_LINES]:
        words = normalize.text(line.text)
        if words:
            out.append(
                {
                    "track_id": track_id,
                    "start_ms": line.start_ms,
                    "line": line.text[:500],
                    "words": words,
                }
            )
    return out


LIKE_WEIGHT = 5
"""A like says more than a play: popularity = plays + 5 times likes (then log-scaled in
``ranking.py``)."""


def popularity_of(session: Session, kind: LikeKind, ids: Collection[str]) -> dict[str, int]:
    """Popularity: counted plays (all time) plus weighted likes. An album's or artist's
    plays are its tracks' (``track_plays``); a playlist has likes only."""
    if not ids:
        return {}
    chosen = list(ids)
    out: dict[str, int] = {}
    rows = session.execute(
        select(Like.subject_id, func.count())
        .where(Like.kind == kind, Like.subject_id.in_(chosen))
        .group_by(Like.subject_id)
    )
    for subject, n in rows:
        out[subject] = LIKE_WEIGHT * int(n)
    column = {
        LikeKind.TRACK: Track.id,
        LikeKind.ALBUM: Track.album_id,
        LikeKind.ARTIST: Track.artist_id,
    }.get(kind)
    if column is not None:
        plays = session.execute(
            select(column, func.sum(TrackPlays.plays))
            .join(TrackPlays, TrackPlays.track_id == Track.id)
            .where(column.in_(chosen))
            .group_by(column)
        )
        for owner, n in plays:
            key = str(owner)
            out[key] = out.get(key, 0) + int(n or 0)
    return out


def _insert(session: Session, table: Any) -> Any:
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


def _chunks(items: Sequence[str], size: int = _CHUNK) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def add_words(session: Session, words: Collection[str]) -> None:
    """New words join the vocabulary (frequency 1; ``Rebuild`` counts them exactly)."""
    if not words:
        return
    rows = [{"word": w, "padded": f"^{w}$", "freq": 1} for w in sorted(words)]
    stmt = _insert(session, SearchWord).on_conflict_do_nothing(index_elements=["word"])
    session.execute(stmt, rows)


class SearchIndexer:
    """The library's ``SearchIndex`` (``library/indexing.py``), in SQL."""

    def tracks_changed(self, session: Session, track_ids: Collection[TrackId]) -> None:
        ids = list(dict.fromkeys(track_ids))
        artists: set[str] = set()
        albums: set[str] = set()
        for chunk in _chunks(ids):
            rows = session.execute(select(*_TRACK_COLUMNS).where(Track.id.in_(chunk))).all()
            likes = popularity_of(session, LikeKind.TRACK, chunk)
            docs = [track_doc(r, likes.get(r.id, 0)) for r in rows]
            if docs:
                stmt = _insert(session, SearchTrack)
                update = {k: stmt.excluded[k] for k in docs[0] if k != "track_id"}
                session.execute(
                    stmt.on_conflict_do_update(index_elements=["track_id"], set_=update), docs
                )
            session.execute(delete(SearchLine).where(SearchLine.track_id.in_(chunk)))
            lines = [line for r in rows for line in line_docs(r.id, r.lyrics)]
            if lines:
                session.execute(insert(_table(SearchLine)), lines)
            words: set[str] = set()
            for d in docs:
                words |= vocabulary(d["title"], d["artist"], d["album"], d["extra"])
            add_words(session, words)
            artists |= {r.artist_id for r in rows if r.artist_id}
            albums |= {r.album_id for r in rows if r.album_id}
        self.catalog_changed(session, artists, albums)

    def plays_changed(self, session: Session, track_ids: Collection[TrackId]) -> None:
        """New counted plays: only the popularity of these tracks, their albums and
        artists moves (the text, and so the full-text tables, stay as they are)."""
        for chunk in _chunks(sorted(set(track_ids))):
            rows = session.execute(
                select(Track.id, Track.album_id, Track.artist_id).where(Track.id.in_(chunk))
            ).all()
            self._set_popularity(session, None, LikeKind.TRACK, [r.id for r in rows])
            albums = sorted({r.album_id for r in rows if r.album_id})
            artists = sorted({r.artist_id for r in rows if r.artist_id})
            self._set_popularity(session, "album", LikeKind.ALBUM, albums)
            self._set_popularity(session, "artist", LikeKind.ARTIST, artists)

    @staticmethod
    def _set_popularity(
        session: Session, name_kind: str | None, kind: LikeKind, ids: Sequence[str]
    ) -> None:
        if not ids:
            return
        found = popularity_of(session, kind, ids)
        rows = [{"subject": i, "popularity": found.get(i, 0)} for i in ids]
        # One statement for the batch (executemany), not one per subject.
        if name_kind is None:
            table = _table(SearchTrack)
            where = table.c.track_id == bindparam("subject")
        else:
            table = _table(SearchName)
            where = (table.c.kind == name_kind) & (table.c.subject_id == bindparam("subject"))
        stmt = table.update().where(where).values(popularity=bindparam("popularity"))
        session.connection().execute(stmt, rows)

    def tracks_removed(self, session: Session, track_ids: Collection[TrackId]) -> None:
        for chunk in _chunks(list(track_ids)):
            session.execute(delete(SearchTrack).where(SearchTrack.track_id.in_(chunk)))
            session.execute(delete(SearchLine).where(SearchLine.track_id.in_(chunk)))

    def catalog_changed(
        self, session: Session, artist_ids: Collection[str], album_ids: Collection[str]
    ) -> None:
        session.flush()
        album_list = sorted(set(album_ids))
        rows: Sequence[Any]
        artist_set = set(artist_ids)
        docs: list[dict[str, Any]] = []
        for chunk in _chunks(album_list):
            rows = session.execute(
                select(Album.id, Album.title, Album.artist_id, Artist.name)
                .join(Artist, Artist.id == Album.artist_id)
                .where(Album.id.in_(chunk))
            ).all()
            likes = popularity_of(session, LikeKind.ALBUM, chunk)
            docs += [album_doc(r.id, r.title, r.name, likes.get(r.id, 0)) for r in rows]
            artist_set |= {r.artist_id for r in rows}
            self._drop_missing(session, "album", chunk, {r.id for r in rows})
        artist_list = sorted(artist_set)
        for chunk in _chunks(artist_list):
            rows = session.execute(select(Artist.id, Artist.name).where(Artist.id.in_(chunk))).all()
            likes = popularity_of(session, LikeKind.ARTIST, chunk)
            docs += [artist_doc(r.id, r.name, likes.get(r.id, 0)) for r in rows]
            self._drop_missing(session, "artist", chunk, {r.id for r in rows})
        self._upsert_names(session, docs)

    def playlist_changed(self, session: Session, playlist_id: PlaylistId) -> None:
        row = session.execute(
            select(Playlist.id, Playlist.name, Playlist.description).where(
                Playlist.id == playlist_id
            )
        ).first()
        if row is None:
            self.playlist_removed(session, playlist_id)
            return
        likes = popularity_of(session, LikeKind.PLAYLIST, [row.id])
        self._upsert_names(
            session, [playlist_doc(row.id, row.name, row.description, likes.get(row.id, 0))]
        )

    def playlist_removed(self, session: Session, playlist_id: PlaylistId) -> None:
        session.execute(
            delete(SearchName).where(
                SearchName.kind == "playlist", SearchName.subject_id == playlist_id
            )
        )

    @staticmethod
    def _drop_missing(session: Session, kind: str, asked: Sequence[str], found: set[str]) -> None:
        gone = [i for i in asked if i not in found]
        if gone:
            session.execute(
                delete(SearchName).where(SearchName.kind == kind, SearchName.subject_id.in_(gone))
            )

    @staticmethod
    def _upsert_names(session: Session, docs: list[dict[str, Any]]) -> None:
        if not docs:
            return
        stmt = _insert(session, SearchName)
        update = {k: stmt.excluded[k] for k in docs[0] if k not in ("kind", "subject_id")}
        session.execute(
            stmt.on_conflict_do_update(index_elements=["kind", "subject_id"], set_=update), docs
        )
        words: set[str] = set()
        for d in docs:
            if d["kind"] != "playlist":  # descriptions are prose, not names
                words |= vocabulary(d["name"])
        add_words(session, words)


def _name_doc(kind: str, subject: str, name: str, extra: str, popularity: int) -> dict[str, Any]:
    key, key1, key2 = keys(name)
    return {
        "kind": kind,
        "subject_id": subject,
        "name": normalize.text(name),
        "extra": extra,
        "key": key,
        "key1": key1,
        "key2": key2,
        "popularity": popularity,
    }


def album_doc(album_id: str, title: str, artist: str, popularity: int) -> dict[str, Any]:
    return _name_doc("album", album_id, title, normalize.text(artist), popularity)


def artist_doc(artist_id: str, name: str, popularity: int) -> dict[str, Any]:
    return _name_doc("artist", artist_id, name, "", popularity)


def playlist_doc(
    playlist_id: str, name: str, description: str | None, popularity: int
) -> dict[str, Any]:
    extra = normalize.text((description or "")[:2000])
    return _name_doc("playlist", playlist_id, name, extra, popularity)


@dataclass
class Rebuild:
    """The whole index again, in batches the caller commits (bounded memory: one batch
    of rows, plus the vocabulary's counts).

    ``clear`` once, ``tracks`` until it returns no rows, ``names`` until it returns
    none, then ``finish``.
    """

    batch: int = 2000
    words: Counter[str] = field(default_factory=Counter)

    def clear(self, session: Session) -> None:
        for table in (SearchLine, SearchTrack, SearchName, SearchWord):
            session.execute(delete(table))

    def tracks(self, session: Session, after: str) -> tuple[str | None, int]:
        """Index the next batch of tracks with ids above ``after``: (last id, how many)."""
        rows = session.execute(
            select(*_TRACK_COLUMNS).where(Track.id > after).order_by(Track.id).limit(self.batch)
        ).all()
        if not rows:
            return None, 0
        likes = popularity_of(session, LikeKind.TRACK, [r.id for r in rows])
        docs = [track_doc(r, likes.get(r.id, 0)) for r in rows]
        session.execute(insert(_table(SearchTrack)), docs)
        lines = [line for r in rows for line in line_docs(r.id, r.lyrics)]
        if lines:
            session.execute(insert(_table(SearchLine)), lines)
        for d in docs:
            self.words.update(vocabulary(d["title"], d["artist"], d["album"], d["extra"]))
        return rows[-1].id, len(rows)

    def names(self, session: Session, kind: str, after: str) -> tuple[str | None, int]:
        """The next batch of albums, artists or playlists (``kind``)."""
        docs: list[dict[str, Any]]
        rows: Sequence[Any]
        if kind == "album":
            rows = session.execute(
                select(Album.id, Album.title, Artist.name)
                .join(Artist, Artist.id == Album.artist_id)
                .where(Album.id > after)
                .order_by(Album.id)
                .limit(self.batch)
            ).all()
            likes = popularity_of(session, LikeKind.ALBUM, [r.id for r in rows])
            docs = [album_doc(r.id, r.title, r.name, likes.get(r.id, 0)) for r in rows]
        elif kind == "artist":
            rows = session.execute(
                select(Artist.id, Artist.name)
                .where(Artist.id > after)
                .order_by(Artist.id)
                .limit(self.batch)
            ).all()
            likes = popularity_of(session, LikeKind.ARTIST, [r.id for r in rows])
            docs = [artist_doc(r.id, r.name, likes.get(r.id, 0)) for r in rows]
        else:
            rows = session.execute(
                select(Playlist.id, Playlist.name, Playlist.description)
                .where(Playlist.id > after)
                .order_by(Playlist.id)
                .limit(self.batch)
            ).all()
            likes = popularity_of(session, LikeKind.PLAYLIST, [r.id for r in rows])
            docs = [playlist_doc(r.id, r.name, r.description, likes.get(r.id, 0)) for r in rows]
        if not rows:
            return None, 0
        session.execute(insert(_table(SearchName)), docs)
        for d in docs:
            if kind != "playlist":
                self.words.update(vocabulary(d["name"]))
        return str(rows[-1].id), len(rows)

    def finish(self, session: Session) -> None:
        """Write the vocabulary with its counts; let the engine settle its indexes."""
        items = sorted(self.words.items())
        for start in range(0, len(items), 5000):
            session.execute(
                insert(_table(SearchWord)),
                [
                    {"word": w, "padded": f"^{w}$", "freq": n}
                    for w, n in items[start : start + 5000]
                ],
            )
        self.words.clear()
        if session.get_bind().dialect.name == "sqlite":
            for table in _FTS_TABLES:
                optimize = f"INSERT INTO {table}({table}) VALUES ('optimize')"  # noqa: S608
                session.execute(text(optimize))
        else:
            for name in ("search_tracks", "search_names", "search_lines", "search_words"):
                session.execute(text(f"ANALYZE {name}"))


class Progress(Protocol):
    def __call__(self, stage: str, done: int, total: int) -> None: ...


def rebuild(uows: UnitOfWorkFactory, progress: Progress, *, batch: int = 2000) -> int:
    """Rebuild the whole index, one committed transaction per batch (a search during
    the rebuild sees a partial index, never an error). Returns the tracks indexed."""
    job = Rebuild(batch=batch)
    with uows() as uow:
        totals = {
            "tracks": uow.session.scalar(select(func.count()).select_from(Track)) or 0,
            "album": uow.session.scalar(select(func.count()).select_from(Album)) or 0,
            "artist": uow.session.scalar(select(func.count()).select_from(Artist)) or 0,
            "playlist": uow.session.scalar(select(func.count()).select_from(Playlist)) or 0,
        }
        job.clear(uow.session)
    done = 0
    after: str | None = ""
    progress("tracks", 0, totals["tracks"])
    while after is not None:
        with uows() as uow:
            after, n = job.tracks(uow.session, after)
        done += n
        progress("tracks", done, totals["tracks"])
    for kind in ("album", "artist", "playlist"):
        count = 0
        after = ""
        progress(kind + "s", 0, totals[kind])
        while after is not None:
            with uows() as uow:
                after, n = job.names(uow.session, kind, after)
            count += n
            progress(kind + "s", count, totals[kind])
    with uows() as uow:
        job.finish(uow.session)
    return done
