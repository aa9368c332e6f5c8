"""One file per play, for players that do not speak HLS (the Subsonic ``stream``).

The choice (``choice.choose``) names a stored file whenever one fits, so the answer
has an exact length and seeks with Range: the original, the MP3 fallback, or an AAC
rung joined into one fragmented MP4 (``joined``). A start offset keeps that: the MP4
starts at the segment holding it, the MP3 at the frame holding it; the original
(``raw`` means as uploaded) ignores it. Only a format tonearm does not store is
encoded on the fly (``transcode``), without a length, from the offset.

Used in two steps so no database session stays open while bytes move: ``plan`` reads
the rows (access check included), then ``source`` or ``transcode`` touches the store.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from itertools import accumulate

from sqlalchemy.orm import Session

from tonearm.accounts.principal import Viewer
from tonearm.blobs import keys
from tonearm.blobs.repository import BlobRepository
from tonearm.errors import Conflict, NotFound, Unavailable
from tonearm.library.browse import CatalogService, CoverFile
from tonearm.library.service import LibraryService
from tonearm.media import mp3frames
from tonearm.media.transcode import TARGETS
from tonearm.models import Blob, BlobStatus
from tonearm.storage import BlobStore
from tonearm.streaming.choice import Pick, Source, Stored, choose
from tonearm.streaming.file_response import ByteSource, StoredObject
from tonearm.streaming.joined import JoinedSource, TailSource
from tonearm.streaming.segments import SEGMENT_MEDIA_TYPE
from tonearm.streaming.service import StreamingService
from tonearm.streaming.transcode import Transcode, Transcoder
from tonearm.types import AlbumId, Kbps, Seconds, TrackId

SYNC_WINDOW = 16 * 1024
"""Bytes read around an MP3 cut's estimate to find a frame: several frames' worth."""
ZERO = Seconds(0.0)
TRANSCODE_URL_TTL_S = 6 * 3600
"""A presigned original for ffmpeg to read from object storage: one listening."""


@dataclass(frozen=True)
class StreamPlan:
    pick: Pick
    media_type: str
    etag: str
    filename: str
    pieces: tuple[tuple[str, int | None], ...] = ()
    """Stored files to send end to end, with their size when the database knows it."""
    offset: Seconds = ZERO
    """Where to start: an MP3 cut, or the transcode's input seek."""
    duration: Seconds = ZERO


class ProgressiveService:
    def __init__(
        self,
        streaming: StreamingService,
        library: LibraryService,
        catalog: CatalogService,
        store: BlobStore,
        transcoder: Transcoder,
    ) -> None:
        self._streaming = streaming
        self._library = library
        self._catalog = catalog
        self._store = store
        self._transcoder = transcoder

    def plan(
        self,
        session: Session,
        viewer: Viewer,
        track_id: TrackId,
        fmt: str | None,
        max_kbps: int,
        offset: float = 0.0,
    ) -> StreamPlan:
        """What ``stream`` answers; ``NotFound`` when the viewer may not see the track."""
        held_ok = (fmt or "").lower() == "raw"
        blob, filename = self._streaming.track_blob(session, viewer, track_id, held_ok=held_ok)
        repo = BlobRepository(session)
        ready = blob.status == BlobStatus.READY
        finished = [r for r in repo.renditions(blob.hash) if r.complete] if blob.playable else []
        stored = Stored(
            original_ext=blob.original_ext,
            original_kbps=Kbps(blob.bit_rate // 1000) if blob.bit_rate else None,
            rungs=[(r.name, Kbps(r.bitrate_kbps)) for r in finished],
            mp3_kbps=Kbps(blob.mp3_bitrate or 0) if ready and blob.mp3_size else None,
        )
        pick = choose(stored, fmt, max_kbps)
        start = Seconds(max(0.0, min(offset, blob.duration)))
        stem = filename.rsplit(".", 1)[0] or "track"
        tag = blob.hash[:32]
        if pick.source == Source.ORIGINAL:
            original = self._streaming.original(session, viewer, track_id)
            return StreamPlan(
                pick,
                original.media_type,
                original.etag,
                filename,
                ((original.key, blob.size),),
                duration=Seconds(blob.duration),
            )
        if pick.source == Source.MP3:
            at = int(start * 1000)
            return StreamPlan(
                pick,
                "audio/mpeg",
                f'"{tag}-mp3-{at}"',
                stem + ".mp3",
                ((keys.mp3_key(blob.hash), blob.mp3_size),),
                offset=start,
                duration=Seconds(blob.duration - start),
            )
        if pick.source == Source.AAC:
            return self._aac_plan(repo, blob, pick, stem, start)
        target = TARGETS[pick.target or "mp3"]
        return StreamPlan(
            pick,
            target.media_type,
            "",
            f"{stem}.{target.suffix}",
            ((keys.original_key(blob.hash, blob.original_ext), blob.size),),
            offset=start,
            duration=Seconds(blob.duration - start),
        )

    def rung(self, session: Session, viewer: Viewer, track_id: TrackId, max_kbps: int) -> str:
        """The HLS rendition for a ceiling (encoding ones too: their playlists grow)."""
        blob, _ = self._streaming.track_blob(session, viewer, track_id)
        renditions = BlobRepository(session).renditions(blob.hash)
        if not renditions:
            raise Conflict("This track is still being processed; try again in a moment.")
        rungs = [(r.name, Kbps(r.bitrate_kbps)) for r in renditions]
        return choose(Stored(blob.original_ext, None, rungs), "aac", max_kbps).rung or ""

    def _aac_plan(
        self, repo: BlobRepository, blob: Blob, pick: Pick, stem: str, start: Seconds
    ) -> StreamPlan:
        rendition = repo.rendition(blob.hash, pick.rung or "")
        if rendition is None:
            raise Conflict("This track is still being processed; try again in a moment.")
        segments = list(repo.segments(rendition.id))
        if not segments:
            raise Conflict("This track is still being processed; try again in a moment.")
        # The segment holding ``start``: the last one that begins at or before it.
        begins = [0.0, *accumulate(s.duration for s in segments)]
        first = max(0, min(len(segments) - 1, bisect.bisect_right(begins, start) - 1))
        rung = rendition.name
        init = keys.segment_key(blob.hash, rung, rendition.init_hash, "mp4")
        pieces: list[tuple[str, int | None]] = [(init, None)]
        pieces += [
            (keys.segment_key(blob.hash, rung, s.hash, "m4s"), s.size) for s in segments[first:]
        ]
        return StreamPlan(
            pick,
            SEGMENT_MEDIA_TYPE,
            f'"{blob.hash[:32]}-{rung}-{first}"',
            f"{stem}.m4a",
            tuple(pieces),
            offset=Seconds(begins[first]),
            duration=Seconds(begins[-1] - begins[first]),
        )

    def source(self, plan: StreamPlan) -> ByteSource:
        """The planned stored bytes (store calls: run in a worker thread)."""
        if plan.pick.source == Source.TRANSCODE:
            raise ValueError("a transcode has no stored source")
        if len(plan.pieces) == 1 and plan.pick.source == Source.ORIGINAL:
            return StoredObject(self._store, plan.pieces[0][0])
        pieces = [(key, size if size is not None else self._size(key)) for key, size in plan.pieces]
        joined = JoinedSource(self._store, pieces)
        if plan.pick.source == Source.MP3 and plan.offset > 0:
            return TailSource(joined, self._mp3_cut(plan.pieces[0][0], joined.size, plan.offset))
        return joined

    def _size(self, key: str) -> int:
        size = self._store.size(key)
        if size is None:
            raise NotFound("A file of this track is missing from storage.")
        return size

    def _mp3_cut(self, key: str, size: int, offset: Seconds) -> int:
        """Where the frame holding ``offset`` starts in the stored (CBR) MP3."""
        head = self._store.read_range(key, 0, min(size, SYNC_WINDOW) - 1)
        first_pos = mp3frames.audio_start(head)
        first = mp3frames.frame_at(head, first_pos)
        if first is None:
            return 0
        guess = mp3frames.estimate(first, first_pos, offset)
        if guess >= size:
            return size
        window = self._store.read_range(key, guess, min(size, guess + SYNC_WINDOW) - 1)
        found = mp3frames.sync(window, first)
        return size if found is None else guess + found

    def transcode(self, plan: StreamPlan) -> Transcode:
        """Start the planned transcode of the original (``Unavailable`` past the limit)."""
        if plan.pick.source != Source.TRANSCODE or plan.pick.target is None:
            raise ValueError("not a transcode")
        key = plan.pieces[0][0]
        path = self._store.local_path(key)
        source = (
            str(path)
            if path is not None
            else self._store.presigned_url(key, ttl_s=TRANSCODE_URL_TTL_S)
        )
        if source is None:
            raise Unavailable("This store cannot hand the original to ffmpeg for a transcode.")
        return self._transcoder.start(source, plan.pick.target, plan.pick.kbps, plan.offset)

    def track_cover(
        self, session: Session, viewer: Viewer, track_id: TrackId, size: int | None
    ) -> CoverFile:
        """The track's embedded picture at the stored edge nearest ``size`` (at or above,
        else the largest; None: as embedded), else its album's cover."""
        blob, _ = self._streaming.track_blob(session, viewer, track_id)
        if blob.status == BlobStatus.READY and blob.artwork_mime is not None:
            edge = nearest_edge(size, list(blob.artwork_sizes or []))
            media_type = "image/webp" if edge is not None else blob.artwork_mime
            body = self._store.read_bytes(keys.artwork_key(blob.hash, edge))
            return CoverFile(body, media_type, f'"{blob.hash[:32]}-art-{edge or "original"}"')
        track = self._library.visible(session, viewer, track_id)
        if track.album_id is None:
            raise NotFound("This track has no cover.")
        return self._catalog.album_cover(session, viewer, AlbumId(track.album_id), size)


def nearest_edge(size: int | None, sizes: list[int]) -> int | None:
    """The stored thumbnail edge nearest at or above ``size`` (else the largest)."""
    if size is None or not sizes:
        return None
    fits = [s for s in sizes if s >= size]
    return min(fits) if fits else max(sizes)
