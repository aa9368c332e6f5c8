"""Queries of the radio domain: candidates a viewer may see, radios, feedback, taste."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, delete, func, or_, select
from sqlalchemy.orm import Session

from tonearm.models import (
    Album,
    Artist,
    BlobFeatures,
    FeedbackAction,
    Like,
    LikeKind,
    ListenerTrack,
    RadioSession,
    RadioTrack,
    Track,
    TrackFeedback,
    TrackGenre,
    utcnow,
)
from tonearm.types import AlbumId, ArtistId, BlobHash, RadioId, TrackId, UserId

BLOCK_DAYS = 30
EARLY_SKIP_S = 30.0
KEEP_FEEDBACK_DAYS = 90
_IN_CHUNK = 500


@dataclass(frozen=True)
class Candidate:
    track_id: TrackId
    blob_hash: BlobHash
    artist_key: str | None
    """Who it is by, for the artist rule: the artist's id, else the folded tag, else None."""


def artist_key(track: Track) -> str | None:
    if track.artist_id:
        return f"id:{track.artist_id}"
    return f"tag:{track.artist.casefold().strip()}" if track.artist else None


def _of(album: AlbumId | None, artist: ArtistId | None) -> ColumnElement[bool]:
    """An album's tracks, or an artist's: by them, or on an album of theirs."""
    if album is not None:
        return Track.album_id == album
    on_album = select(Album.id).where(Album.artist_id == artist)
    return or_(Track.artist_id == artist, Track.album_id.in_(on_album))


class RadioRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    # -- what a viewer may get ------------------------------------------------------

    def candidates(
        self, hashes: Sequence[BlobHash], seen: ColumnElement[bool], viewer_id: UserId | None
    ) -> dict[BlobHash, Candidate]:
        """One track per blob among ``hashes`` that satisfies ``seen`` (the viewer's own
        first, else the oldest)."""
        out: dict[BlobHash, Candidate] = {}
        mine: set[BlobHash] = set()
        for start in range(0, len(hashes), _IN_CHUNK):
            chunk = list(hashes[start : start + _IN_CHUNK])
            rows = self.session.execute(
                select(Track.id, Track.blob_hash, Track.artist_id, Track.artist, Track.owner_id)
                .where(Track.blob_hash.in_(chunk), seen)
                .order_by(Track.created_at, Track.id)
            )
            for track_id, blob_hash, artist_id, artist, owner_id in rows:
                own = viewer_id is not None and owner_id == viewer_id
                if blob_hash in out and (blob_hash in mine or not own):
                    continue
                key = (
                    f"id:{artist_id}"
                    if artist_id
                    else (f"tag:{artist.casefold().strip()}" if artist else None)
                )
                out[blob_hash] = Candidate(TrackId(track_id), BlobHash(blob_hash), key)
                if own:
                    mine.add(blob_hash)
        return out

    def visible(
        self, ids: Sequence[TrackId], seen: ColumnElement[bool]
    ) -> list[tuple[TrackId, BlobHash]]:
        """(track, blob) of those ``ids`` that satisfy ``seen``, in the order given."""
        found: dict[TrackId, BlobHash] = {}
        for start in range(0, len(ids), _IN_CHUNK):
            chunk = list(ids[start : start + _IN_CHUNK])
            for track_id, blob_hash in self.session.execute(
                select(Track.id, Track.blob_hash).where(Track.id.in_(chunk), seen)
            ):
                found[TrackId(track_id)] = BlobHash(blob_hash)
        return [(t, found[t]) for t in ids if t in found]

    def tracks(self, ids: Iterable[TrackId]) -> dict[TrackId, Track]:
        wanted = list(dict.fromkeys(ids))
        found: dict[TrackId, Track] = {}
        for start in range(0, len(wanted), _IN_CHUNK):
            chunk = wanted[start : start + _IN_CHUNK]
            for track in self.session.scalars(select(Track).where(Track.id.in_(chunk))):
                found[track.id] = track
        return found

    def artists(self, ids: Sequence[ArtistId]) -> list[Artist]:
        if not ids:
            return []
        return list(self.session.scalars(select(Artist).where(Artist.id.in_(list(ids)))))

    def seed_hashes(
        self, seen: ColumnElement[bool], *, album: AlbumId | None = None, artist: ArtistId | None
    ) -> list[BlobHash]:
        """Blobs (with a descriptor) of an album's or artist's tracks the viewer may see."""
        q = (
            select(Track.blob_hash)
            .join(BlobFeatures, BlobFeatures.blob_hash == Track.blob_hash)
            .where(seen)
            .distinct()
            .limit(5000)
        )
        return [BlobHash(h) for h in self.session.scalars(q.where(_of(album, artist)))]

    def has_any(
        self, seen: ColumnElement[bool], *, album: AlbumId | None = None, artist: ArtistId | None
    ) -> bool:
        q = select(Track.id).where(seen, _of(album, artist)).limit(1)
        return self.session.scalar(q) is not None

    # -- radios ---------------------------------------------------------------------

    def radio(self, radio_id: RadioId, user_id: UserId) -> RadioSession | None:
        return self.session.scalar(
            select(RadioSession)
            .where(RadioSession.id == radio_id, RadioSession.user_id == user_id)
            .with_for_update()
        )

    def prune_radios(self, user_id: UserId, keep: int) -> None:
        """Only the person's ``keep`` most recent radios stay."""
        old = self.session.scalars(
            select(RadioSession.id)
            .where(RadioSession.user_id == user_id)
            .order_by(RadioSession.updated_at.desc(), RadioSession.id)
            .offset(keep)
        ).all()
        if old:
            self.session.execute(delete(RadioTrack).where(RadioTrack.radio_id.in_(old)))
            self.session.execute(delete(RadioSession).where(RadioSession.id.in_(old)))

    def served_since(self, radio_id: RadioId, since: int) -> set[BlobHash]:
        """Audio the radio served from position ``since`` on (one column, no objects:
        a long cycle is thousands of rows)."""
        rows = self.session.scalars(
            select(RadioTrack.blob_hash).where(
                RadioTrack.radio_id == radio_id, RadioTrack.position >= since
            )
        )
        return {BlobHash(h) for h in rows}

    def last_artists(self, radio_id: RadioId, before: int, count: int) -> list[str | None]:
        """Artist keys of the ``count`` tracks served before position ``before``, in order."""
        rows = self.session.execute(
            select(RadioTrack.position, RadioTrack.artist_key).where(
                RadioTrack.radio_id == radio_id,
                RadioTrack.position >= before - count,
                RadioTrack.position < before,
            )
        )
        return [key for _, key in sorted(rows, key=lambda row: row[0])]

    # -- feedback -------------------------------------------------------------------

    def add_feedback(self, row: TrackFeedback) -> None:
        self.session.add(row)
        cutoff = utcnow() - timedelta(days=KEEP_FEEDBACK_DAYS)
        self.session.execute(
            delete(TrackFeedback).where(
                TrackFeedback.user_id == row.user_id, TrackFeedback.created_at < cutoff
            )
        )

    def blocked(self, user_id: UserId, now: datetime | None = None) -> set[BlobHash]:
        """Audio the person skipped early or disliked in the last :data:`BLOCK_DAYS`."""
        since = (now or utcnow()) - timedelta(days=BLOCK_DAYS)
        early_skip = (TrackFeedback.action == FeedbackAction.SKIP) & (
            func.coalesce(TrackFeedback.position_s, 0.0) < EARLY_SKIP_S
        )
        rows = self.session.scalars(
            select(TrackFeedback.blob_hash)
            .where(
                TrackFeedback.user_id == user_id,
                TrackFeedback.created_at >= since,
                or_(TrackFeedback.action == FeedbackAction.DISLIKE, early_skip),
            )
            .distinct()
        )
        return {BlobHash(h) for h in rows}

    def with_feedback(self, user_id: UserId) -> set[TrackId]:
        """Every track the person gave any feedback on (kept :data:`KEEP_FEEDBACK_DAYS`)."""
        rows = self.session.scalars(
            select(TrackFeedback.track_id).where(TrackFeedback.user_id == user_id).distinct()
        )
        return {TrackId(t) for t in rows}

    # -- taste (the seam for play statistics) ---------------------------------------

    def liked_tracks(self, user_id: UserId, since: datetime, limit: int) -> list[TrackId]:
        rows = self.session.scalars(
            select(Like.subject_id)
            .where(Like.user_id == user_id, Like.kind == LikeKind.TRACK, Like.created_at >= since)
            .order_by(Like.created_at.desc())
            .limit(limit)
        )
        return [TrackId(t) for t in rows]

    def all_liked(self, user_id: UserId) -> set[TrackId]:
        rows = self.session.scalars(
            select(Like.subject_id).where(Like.user_id == user_id, Like.kind == LikeKind.TRACK)
        )
        return {TrackId(t) for t in rows}

    def own_tracks(self, user_id: UserId, since: datetime, limit: int) -> list[TrackId]:
        rows = self.session.scalars(
            select(Track.id)
            .where(Track.owner_id == user_id, Track.created_at >= since)
            .order_by(Track.created_at.desc())
            .limit(limit)
        )
        return [TrackId(t) for t in rows]

    def radio_played(self, user_id: UserId, since: datetime, limit: int) -> list[TrackId]:
        rows = self.session.scalars(
            select(TrackFeedback.track_id)
            .where(
                TrackFeedback.user_id == user_id,
                TrackFeedback.action == FeedbackAction.PLAYED,
                TrackFeedback.created_at >= since,
            )
            .order_by(TrackFeedback.created_at.desc())
            .limit(limit)
        )
        return [TrackId(t) for t in rows]

    def played_tracks(self, user_id: UserId, since: datetime, limit: int) -> list[TrackId]:
        """What the person played most lately (counted plays), most played first."""
        rows = self.session.scalars(
            select(ListenerTrack.track_id)
            .where(ListenerTrack.user_id == user_id, ListenerTrack.last_played_at >= since)
            .order_by(ListenerTrack.plays.desc(), ListenerTrack.last_played_at.desc())
            .limit(limit)
        )
        return [TrackId(t) for t in rows]

    def top_genres(self, tracks: Sequence[TrackId], limit: int) -> list[tuple[str, str]]:
        """(genre key, name) most common among ``tracks``."""
        if not tracks:
            return []
        counts: dict[str, tuple[int, str]] = {}
        for start in range(0, len(tracks), _IN_CHUNK):
            chunk = list(tracks[start : start + _IN_CHUNK])
            for key, name in self.session.execute(
                select(TrackGenre.genre_key, TrackGenre.name).where(TrackGenre.track_id.in_(chunk))
            ):
                n, first = counts.get(key, (0, name))
                counts[key] = (n + 1, first)
        ranked = sorted(counts.items(), key=lambda kv: (-kv[1][0], kv[0]))
        return [(key, name) for key, (_, name) in ranked[:limit]]

    def genre_tracks(
        self, genre_key: str, seen: ColumnElement[bool], limit: int
    ) -> list[tuple[TrackId, BlobHash]]:
        rows = self.session.execute(
            select(Track.id, Track.blob_hash)
            .join(TrackGenre, TrackGenre.track_id == Track.id)
            .where(TrackGenre.genre_key == genre_key, seen)
            .limit(limit)
        )
        return [(TrackId(t), BlobHash(h)) for t, h in rows]
