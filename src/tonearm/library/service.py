"""Tracks: adding, reading, paging, deleting, and the tags that processing finds.

The library owns the ``tracks`` table: other domains add tracks and apply tags through
this service, never by writing the table themselves (so artists and albums can be
resolved here).
"""

from __future__ import annotations

import base64
import binascii
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import ColumnElement, and_, delete, exists, or_, select
from sqlalchemy.orm import Session

from tonearm.accounts.principal import Viewer
from tonearm.blobs.service import BlobService
from tonearm.db.unit_of_work import UnitOfWork
from tonearm.errors import BadRequest, NotFound, Unauthenticated
from tonearm.events import ChangeFeed
from tonearm.events.topics import track_event
from tonearm.library import schemas
from tonearm.library.access import TrackAccess
from tonearm.library.catalog import CatalogResolver, match_key
from tonearm.library.describe import TrackDescriber, masked
from tonearm.library.indexing import SearchIndex
from tonearm.library.links import MediaLinks
from tonearm.library.repository import TrackRepository
from tonearm.models import (
    Album,
    Blob,
    BlobStatus,
    Like,
    LikeKind,
    Track,
    TrackGenre,
    Visibility,
    utcnow,
)
from tonearm.types import BlobHash, ImageHash, TrackId, UserId


@dataclass(frozen=True)
class NewTrack:
    blob: Blob
    filename: str
    owner_id: UserId
    visibility: Visibility = Visibility.PRIVATE
    stored_now: bool = False
    """This upload stored the bytes (a new blob)."""
    lyrics: str | None = None
    """From a sidecar file the person put beside the audio: kept over the file's own
    lyrics tags, through reprocessing, as a hand edit is."""
    cover_image: ImageHash | None = None


class LibraryService:
    def __init__(
        self,
        blobs: BlobService,
        links: MediaLinks,
        access: TrackAccess,
        events: ChangeFeed | None = None,
        index: SearchIndex | None = None,
    ) -> None:
        self._blobs = blobs
        self.access = access
        self._describer = TrackDescriber(links, access)
        self._events = events
        self._index = index

    def add_track(self, uow: UnitOfWork, new: NewTrack) -> Track:
        """A track for an admitted blob; a blob already processed lends it its tags.

        ``deduplicated`` is set only when the owner already had these bytes: whether
        someone else stored them is never revealed.
        """
        blob = new.blob
        repo = TrackRepository(uow.session)
        track = Track(
            id=TrackId(secrets.token_hex(8)),
            blob_hash=blob.hash,
            owner_id=new.owner_id,
            visibility=new.visibility,
            filename=new.filename,
            title=Path(new.filename).stem or new.filename,
            tags_applied=False,
            deduplicated=repo.owns_blob(new.owner_id, blob.hash),
            lyrics=new.lyrics,
            edited=["lyrics"] if new.lyrics else [],
            cover_image=new.cover_image,
        )
        if blob.status != BlobStatus.FAILED and not track.deduplicated and not new.stored_now:
            # Someone else's upload stored (and maybe processed) this audio. Answering
            # "ready" (or "60 % encoded") now would tell the uploader that somebody here
            # has these exact bytes: the track shows as a fresh upload being processed,
            # for about as long as a fresh encode takes.
            track.reveal_at = utcnow() + timedelta(seconds=_encode_estimate(blob.duration))
        if blob.status == BlobStatus.READY:
            for name in _TAG_FIELDS:
                value = blob.tags.get(name)
                if value is not None and name not in track.edited:
                    setattr(track, name, value)
            track.tags_applied = True
        track.blob = blob
        repo.add(track)
        if track.tags_applied:
            CatalogResolver(uow.session).assign(track)
        if track.reveal_at is not None:
            # A fresh upload's row changes when its processing ends: so does this one's.
            track.updated_at = track.reveal_at
            uow.session.flush()
        self._announce(uow, track, "created")
        return track

    def track_of(self, session: Session, owner_id: UserId, blob_hash: BlobHash) -> TrackId | None:
        """The owner's (oldest) track of these bytes, if they have one."""
        return TrackRepository(session).owned_with_blob(owner_id, blob_hash)

    def apply_tags(self, uow: UnitOfWork, blob_hash: BlobHash, tags: dict[str, object]) -> int:
        """Give the tags read from a blob to its tracks, then link them to their artist
        and album. Fields an owner set by hand (``Track.edited``) are kept: reprocessing
        never undoes an edit; a tag the file lacks keeps the track's current value."""
        tracks = TrackRepository(uow.session).of_blob(blob_hash)
        resolver = CatalogResolver(uow.session)
        for track in tracks:
            before = (track.artist_id, track.album_id)
            for name in _TAG_FIELDS:
                value = tags.get(name)
                if value is not None and name not in track.edited:
                    setattr(track, name, value)
            track.tags_applied = True
            resolver.assign(track)
            self._prune(uow, resolver, [before[0]], [before[1]])
        return len(tracks)

    def visible(self, session: Session, viewer: Viewer, track_id: TrackId) -> Track:
        """The track if ``viewer`` may see it; ``NotFound`` otherwise (ids cannot be probed)."""
        return self.access.check_view(viewer, TrackRepository(session).get(track_id))

    def get(self, session: Session, viewer: Viewer, track_id: TrackId) -> schemas.TrackOut:
        return self.describe(session, viewer, [self.visible(session, viewer, track_id)])[0]

    def page(
        self,
        session: Session,
        viewer: Viewer,
        *,
        limit: int,
        cursor: str | None,
        mine: bool = False,
        query: TrackQuery | None = None,
    ) -> schemas.TrackPage:
        """Tracks ``viewer`` may list (their own and public ones), newest first unless
        ``query`` sorts them otherwise. The cursor walks the default order; other orders
        page by ``query.offset``."""
        if not viewer.signed_in and not self.access.anonymous_listening:
            raise Unauthenticated("Sign in to see the library.")
        query = query or TrackQuery()
        where = self.access.listed(viewer)
        if query.filtered:
            # Filters by artist, album or genre follow the catalog's rule (held-back
            # tracks do not belong to an album yet).
            where = self.access.cataloged(viewer)
        if mine:
            where = Track.owner_id == viewer.user_id
        where = and_(where, *self._filters(viewer, query))
        repo = TrackRepository(session)
        if query.sort == "added" and query.order == "desc":
            tracks = repo.newest(
                limit=limit + 1,
                where=where,
                before=_decode_cursor(cursor) if cursor else None,
                offset=0 if cursor else query.offset,
            )
            more = len(tracks) > limit
            tracks = list(tracks[:limit])
            next_cursor = _encode_cursor(tracks[-1]) if more and tracks else None
        else:
            if cursor:
                raise BadRequest("A cursor pages the newest-first order only; use offset.")
            tracks = list(
                repo.sorted(
                    where=where,
                    sort=query.sort,
                    descending=query.order == "desc",
                    offset=query.offset,
                    limit=limit,
                )
            )
            next_cursor = None
        return schemas.TrackPage(
            items=self.describe(session, viewer, tracks),
            next_cursor=next_cursor,
            total=repo.count(where),
        )

    def _filters(self, viewer: Viewer, query: TrackQuery) -> list[ColumnElement[bool]]:
        out: list[ColumnElement[bool]] = []
        if query.album_id:
            out.append(Track.album_id == query.album_id)
        if query.artist_id:
            owned = select(Album.id).where(Album.artist_id == query.artist_id)
            out.append(or_(Track.artist_id == query.artist_id, Track.album_id.in_(owned)))
        if query.genre:
            key = match_key(query.genre)
            out.append(exists().where(TrackGenre.track_id == Track.id, TrackGenre.genre_key == key))
        if query.liked:
            out.append(
                exists().where(
                    Like.user_id == viewer.user_id,
                    Like.kind == LikeKind.TRACK,
                    Like.subject_id == Track.id,
                )
            )
        return out

    def update(
        self, uow: UnitOfWork, viewer: Viewer, track_id: TrackId, change: schemas.TrackPatch
    ) -> Track:
        """Change a track's tags (recorded as hand-set) and visibility. Only the database
        changes: the uploaded file keeps its bytes."""
        track = self.access.check_edit(viewer, TrackRepository(uow.session).get(track_id))
        visibility_before = track.visibility
        resolver = CatalogResolver(uow.session)
        before = self._edit(resolver, track, change)
        self._prune(uow, resolver, [before[0]], [before[1]])
        self._announce(uow, track, "updated", visibility_before=visibility_before)
        return track

    def update_many(
        self, uow: UnitOfWork, viewer: Viewer, patch: schemas.BulkPatch
    ) -> list[TrackId]:
        """The same change on every track, or on none: one the viewer may not change
        is named in a ``NotFound`` and nothing is written."""
        ids = list(dict.fromkeys(TrackId(i) for i in patch.ids))
        found = {t.id: t for t in TrackRepository(uow.session).many(ids)}
        for track_id in ids:
            track = found.get(track_id)
            if track is None or not (
                self.access.can_view(viewer, track) and self.access.can_edit(viewer, track)
            ):
                raise NotFound(f"No track {track_id} that you may change; nothing was changed.")
        resolver = CatalogResolver(uow.session)
        artists: list[str | None] = []
        albums: list[str | None] = []
        for track_id in ids:
            track = found[track_id]
            visibility_before = track.visibility
            artist_id, album_id = self._edit(resolver, track, patch.changes)
            artists.append(artist_id)
            albums.append(album_id)
            self._announce(uow, track, "updated", visibility_before=visibility_before)
        self._prune(uow, resolver, artists, albums)
        return ids

    @staticmethod
    def _edit(
        resolver: CatalogResolver, track: Track, change: schemas.TrackChanges
    ) -> tuple[str | None, str | None]:
        """Apply ``change``; returns the artist and album the track was on before."""
        before = (track.artist_id, track.album_id)
        if change.visibility is not None:
            track.visibility = change.visibility
        tags = change.tags()
        if not tags:
            return before
        edited = set(track.edited or [])
        for name, given in tags.items():
            value = given
            if name == "title" and value is None:
                value = Path(track.filename).stem or track.filename
            if name == "compilation" and value is None:
                value = False
            setattr(track, name, value)
            edited.add(name)
            # A name set by hand beats the MusicBrainz id the file carries for it.
            if name in _MBID_OF:
                setattr(track, _MBID_OF[name], None)
                edited.add(_MBID_OF[name])
        track.edited = sorted(edited)
        track.updated_at = utcnow()
        resolver.assign(track)
        return before

    def set_lyrics(
        self, uow: UnitOfWork, viewer: Viewer, track_id: TrackId, text: str | None
    ) -> Track:
        """Replace (or, with None, remove) a track's lyrics by hand: recorded in
        ``Track.edited``, so reprocessing never brings the file's own back. ``text`` is
        stored as given (``library/lyrics.py`` cleans it)."""
        track = self.access.check_edit(viewer, TrackRepository(uow.session).get(track_id))
        track.lyrics = text
        track.edited = sorted({*(track.edited or []), "lyrics"})
        track.updated_at = utcnow()
        self._announce(uow, track, "updated")
        return track

    def delete(self, uow: UnitOfWork, viewer: Viewer, track_id: TrackId) -> None:
        """Remove the track and drop its reference; the blob goes when no track needs it."""
        track = self.access.check_edit(viewer, TrackRepository(uow.session).get(track_id))
        self._remove(uow, track)

    def _remove(self, uow: UnitOfWork, track: Track, *, prune: bool = True) -> None:
        blob_hash = track.blob_hash
        self._announce(uow, track, "deleted")
        linked = (track.artist_id, track.album_id)
        session = uow.session
        session.execute(
            delete(Like).where(Like.kind == LikeKind.TRACK, Like.subject_id == track.id)
        )
        session.execute(delete(TrackGenre).where(TrackGenre.track_id == track.id))
        TrackRepository(session).delete(track)
        self._blobs.release(uow, blob_hash)
        if prune:
            self._prune(uow, CatalogResolver(session), [linked[0]], [linked[1]])

    def delete_all_of(self, uow: UnitOfWork, owner_id: UserId) -> int:
        """Every track of an account that is going away (shared audio stays for others)."""
        tracks = list(TrackRepository(uow.session).owned_by(owner_id))
        linked = [(t.artist_id, t.album_id) for t in tracks]
        for track in tracks:
            self._remove(uow, track, prune=False)
        self._prune(
            uow, CatalogResolver(uow.session), [a for a, _ in linked], [b for _, b in linked]
        )
        return len(tracks)

    def _prune(
        self,
        uow: UnitOfWork,
        resolver: CatalogResolver,
        artist_ids: list[str | None],
        album_ids: list[str | None],
    ) -> None:
        """Drop artists and albums left without tracks, and their search documents."""
        resolver.prune(artist_ids, album_ids)
        if self._index is not None:
            self._index.catalog_changed(
                uow.session, [a for a in artist_ids if a], [b for b in album_ids if b]
            )

    def announce_blob(self, uow: UnitOfWork, blob_hash: BlobHash) -> None:
        """Tell open pages that the tracks of this blob changed (processing ended)."""
        for track in TrackRepository(uow.session).of_blob(blob_hash):
            self._announce(uow, track, "updated")

    def _announce(
        self, uow: UnitOfWork, track: Track, action: str, *, visibility_before: str | None = None
    ) -> None:
        """Bring the search index up to date in this transaction, and publish a change
        notice once it has committed (never if it rolls back)."""
        if self._index is not None:
            if action == "deleted":
                self._index.tracks_removed(uow.session, [track.id])
            else:
                uow.session.flush()
                self._index.tracks_changed(uow.session, [track.id])
        if self._events is None:
            return
        event = track_event(
            track.id,
            action,
            owner_id=track.owner_id,
            visibility=track.visibility,
            visibility_before=visibility_before,
        )
        uow.after_commit(lambda: self._events.publish(event) if self._events else None)

    def usage(self, session: Session, owner_id: UserId) -> int:
        return TrackRepository(session).usage(owner_id)

    def adopt_orphans(self, uow: UnitOfWork, owner_id: UserId) -> int:
        return TrackRepository(uow.session).adopt_orphans(owner_id)

    def describe(
        self, session: Session, viewer: Viewer, tracks: list[Track]
    ) -> list[schemas.TrackOut]:
        return self._describer.describe(session, viewer, tracks)

    masked = staticmethod(masked)


def _encode_estimate(duration_s: float) -> float:
    """About how long a fresh upload of this length takes to process here.

    From ``bench/ingest.py``: a 180 s track took 10.5-11.8 s (0.06 s per second of
    audio) on a 2-core machine, plus a couple of seconds of probing and queueing.
    """
    return 2.0 + 0.06 * max(0.0, duration_s)


_TAG_FIELDS = (
    "title",
    "artist",
    "album",
    "album_artist",
    "track_number",
    "disc_number",
    "year",
    "genre",
    "compilation",
    "mb_track_id",
    "mb_artist_id",
    "mb_album_id",
    "mb_album_artist_id",
    "lyrics",
)
_MBID_OF = {
    "artist": "mb_artist_id",
    "album": "mb_album_id",
    "album_artist": "mb_album_artist_id",
}


@dataclass(frozen=True)
class TrackQuery:
    """How to sort and filter a tracks page (besides who may see what)."""

    sort: schemas.TrackSort = "added"
    order: schemas.Order = "desc"
    offset: int = 0
    genre: str | None = None
    artist_id: str | None = None
    album_id: str | None = None
    liked: bool = False

    @property
    def filtered(self) -> bool:
        return bool(self.genre or self.artist_id or self.album_id)


def _encode_cursor(track: Track) -> str:
    raw = f"{track.created_at.isoformat()}|{track.id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        at, tid = raw.split("|", 1)
        when = datetime.fromisoformat(at)
        if when.tzinfo is None:
            raise ValueError("naive")
        when = when.astimezone(UTC)  # refuses instants before year 1 in UTC
    except (ValueError, OverflowError, binascii.Error, UnicodeDecodeError):
        raise BadRequest("The cursor is not valid; start from the first page.") from None
    return when, tid
