"""What a player asks for: playlists, and which stored file answers a media URL."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from tonearm.accounts.principal import Viewer
from tonearm.blobs import keys
from tonearm.blobs.repository import BlobRepository
from tonearm.errors import Conflict, NotFound
from tonearm.library.service import LibraryService
from tonearm.models import Blob, BlobStatus, Rendition, Segment
from tonearm.streaming import playlists
from tonearm.streaming.urls import MediaUrls
from tonearm.types import TrackId


@dataclass(frozen=True)
class StoredFile:
    key: str
    media_type: str
    etag: str
    download_name: str | None = None


class StreamingService:
    def __init__(self, urls: MediaUrls, library: LibraryService, segment_seconds: float) -> None:
        self._library = library
        self._urls = urls
        self._segment_seconds = segment_seconds

    def redirect(self, stored: StoredFile) -> str | None:
        """Where to send the client instead of proxying (a presigned store URL), if anywhere."""
        return self._urls.file_redirect(stored.key, stored.media_type, stored.download_name)

    def track_blob(
        self, session: Session, viewer: Viewer, track_id: TrackId, *, held_ok: bool = False
    ) -> tuple[Blob, str]:
        """The track's blob and file name, after the access check (NotFound otherwise).

        A held-back track (``LibraryService.masked``) serves only its original, as a
        fresh upload would.
        """
        track = self._library.visible(session, viewer, track_id)
        if not held_ok and self._library.masked(track) is not None:
            raise Conflict("This track is still being processed; try again in a moment.")
        return track.blob, track.filename

    def _playable(self, session: Session, viewer: Viewer, track_id: TrackId) -> Blob:
        blob, _ = self.track_blob(session, viewer, track_id)
        if not blob.playable:
            if blob.status == BlobStatus.FAILED:
                raise NotFound(f"This track could not be processed: {blob.error}")
            raise Conflict("This track is still being processed; try again in a moment.")
        return blob

    def master_playlist(
        self,
        session: Session,
        viewer: Viewer,
        track_id: TrackId,
        variant_uri: Callable[[Rendition], str] | None = None,
    ) -> str:
        """``variant_uri`` links each rendition (default: ``<rung>.m3u8`` beside it)."""
        blob = self._playable(session, viewer, track_id)
        renditions = BlobRepository(session).renditions(blob.hash)
        return playlists.master(renditions, variant_uri or (lambda r: self._urls.variant(r.name)))

    def variant_playlist(
        self,
        session: Session,
        viewer: Viewer,
        track_id: TrackId,
        rung: str,
        binding: str | None = None,
    ) -> tuple[str, bool]:
        """The playlist text, and whether it is final (VOD) or still growing (EVENT).

        Segment links are signed for ``binding`` (default: the viewer's credential);
        apps that fetch segments without sending one get links signed for anyone.
        """
        binding = viewer.binding if binding is None else binding
        blob = self._playable(session, viewer, track_id)
        repo = BlobRepository(session)
        rendition = repo.rendition(blob.hash, rung)
        if rendition is None:
            raise NotFound(f"No rendition {rung!r} for this track.")
        segments = repo.segments(rendition.id)

        def segment_uri(seg: Segment) -> str:
            return self._urls.segment(blob.hash, rung, seg.hash, "m4s", binding)

        text = playlists.variant(
            rendition,
            segments,
            init_uri=self._urls.segment(blob.hash, rung, rendition.init_hash, "mp4", binding),
            segment_uri=segment_uri,
            segment_seconds=self._segment_seconds,
        )
        return text, rendition.complete

    def mp3(self, session: Session, viewer: Viewer, track_id: TrackId) -> StoredFile:
        blob, filename = self.track_blob(session, viewer, track_id)
        if blob.status != BlobStatus.READY or not blob.mp3_size:
            raise Conflict("The MP3 of this track is not ready yet.")
        return StoredFile(
            keys.mp3_key(blob.hash),
            "audio/mpeg",
            f'"{blob.hash[:32]}-mp3"',
            _stem(filename) + ".mp3",
        )

    def original(self, session: Session, viewer: Viewer, track_id: TrackId) -> StoredFile:
        blob, filename = self.track_blob(session, viewer, track_id, held_ok=True)
        return StoredFile(
            keys.original_key(blob.hash, blob.original_ext),
            keys.MIME_BY_EXT.get(blob.original_ext, "application/octet-stream"),
            f'"{blob.hash}"',
            filename,
        )

    def waveform(self, session: Session, viewer: Viewer, track_id: TrackId) -> StoredFile:
        blob, _ = self.track_blob(session, viewer, track_id)
        if not blob.has_waveform:
            raise Conflict("The waveform of this track is not ready yet.")
        return StoredFile(
            keys.waveform_key(blob.hash), "application/json", f'"{blob.hash[:32]}-peaks"'
        )

    def artwork(
        self, session: Session, viewer: Viewer, track_id: TrackId, size: int | None
    ) -> StoredFile:
        blob, _ = self.track_blob(session, viewer, track_id)
        if blob.artwork_mime is None or (size is not None and size not in blob.artwork_sizes):
            raise NotFound("This track has no artwork of that size.")
        media_type = "image/webp" if size is not None else blob.artwork_mime
        return StoredFile(
            keys.artwork_key(blob.hash, size),
            media_type,
            f'"{blob.hash[:32]}-art-{size or "original"}"',
        )


def _stem(filename: str) -> str:
    return filename.rsplit(".", 1)[0] or "track"
