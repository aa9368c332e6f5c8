"""What a player asks for: playlists, and which stored file answers a media URL."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from tonearm.errors import Conflict, NotFound
from tonearm.ingest import keys
from tonearm.ingest.repository import BlobRepository
from tonearm.library.repository import TrackRepository
from tonearm.models import Blob, BlobStatus, Segment
from tonearm.streaming import playlists
from tonearm.streaming.signing import UrlSigner

SEGMENT_PREFIX = "/s/"


@dataclass(frozen=True)
class StoredFile:
    key: str
    media_type: str
    etag: str
    download_name: str | None = None


class StreamingService:
    def __init__(self, signer: UrlSigner, segment_seconds: float) -> None:
        self._signer = signer
        self._segment_seconds = segment_seconds

    def _blob(self, session: Session, track_id: str) -> tuple[Blob, str]:
        track = TrackRepository(session).get(track_id)
        if track is None:
            raise NotFound(f"No track with id {track_id!r}.")
        return track.blob, track.filename

    def _playable(self, session: Session, track_id: str) -> Blob:
        blob, _ = self._blob(session, track_id)
        if not blob.playable:
            if blob.status == BlobStatus.FAILED:
                raise NotFound(f"This track could not be processed: {blob.error}")
            raise Conflict("This track is still being processed; try again in a moment.")
        return blob

    def master_playlist(self, session: Session, track_id: str) -> str:
        blob = self._playable(session, track_id)
        renditions = BlobRepository(session).renditions(blob.hash)
        return playlists.master(renditions, lambda r: f"{r.name}.m3u8")

    def variant_playlist(self, session: Session, track_id: str, rung: str) -> tuple[str, bool]:
        """The playlist text, and whether it is final (VOD) or still growing (EVENT)."""
        blob = self._playable(session, track_id)
        repo = BlobRepository(session)
        rendition = repo.rendition(blob.hash, rung)
        if rendition is None:
            raise NotFound(f"No rendition {rung!r} for this track.")
        segments = repo.segments(rendition.id)

        def segment_uri(seg: Segment) -> str:
            return self._signer.sign(f"{SEGMENT_PREFIX}{blob.hash}/{rung}/{seg.hash}.m4s")

        text = playlists.variant(
            rendition,
            segments,
            init_uri=self._signer.sign(
                f"{SEGMENT_PREFIX}{blob.hash}/{rung}/{rendition.init_hash}.mp4"
            ),
            segment_uri=segment_uri,
            segment_seconds=self._segment_seconds,
        )
        return text, rendition.complete

    def mp3(self, session: Session, track_id: str) -> StoredFile:
        blob, filename = self._blob(session, track_id)
        if blob.status != BlobStatus.READY or not blob.mp3_size:
            raise Conflict("The MP3 of this track is not ready yet.")
        return StoredFile(
            keys.mp3_key(blob.hash),
            "audio/mpeg",
            f'"{blob.hash[:32]}-mp3"',
            _stem(filename) + ".mp3",
        )

    def original(self, session: Session, track_id: str) -> StoredFile:
        blob, filename = self._blob(session, track_id)
        return StoredFile(
            keys.original_key(blob.hash, blob.original_ext),
            keys.MIME_BY_EXT.get(blob.original_ext, "application/octet-stream"),
            f'"{blob.hash}"',
            filename,
        )

    def waveform(self, session: Session, track_id: str) -> StoredFile:
        blob, _ = self._blob(session, track_id)
        if not blob.has_waveform:
            raise Conflict("The waveform of this track is not ready yet.")
        return StoredFile(
            keys.waveform_key(blob.hash), "application/json", f'"{blob.hash[:32]}-peaks"'
        )

    def artwork(self, session: Session, track_id: str, size: int | None) -> StoredFile:
        blob, _ = self._blob(session, track_id)
        if blob.artwork_mime is None or (size is not None and size not in blob.artwork_sizes):
            raise NotFound("This track has no artwork of that size.")
        media_type = "image/webp" if size is not None else blob.artwork_mime
        return StoredFile(
            keys.artwork_key(blob.hash, size),
            media_type,
            f'"{blob.hash[:32]}-art-{size or "original"}"',
        )


def parse_segment_path(path: str) -> tuple[str, str] | None:
    """``/s/<blob>/<rung>/<hash>.<m4s|mp4>`` → (store key, media type); None if malformed.

    Checked character by character: this runs on every segment request and must
    never let a crafted path reach outside the HLS prefix.
    """
    parts = path[len(SEGMENT_PREFIX) :].split("/")
    if len(parts) != 3:
        return None
    blob_hash, rung, name = parts
    stem, _, ext = name.partition(".")
    if (
        len(blob_hash) != 64
        or not _is_hex(blob_hash)
        or len(stem) != 64
        or not _is_hex(stem)
        or ext not in ("m4s", "mp4")
        or not rung
        or len(rung) > 16
        or not rung.isalnum()
    ):
        return None
    return keys.segment_key(blob_hash, rung, stem, ext), "audio/mp4"


def _is_hex(value: str) -> bool:
    return all(c in "0123456789abcdef" for c in value)


def _stem(filename: str) -> str:
    return filename.rsplit(".", 1)[0] or "track"
