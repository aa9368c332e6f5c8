"""A track as a viewer sees it (``TrackOut``): what every listing, page and answer shows.

Kept apart from ``service.py`` (which changes tracks) because every domain that lists
tracks describes them through here, with the same rules: a held-back fresh upload
(``masked``) looks exactly like one being processed, whoever asks.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from tonearm.accounts.principal import Viewer
from tonearm.accounts.repository import AccountRepository
from tonearm.blobs.service import PROCESS_KIND
from tonearm.jobs.leases import JobLeases
from tonearm.library import schemas
from tonearm.library.access import TrackAccess
from tonearm.library.links import MediaLinks
from tonearm.library.repository import TrackRepository
from tonearm.models import Blob, BlobStatus, Job, LikeKind, Track, utcnow


def masked(track: Track) -> float | None:
    """How far (0-1) a held-back track seems to be processed; None when it is not held."""
    if track.reveal_at is None:
        return None
    left = (track.reveal_at - utcnow()).total_seconds()
    if left <= 0:
        return None
    total = max(1.0, (track.reveal_at - track.created_at).total_seconds())
    return max(0.0, min(0.99, 1.0 - left / total))


class TrackDescriber:
    def __init__(self, links: MediaLinks, access: TrackAccess) -> None:
        self._links = links
        self.access = access

    def describe(
        self, session: Session, viewer: Viewer, tracks: list[Track]
    ) -> list[schemas.TrackOut]:
        if not tracks:
            return []
        jobs = JobLeases(session).of_subjects(PROCESS_KIND, {t.blob_hash for t in tracks})
        names = AccountRepository(session).names({t.owner_id for t in tracks if t.owner_id})
        ids = [t.id for t in tracks]
        repo = TrackRepository(session)
        genres = repo.genres_of(ids)
        liked = repo.liked(viewer.user_id, LikeKind.TRACK, ids) if viewer.user_id else set()
        out = []
        for t in tracks:
            item = self._out(viewer, t, t.blob, jobs.get(t.blob_hash))
            extra: dict[str, object] = {
                "owner_name": names.get(t.owner_id) if t.owner_id else None,
                "liked": t.id in liked,
                "updated_at": t.created_at if masked(t) is not None else t.updated_at,
            }
            if masked(t) is None:  # a held-back track shows no tags yet
                extra.update(
                    genres=genres.get(t.id, []),
                    compilation=t.compilation,
                    artist_id=t.artist_id,
                    album_id=t.album_id,
                    edited=list(t.edited or []),
                )
            out.append(item.model_copy(update=extra))
        return out

    def _out(self, viewer: Viewer, track: Track, blob: Blob, job: Job | None) -> schemas.TrackOut:
        done = masked(track)
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
