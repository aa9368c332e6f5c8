"""Search: from what a person typed to ranked tracks, albums, artists, playlists and
lyric lines they may see.

1. The query is folded like the index (``normalize.py``), cut to 200 characters and 12
   words; control characters and anything that is not a letter or digit are gone, so
   no input is full-text syntax.
2. Each word of 4 letters or more that no name holds (for the last word: that no name
   word begins with) gets corrections: words of the vocabulary sharing trigrams with
   it (``repository.near``) within one edit (4-7 letters) or two (8 and more),
   Damerau-Levenshtein, most frequent first. A word stands for itself or a correction.
3. Candidates: for a lone one- or two-letter word, the most popular names starting with
   it (an index already in that order); otherwise the documents holding every word
   (the last as a prefix), at most ``CANDIDATES`` per kind, each with the viewer's
   access in the same statement, plus the ``NAMED`` names whose whole key starts with
   the whole query (the exact name first), which the capped walk may not reach.
4. ``ranking.score`` orders them; the best of all kinds is ``top``.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from sqlalchemy import ColumnElement, exists, false, or_, select
from sqlalchemy.orm import Session

from tonearm.accounts.principal import Viewer
from tonearm.errors import BadRequest, Unauthenticated
from tonearm.library.browse import CatalogService
from tonearm.library.service import LibraryService
from tonearm.models import Album, Artist, Playlist, SearchName, Track
from tonearm.playlists.repository import PlaylistRepository
from tonearm.playlists.service import PlaylistService
from tonearm.search import normalize, ranking, schemas
from tonearm.search.repository import SearchRepository, Term
from tonearm.types import TrackId

KINDS: tuple[schemas.Kind, ...] = ("tracks", "albums", "artists", "playlists", "lyrics")
CANDIDATES = 150
"""Documents read per kind before ranking: enough that the best of a few thousand
matches is among them when names are specific; a one-word prefix typed early reads
the most popular names instead (step 3)."""
SHORT_PREFIX = 2
NAMED = 20
"""Names starting with the whole query read per kind, besides the full-text candidates."""
_NAMED: tuple[tuple[str, schemas.TopKind], ...] = (
    ("albums", "album"),
    ("artists", "artist"),
    ("playlists", "playlist"),
)
MIN_CORRECTED = 4
NEAR_WORDS = 150


_D = TypeVar("_D")


def _unique(docs: list[_D], key: Callable[[_D], str]) -> list[_D]:
    """``docs`` without repeats, first seen kept."""
    seen: set[str] = set()
    out = []
    for doc in docs:
        if key(doc) not in seen:
            seen.add(key(doc))
            out.append(doc)
    return out


def kinds_of(types: str) -> list[str]:
    """``"tracks,albums"`` -> the kinds asked for; an unknown one is a clear 400."""
    asked = [t.strip() for t in types.split(",") if t.strip()]
    unknown = [t for t in asked if t not in KINDS]
    if unknown:
        raise BadRequest(f"Unknown type {unknown[0]!r}: use any of {', '.join(KINDS)}.")
    return asked


def edits(a: str, b: str, limit: int) -> int:
    """Damerau-Levenshtein distance (optimal string alignment: adjacent swaps count
    one), or ``limit + 1`` once it is certain to exceed ``limit``.

    The common beginning and end are dropped first (they cost nothing), so comparing a
    typo with its word is usually a table of two or three letters a side."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    start = 0
    while start < len(a) and start < len(b) and a[start] == b[start]:
        start += 1
    end = 0
    while end < len(a) - start and end < len(b) - start and a[-1 - end] == b[-1 - end]:
        end += 1
    a, b = a[start : len(a) - end], b[start : len(b) - end]
    if not a or not b:
        return min(len(a) + len(b), limit + 1)
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return min(prev[-1], limit + 1)


def allowed_edits(word: str) -> int:
    return 0 if len(word) < MIN_CORRECTED else 1 if len(word) <= 7 else 2


def clean(q: str) -> str:
    """The query without control or format characters (bidi marks, NUL), cut short."""
    q = q[: normalize.MAX_QUERY_CHARS * 2]
    kept = (" " if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") else c for c in q)
    return "".join(kept)[: normalize.MAX_QUERY_CHARS]


@dataclass
class _Hit:
    kind: schemas.TopKind
    id: str
    score: float
    fields: list[str]
    line: str | None = None
    start_ms: int | None = None


@dataclass
class _Results:
    terms: list[Term]
    hits: dict[str, list[_Hit]] = field(default_factory=dict)


class SearchService:
    def __init__(
        self, library: LibraryService, catalog: CatalogService, playlists: PlaylistService
    ) -> None:
        self._library = library
        self._catalog = catalog
        self._playlists = playlists
        self.access = library.access

    # -- the query ---------------------------------------------------------------------

    def parse(self, session: Session, q: str) -> list[Term]:
        """The query's words with their corrections (step 1 and 2)."""
        text = clean(q)
        words = list(dict.fromkeys(normalize.tokens(text, query=True)))
        words = [w for w in words if len(w) <= 100][: normalize.MAX_QUERY_TOKENS]
        typing = bool(text) and not text[-1].isspace()
        repo = SearchRepository(session)
        terms = []
        for i, word in enumerate(words):
            dense = normalize.is_dense(word)
            prefix = typing and i == len(words) - 1 and not dense
            corrections: tuple[str, ...] = ()
            if not dense and allowed_edits(word) and not repo.known(word, prefix=prefix):
                corrections = self._corrections(repo, word)
            terms.append(Term(word, prefix, corrections))
        return terms

    @staticmethod
    def _corrections(repo: SearchRepository, word: str) -> tuple[str, ...]:
        limit = allowed_edits(word)
        found = []
        for candidate, freq in repo.near(word, limit, NEAR_WORDS):
            d = edits(word, candidate, limit)
            if 0 < d <= limit:
                found.append((d, -freq, candidate))
        return tuple(c for _, _, c in sorted(found)[:3])

    # -- who may see what ----------------------------------------------------------------

    def _visible_tracks(self, viewer: Viewer) -> ColumnElement[bool]:
        # As artists and albums are listed: public and own tracks, less those held back
        # as fresh uploads (their tags must not show yet). Unlisted ones are reached by
        # link only, never found.
        return self.access.cataloged(viewer)

    def _visible_names(self, session: Session, viewer: Viewer, kind: str) -> ColumnElement[bool]:
        shown = self.access.cataloged(viewer)
        subject = SearchName.subject_id
        if kind == "album":
            return exists().where(Track.album_id == subject, shown)
        if kind == "artist":
            via_album = (
                select(Track.id)
                .join(Album, Album.id == Track.album_id)
                .where(Album.artist_id == subject, shown)
            )
            return or_(exists().where(Track.artist_id == subject, shown), via_album.exists())
        if not viewer.signed_in and not self.access.anonymous_listening:
            return false()
        listed = PlaylistRepository(session).listed(viewer.user_id, mine=False)
        return subject.in_(select(Playlist.id).where(listed))

    # -- searching -------------------------------------------------------------------------

    def _find(
        self, session: Session, viewer: Viewer, q: str, kinds: Sequence[str], limit: int
    ) -> _Results:
        terms = self.parse(session, q)
        out = _Results(terms)
        if not terms:
            return out
        repo = SearchRepository(session)
        short = (
            len(terms) == 1
            and terms[0].prefix
            and len(terms[0].word) <= SHORT_PREFIX
            and not terms[0].corrections
        )
        key = terms[0].word
        # The whole query as a name key: the exact name and names continuing it are
        # always candidates, however many newer documents the full-text walk reads first.
        named = normalize.name_key(clean(q))
        if "tracks" in kinds:
            visible = self._visible_tracks(viewer)
            rows = (
                repo.tracks_by_key(key, visible, limit)
                if short
                else _unique(
                    [
                        *repo.tracks_named(named, visible, NAMED),
                        *repo.tracks(terms, visible, CANDIDATES),
                    ],
                    lambda doc: doc.track_id,
                )
            )
            out.hits["tracks"] = self._rank(
                [
                    _Hit(
                        "track",
                        doc.track_id,
                        ranking.score(
                            terms,
                            [
                                (doc.title, ranking.TITLE),
                                (doc.artist, ranking.ARTIST),
                                (doc.album, ranking.ALBUM),
                                (doc.extra, ranking.EXTRA),
                            ],
                            popularity=doc.popularity,
                            own=doc.owner_id is not None and doc.owner_id == viewer.user_id,
                        ),
                        [doc.title, doc.artist, doc.album, doc.extra],
                    )
                    for doc in rows
                ],
                limit,
                keep_order=short,
            )
        for kind, name in _NAMED:
            if kind not in kinds:
                continue
            visible = self._visible_names(session, viewer, name)
            docs = (
                repo.names_by_key(name, key, visible, limit)
                if short
                else _unique(
                    [
                        *repo.names_named(name, named, visible, NAMED),
                        *repo.names(name, terms, visible, CANDIDATES),
                    ],
                    lambda doc: doc.subject_id,
                )
            )
            extra_weight = ranking.ARTIST if name == "album" else ranking.EXTRA
            out.hits[kind] = self._rank(
                [
                    _Hit(
                        name,
                        d.subject_id,
                        ranking.score(
                            terms,
                            [(d.name, ranking.TITLE), (d.extra, extra_weight)],
                            popularity=d.popularity,
                        ),
                        [d.name, d.extra],
                    )
                    for d in docs
                ],
                limit,
                keep_order=short,
            )
        if "lyrics" in kinds and not short:
            out.hits["lyrics"] = self._lyrics(repo, viewer, terms, limit)
        return out

    def _lyrics(
        self, repo: SearchRepository, viewer: Viewer, terms: list[Term], limit: int
    ) -> list[_Hit]:
        rows = repo.lines(terms, self._visible_tracks(viewer), CANDIDATES)
        hits = []
        for doc in rows:
            value = ranking.score(
                terms,
                [(doc.words, ranking.LYRICS)],
                own=doc.owner_id is not None and doc.owner_id == viewer.user_id,
            )
            if ranking.contiguous(terms, normalize.words_of(doc.words)[0]):
                value += 0.2
            hits.append(_Hit("lyrics", doc.track_id, value, [doc.words], doc.line, doc.start_ms))
        best: dict[str, _Hit] = {}
        for h in sorted(hits, key=lambda h: (-h.score, h.start_ms or 0)):
            best.setdefault(h.id, h)  # one line per track: its best
        return self._rank(list(best.values()), limit)

    @staticmethod
    def _rank(hits: list[_Hit], limit: int, *, keep_order: bool = False) -> list[_Hit]:
        """The best ``limit`` hits; ``keep_order`` keeps the candidates' order (the
        short-prefix path reads them most popular first, which is the ranking there)."""
        hits = [h for h in hits if h.score > 0]
        if not keep_order:
            hits.sort(key=lambda h: (-h.score, h.id))
        return hits[:limit]

    def tracks(self, session: Session, viewer: Viewer, q: str, limit: int) -> list[TrackId]:
        """Ranked ids of tracks ``viewer`` may see (Subsonic's ``search3`` reuses this)."""
        found = self._find(session, viewer, q, ("tracks",), max(1, min(limit, 500)))
        return [TrackId(h.id) for h in found.hits.get("tracks", [])]

    def search(
        self, session: Session, viewer: Viewer, q: str, kinds: Sequence[str], limit: int
    ) -> schemas.SearchOut:
        if not viewer.signed_in and not self.access.anonymous_listening:
            raise Unauthenticated("Sign in to search the library.")
        found = self._find(session, viewer, q, kinds, limit)
        hits = found.hits
        everything = [h for kind in KINDS for h in hits.get(kind, [])]
        top = max(everything, key=lambda h: h.score, default=None)
        track_ids = [h.id for h in hits.get("tracks", [])]
        lines = hits.get("lyrics", [])
        described = {
            t.id: t
            for t in self._describe_tracks(
                session, viewer, list(dict.fromkeys(track_ids + [h.id for h in lines]))
            )
        }
        return schemas.SearchOut(
            query=q[: normalize.MAX_QUERY_CHARS],
            corrected=_corrected(found.terms, top),
            top=schemas.TopOut(kind=top.kind, id=top.id) if top else None,
            tracks=[described[i] for i in track_ids if i in described],
            albums=self._describe_albums(session, viewer, [h.id for h in hits.get("albums", [])]),
            artists=self._describe_artists(
                session, viewer, [h.id for h in hits.get("artists", [])]
            ),
            playlists=self._playlists.describe_listed(
                session,
                viewer,
                _ordered(session, Playlist, [h.id for h in hits.get("playlists", [])]),
            ),
            lyrics=[
                schemas.LyricHitOut(track=described[h.id], line=h.line or "", start_ms=h.start_ms)
                for h in lines
                if h.id in described
            ],
        )

    # -- describing --------------------------------------------------------------------

    def _describe_tracks(
        self, session: Session, viewer: Viewer, ids: list[str]
    ) -> list[schemas.TrackOut]:
        return self._library.describe(session, viewer, _ordered(session, Track, ids))

    def _describe_albums(
        self, session: Session, viewer: Viewer, ids: list[str]
    ) -> list[schemas.AlbumOut]:
        return self._catalog.describe_albums(session, viewer, _ordered(session, Album, ids))

    def _describe_artists(
        self, session: Session, viewer: Viewer, ids: list[str]
    ) -> list[schemas.ArtistOut]:
        return self._catalog.describe_artists(session, viewer, _ordered(session, Artist, ids))


_Row = TypeVar("_Row", Track, Album, Artist, Playlist)


def _ordered(session: Session, model: type[_Row], ids: list[str]) -> list[_Row]:
    if not ids:
        return []
    rows: dict[str, _Row] = {
        r.id: r for r in session.scalars(select(model).where(model.id.in_(ids)))
    }
    return [rows[i] for i in ids if i in rows]


def _corrected(terms: list[Term], top: _Hit | None) -> str | None:
    """The query as corrected, when the best result was found through a correction."""
    if top is None or not any(t.corrections for t in terms):
        return None
    held = {w for f in top.fields for part in normalize.words_of(f) for w in part}
    words = []
    used = False
    for t in terms:
        if t.word in held or (t.prefix and any(w.startswith(t.word) for w in held)):
            words.append(t.word)
            continue
        fix = next((c for c in t.corrections if c in held), None)
        used = used or fix is not None
        words.append(fix or t.word)
    return " ".join(words) if used else None
