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
from typing import Protocol

from sqlalchemy.orm import Session

from tonearm.accounts.principal import Viewer
from tonearm.accounts.repository import AccountRepository
from tonearm.blobs.service import PROCESS_KIND, BlobService
from tonearm.db.unit_of_work import UnitOfWork
from tonearm.errors import BadRequest, Unauthenticated
from tonearm.events import ChangeFeed
from tonearm.events.topics import track_event
from tonearm.jobs.leases import JobLeases
from tonearm.library import schemas
from tonearm.library.access import TrackAccess
from tonearm.library.repository import TrackRepository
from tonearm.models import Blob, BlobStatus, Job, Track, Visibility, utcnow
from tonearm.types import BlobHash, ImageHash, TrackId, UserId


class MediaLinks(Protocol):
    """Builds the URLs of a track's media (implemented by ``streaming.urls``)."""

    def for_track(self, track_id: TrackId, blob: Blob) -> schemas.Urls: ...


@dataclass(frozen=True)
class NewTrack:
    blob: Blob
    filename: str
    owner_id: UserId
    visibility: Visibility = Visibility.PRIVATE
    stored_now: bool = False
    """This upload stored the bytes (a new blob)."""
    lyrics: str | None = None
    cover_image: ImageHash | None = None


class LibraryService:
    def __init__(
        self,
        blobs: BlobService,
        links: MediaLinks,
        access: TrackAccess,
        events: ChangeFeed | None = None,
    ) -> None:
        self._blobs = blobs
        self._links = links
        self.access = access
        self._events = events

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
                if value is not None:
                    setattr(track, name, value)
            track.tags_applied = True
        track.blob = blob
        self._announce(uow, track, "created")
        return repo.add(track)

    def track_of(self, session: Session, owner_id: UserId, blob_hash: BlobHash) -> TrackId | None:
        """The owner's (oldest) track of these bytes, if they have one."""
        return TrackRepository(session).owned_with_blob(owner_id, blob_hash)

    def apply_tags(self, uow: UnitOfWork, blob_hash: BlobHash, tags: dict[str, object]) -> int:
        """Give the tags read from a blob to its tracks that have not received them yet."""
        values = {k: tags[k] for k in _TAG_FIELDS if tags.get(k) is not None}
        return TrackRepository(uow.session).apply_tags(blob_hash, values)

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
    ) -> schemas.TrackPage:
        """Tracks ``viewer`` may list (their own and public ones), newest first."""
        if not viewer.signed_in and not self.access.anonymous_listening:
            raise Unauthenticated("Sign in to see the library.")
        where = self.access.listed(viewer)
        if mine:
            where = Track.owner_id == viewer.user_id
        repo = TrackRepository(session)
        tracks = repo.newest(
            limit=limit + 1, where=where, before=_decode_cursor(cursor) if cursor else None
        )
        more = len(tracks) > limit
        tracks = list(tracks[:limit])
        next_cursor = _encode_cursor(tracks[-1]) if more and tracks else None
        return schemas.TrackPage(
            items=self.describe(session, viewer, tracks),
            next_cursor=next_cursor,
            total=repo.count(where),
        )

    def update(
        self, uow: UnitOfWork, viewer: Viewer, track_id: TrackId, change: schemas.TrackPatch
    ) -> Track:
        track = self.access.check_edit(viewer, TrackRepository(uow.session).get(track_id))
        before = track.visibility
        if change.visibility is not None:
            track.visibility = change.visibility
        self._announce(uow, track, "updated", visibility_before=before)
        return track

    def delete(self, uow: UnitOfWork, viewer: Viewer, track_id: TrackId) -> None:
        """Remove the track and drop its reference; the blob goes when no track needs it."""
        track = self.access.check_edit(viewer, TrackRepository(uow.session).get(track_id))
        self._remove(uow, track)

    def _remove(self, uow: UnitOfWork, track: Track) -> None:
        blob_hash = track.blob_hash
        self._announce(uow, track, "deleted")
        TrackRepository(uow.session).delete(track)
        self._blobs.release(uow, blob_hash)

    def delete_all_of(self, uow: UnitOfWork, owner_id: UserId) -> int:
        """Every track of an account that is going away (shared audio stays for others)."""
        tracks = list(TrackRepository(uow.session).owned_by(owner_id))
        for track in tracks:
            self._remove(uow, track)
        return len(tracks)

    def announce_blob(self, uow: UnitOfWork, blob_hash: BlobHash) -> None:
        """Tell open pages that the tracks of this blob changed (processing ended)."""
        for track in TrackRepository(uow.session).of_blob(blob_hash):
            self._announce(uow, track, "updated")

    def _announce(
        self, uow: UnitOfWork, track: Track, action: str, *, visibility_before: str | None = None
    ) -> None:
        """Publish a change notice once the transaction has committed (never if it rolls back)."""
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
        jobs = JobLeases(session).of_subjects(PROCESS_KIND, {t.blob_hash for t in tracks})
        names = AccountRepository(session).names({t.owner_id for t in tracks if t.owner_id})
        return [
            self._out(viewer, t, t.blob, jobs.get(t.blob_hash)).model_copy(
                update={"owner_name": names.get(t.owner_id) if t.owner_id else None}
            )
            for t in tracks
        ]

    @staticmethod
    def masked(track: Track) -> float | None:
        """How far (0-1) a held-back track seems to be processed; None when it is not held."""
        if track.reveal_at is None:
            return None
        left = (track.reveal_at - utcnow()).total_seconds()
        if left <= 0:
            return None
        total = max(1.0, (track.reveal_at - track.created_at).total_seconds())
        return max(0.0, min(0.99, 1.0 - left / total))

    def _out(self, viewer: Viewer, track: Track, blob: Blob, job: Job | None) -> schemas.TrackOut:
        done = self.masked(track)
        if done is not None:
            return self._as_processing(viewer, track, blob, done)
        if blob.status == BlobStatus.READY:
            progress = schemas.Progress(
                percent=100.0, step="done", attempt=job.attempts if job else 0
            )
        elif job is not None:
            progress = schemas.Progress(percent=job.progress, step=job.step, attempt=job.attempts)
        else:
            progress = schemas.Progress(percent=0.0, step=blob.status)
        loudness = None
        if blob.integrated_lufs is not None:
            loudness = schemas.Loudness(
                integrated_lufs=blob.integrated_lufs,
                loudness_range_lu=blob.loudness_range_lu,
                true_peak_dbtp=blob.true_peak_dbtp,
                replaygain_track_gain_db=blob.replaygain_track_gain_db,
                sample_peak=blob.sample_peak,
            )
        return schemas.TrackOut(
            id=track.id,
            owner_id=track.owner_id,
            visibility=track.visibility,
            editable=self.access.can_edit(viewer, track),
            status=blob.status,
            playable=blob.playable,
            error=blob.error,
            progress=progress,
            deduplicated=track.deduplicated,
            filename=track.filename,
            title=track.title,
            artist=track.artist,
            album=track.album,
            album_artist=track.album_artist,
            track_number=track.track_number,
            disc_number=track.disc_number,
            year=track.year,
            genre=track.genre,
            duration=blob.duration,
            loudness=loudness,
            fingerprint=blob.fingerprint,
            source=_source(blob),
            urls=self._links.for_track(track.id, blob),
            created_at=track.created_at,
        )

    def _as_processing(
        self, viewer: Viewer, track: Track, blob: Blob, done: float
    ) -> schemas.TrackOut:
        """A held-back track exactly as a fresh upload of it would look at ``done``."""
        return schemas.TrackOut(
            id=track.id,
            owner_id=track.owner_id,
            visibility=track.visibility,
            editable=self.access.can_edit(viewer, track),
            status=BlobStatus.PROCESSING if done > 0.02 else BlobStatus.UPLOADED,
            playable=False,
            error=None,
            progress=schemas.Progress(
                percent=round(2.0 + 96.0 * done, 1) if done > 0.02 else 0.0,
                step="encoding" if done > 0.02 else "queued",
                attempt=1 if done > 0.02 else 0,
            ),
            deduplicated=False,
            filename=track.filename,
            title=Path(track.filename).stem or track.filename,
            artist=None,
            album=None,
            album_artist=None,
            track_number=None,
            disc_number=None,
            year=None,
            genre=None,
            duration=blob.duration,
            loudness=None,
            fingerprint=None,
            source=_source(blob),
            urls=schemas.Urls(
                hls=None,
                mp3=None,
                original=f"/api/tracks/{track.id}/original",
                waveform=None,
                artwork={},
            ),
            created_at=track.created_at,
        )


def _source(blob: Blob) -> schemas.Source:
    return schemas.Source(
        format=blob.format_name,
        codec=blob.codec,
        sample_rate=blob.sample_rate,
        channels=blob.channels,
        bits_per_sample=blob.bits_per_sample,
        bit_rate=blob.bit_rate,
        size=blob.size,
        sha256=blob.hash,
    )


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
)


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
