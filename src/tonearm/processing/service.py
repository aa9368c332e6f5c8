"""Writing what processing found into the blob tables, fenced by the attempt's token.

Every write here happens in a transaction that also checks the job's token
(``JobLeases.check``/``finish``), taking the blob row first and the job row second
(the lock order of every domain). An attempt that lost its lease writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from tonearm.blobs import keys
from tonearm.blobs.features import FeatureRepository
from tonearm.blobs.hashing import file_sha256
from tonearm.blobs.repository import BlobRepository, audio_info
from tonearm.blobs.service import COLLECT_TASK
from tonearm.db.unit_of_work import UnitOfWork
from tonearm.jobs.leases import Claim, JobLeases, LostLease
from tonearm.library.service import LibraryService
from tonearm.media import AAC_LC_CODECS, AudioInfo, MediaResult, RenditionResult, Rung, SegmentFile
from tonearm.models import Blob, BlobStatus, Rendition, Segment
from tonearm.storage import BlobStore
from tonearm.types import BlobHash


@dataclass(frozen=True)
class Started:
    info: AudioInfo
    """What the probe said of the original when it was uploaded."""
    original_key: str


class ProcessingService:
    def __init__(self, store: BlobStore, library: LibraryService) -> None:
        self._store = store
        self._library = library

    def start(self, uow: UnitOfWork, claim: Claim) -> Started | None:
        """Mark the blob processing and drop what an earlier attempt published.

        None if the blob is gone (deleted while the job waited).
        """
        blob = BlobRepository(uow.session).get(BlobHash(claim.subject), for_update=True)
        if blob is None:
            return None
        JobLeases(uow.session).check(claim)
        blob.status = BlobStatus.PROCESSING
        blob.playable = False
        blob.error = None
        # Earlier attempts' segments came from a different encode run: start clean.
        BlobRepository(uow.session).clear_renditions(blob.hash)
        return Started(audio_info(blob), keys.original_key(blob.hash, blob.original_ext))

    def publish_segment(
        self,
        uow: UnitOfWork,
        claim: Claim,
        rung: Rung,
        init_path: Path,
        segment: SegmentFile,
        *,
        makes_playable: bool,
    ) -> None:
        """Store one finished segment (and its rung's init section) and list it.

        ``makes_playable``: the first segment of the last rung to start; from then on
        every rung can be played while the rest is encoded.
        """
        blob_hash = BlobHash(claim.subject)
        init_hash = file_sha256(init_path)
        self._store.put_file(keys.segment_key(blob_hash, rung.name, init_hash, "mp4"), init_path)
        seg_hash = file_sha256(segment.path)
        size = segment.path.stat().st_size
        self._store.put_file(keys.segment_key(blob_hash, rung.name, seg_hash, "m4s"), segment.path)
        repo = BlobRepository(uow.session)
        blob = repo.get(blob_hash, for_update=True) if makes_playable else None
        JobLeases(uow.session).check(claim)
        rendition = repo.rendition(blob_hash, rung.name)
        if rendition is None:
            rendition = Rendition(
                blob_hash=blob_hash,
                name=rung.name,
                bitrate_kbps=int(rung.bitrate),
                codecs=AAC_LC_CODECS,
                sample_rate=0,
                channels=0,
                init_hash=init_hash,
                complete=False,
            )
            uow.session.add(rendition)
            uow.session.flush()
        uow.session.add(
            Segment(
                rendition_id=rendition.id,
                sequence=segment.sequence,
                hash=seg_hash,
                duration=float(segment.duration),
                size=size,
            )
        )
        if blob is not None:
            blob.playable = True

    def complete(
        self,
        uow: UnitOfWork,
        claim: Claim,
        result: MediaResult,
        *,
        tags: dict[str, object],
        artwork_mime: str | None,
        artwork_sizes: list[int],
        mp3_size: int,
    ) -> None:
        """Publish the finished blob; its tracks receive the tags through the library."""
        blob_hash = BlobHash(claim.subject)
        blob = BlobRepository(uow.session).get(blob_hash, for_update=True)
        if blob is None:
            raise LostLease("blob deleted while processing")
        JobLeases(uow.session).finish(claim)
        _publish(blob, result, tags, artwork_mime, artwork_sizes, mp3_size)
        if result.descriptor is not None:
            # In the same transaction as READY: a ready blob always has its descriptor.
            FeatureRepository(uow.session).save(blob_hash, result.descriptor)
        for rendition in result.renditions:
            _complete_rendition(uow.session, blob_hash, rendition)
        self._library.apply_tags(uow, blob_hash, tags)
        self._library.announce_blob(uow, blob_hash)
        if blob.refcount == 0:
            # Every track went while this ran; collection waited for the job to end.
            uow.enqueue(COLLECT_TASK, blob_hash)

    def fail(self, uow: UnitOfWork, blob_hash: BlobHash, reason: str) -> None:
        """Leave the blob failed with ``reason`` (for people); a missing blob is fine."""
        blob = BlobRepository(uow.session).get(blob_hash, for_update=True)
        if blob is None:
            return
        blob.status = BlobStatus.FAILED
        blob.error = reason
        blob.playable = False
        BlobRepository(uow.session).clear_renditions(blob.hash)
        self._library.announce_blob(uow, blob_hash)
        if blob.refcount == 0:
            uow.enqueue(COLLECT_TASK, blob_hash)

    def sweep_orphans(self, session: Session, blob_hash: BlobHash) -> int:
        """Delete segment files no rendition row names (left by an interrupted attempt)."""
        keep: set[str] = set()
        repo = BlobRepository(session)
        for rendition in repo.renditions(blob_hash):
            keep.add(keys.segment_key(blob_hash, rendition.name, rendition.init_hash, "mp4"))
            for seg in repo.segments(rendition.id):
                keep.add(keys.segment_key(blob_hash, rendition.name, seg.hash, "m4s"))
        removed = 0
        for key in list(self._store.list_prefix(keys.hls_prefix(blob_hash))):
            if key not in keep:
                self._store.delete(key)
                removed += 1
        return removed


def _complete_rendition(session: Session, blob_hash: BlobHash, result: RenditionResult) -> None:
    rendition = BlobRepository(session).rendition(blob_hash, result.rung.name)
    if rendition is None:
        raise LostLease(f"rendition {result.rung.name} missing at publish")
    rendition.codecs = result.codecs
    rendition.sample_rate = result.sample_rate
    rendition.channels = result.channels
    rendition.peak_bandwidth = result.peak_bandwidth
    rendition.average_bandwidth = result.average_bandwidth
    rendition.complete = True


def _publish(
    blob: Blob,
    result: MediaResult,
    tags: dict[str, object],
    artwork_mime: str | None,
    art_sizes: list[int],
    mp3_size: int,
) -> None:
    blob.status = BlobStatus.READY
    blob.playable = True
    blob.error = None
    blob.duration = float(result.duration)
    blob.tags = tags
    loud = result.loudness
    blob.integrated_lufs = loud.integrated_lufs
    blob.loudness_range_lu = loud.loudness_range_lu
    blob.true_peak_dbtp = loud.true_peak_dbtp
    blob.replaygain_track_gain_db = loud.replaygain_track_gain_db
    blob.sample_peak = loud.sample_peak
    blob.fingerprint = result.fingerprint
    blob.fingerprint_duration = (
        float(result.fingerprint_duration) if result.fingerprint_duration is not None else None
    )
    blob.mp3_size = mp3_size
    blob.mp3_bitrate = int(result.mp3_bitrate)
    blob.has_waveform = True
    blob.artwork_mime = artwork_mime
    blob.artwork_sizes = art_sizes
