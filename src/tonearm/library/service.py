"""Reading and deleting tracks."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from tonearm.db.unit_of_work import UnitOfWork
from tonearm.errors import BadRequest, NotFound
from tonearm.ingest.repository import BlobRepository
from tonearm.library import schemas
from tonearm.library.repository import TrackRepository
from tonearm.models import Blob, BlobStatus, Job, Track

COLLECT_TASK = "blobs.collect"


class LibraryService:
    def get(self, session: Session, track_id: str) -> schemas.TrackOut:
        track = TrackRepository(session).get(track_id)
        if track is None:
            raise NotFound(f"No track with id {track_id!r}.")
        return self.describe(session, [track])[0]

    def page(self, session: Session, *, limit: int, cursor: str | None) -> schemas.TrackPage:
        repo = TrackRepository(session)
        tracks = repo.newest(limit=limit + 1, before=_decode_cursor(cursor) if cursor else None)
        more = len(tracks) > limit
        tracks = list(tracks[:limit])
        next_cursor = _encode_cursor(tracks[-1]) if more and tracks else None
        return schemas.TrackPage(
            items=self.describe(session, tracks), next_cursor=next_cursor, total=repo.count()
        )

    def delete(self, uow: UnitOfWork, track_id: str) -> None:
        """Remove the track and drop its reference; the blob goes when no track needs it."""
        tracks = TrackRepository(uow.session)
        track = tracks.get(track_id)
        if track is None:
            raise NotFound(f"No track with id {track_id!r}.")
        blob_hash = track.blob_hash
        tracks.delete(track)
        if BlobRepository(uow.session).drop_reference(blob_hash) == 0:
            uow.enqueue(COLLECT_TASK, blob_hash)

    def describe(self, session: Session, tracks: list[Track]) -> list[schemas.TrackOut]:
        hashes = {t.blob_hash for t in tracks}
        jobs = (
            {j.blob_hash: j for j in session.scalars(select(Job).where(Job.blob_hash.in_(hashes)))}
            if hashes
            else {}
        )
        return [self._out(t, t.blob, jobs.get(t.blob_hash)) for t in tracks]

    def _out(self, track: Track, blob: Blob, job: Job | None) -> schemas.TrackOut:
        base = f"/api/tracks/{track.id}"
        ready = blob.status == BlobStatus.READY
        artwork: dict[str, str] = {}
        if ready and blob.artwork_mime:
            artwork["original"] = f"{base}/artwork/original"
            for size in blob.artwork_sizes:
                artwork[str(size)] = f"{base}/artwork/{size}.webp"
        if ready:
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
            status=blob.status,
            playable=blob.playable,
            error=blob.error,
            progress=progress,
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
            source=schemas.Source(
                format=blob.format_name,
                codec=blob.codec,
                sample_rate=blob.sample_rate,
                channels=blob.channels,
                bits_per_sample=blob.bits_per_sample,
                bit_rate=blob.bit_rate,
                size=blob.size,
                sha256=blob.hash,
            ),
            urls=schemas.Urls(
                hls=f"{base}/hls/master.m3u8" if blob.playable else None,
                mp3=f"{base}/stream.mp3" if ready else None,
                original=f"{base}/original",
                waveform=f"{base}/waveform.json" if ready and blob.has_waveform else None,
                artwork=artwork,
            ),
            created_at=track.created_at,
        )


def _encode_cursor(track: Track) -> str:
    raw = f"{track.created_at.isoformat()}|{track.id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        at, tid = raw.split("|", 1)
        return datetime.fromisoformat(at), tid
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise BadRequest("The cursor is not valid; start from the first page.") from None
