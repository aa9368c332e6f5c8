"""The processing job: one attempt at turning a blob's original into everything we serve.

See ``ingest/README.md`` for the state machine. Every database write here is fenced
by the attempt's token, so an attempt that lost its lease publishes nothing.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from tonearm.db.unit_of_work import UnitOfWorkFactory
from tonearm.errors import TonearmError
from tonearm.ingest import keys
from tonearm.ingest.repository import BlobRepository
from tonearm.ingest.staging import file_sha256
from tonearm.library.repository import TrackRepository
from tonearm.media import (
    AAC_LC_CODECS,
    AudioInfo,
    MediaResult,
    MediaTools,
    RenditionResult,
    Rung,
    SegmentFile,
    process_audio,
    read_artwork,
    read_tags,
)
from tonearm.models import Blob, BlobStatus, Rendition, Segment
from tonearm.queue.leases import Claim, JobLeases, LostLease
from tonearm.storage import BlobStore
from tonearm.types import JobId, Kbps, Seconds

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PipelineConfig:
    work_root: Path
    worker_name: str
    lease_s: float
    max_attempts: int
    rungs: tuple[Rung, ...]
    segment_seconds: float
    mp3_kbps: Kbps
    timeout_s: float


class ProcessBlob:
    """``media.process(job_id)``: claim the job, run the media pipeline, publish results."""

    def __init__(
        self,
        uows: UnitOfWorkFactory,
        store: BlobStore,
        tools: MediaTools,
        config: PipelineConfig,
        on_unreferenced: Callable[[str], None],
    ) -> None:
        self._uows = uows
        self._store = store
        self._tools = tools
        self._config = config
        self._on_unreferenced = on_unreferenced

    def __call__(self, job_id: int) -> None:
        with self._uows() as uow:
            # Lock order everywhere: the blob row, then the job row (uploads lock the
            # blob and may then requeue its job; the reverse order deadlocks).
            leases = JobLeases(uow.session)
            blob_hash = leases.blob_of(JobId(job_id))
            blob = (
                BlobRepository(uow.session).get(blob_hash, for_update=True) if blob_hash else None
            )
            if blob is None:
                return
            claim = leases.claim(
                JobId(job_id),
                lease_s=self._config.lease_s,
                worker=self._config.worker_name,
                max_attempts=self._config.max_attempts,
            )
            if claim is None:
                return
            blob.status = BlobStatus.PROCESSING
            blob.playable = False
            blob.error = None
            # A previous attempt may have published part of a ladder: start clean.
            BlobRepository(uow.session).clear_renditions(blob.hash)
            info = _info_of(blob)
            original = keys.original_key(blob.hash, blob.original_ext)
        log.info("processing blob %s (job %s, attempt %s)", claim.blob_hash, job_id, claim.attempt)
        workdir = self._config.work_root / f"job-{job_id}-{claim.token}"
        self._clear_old_workdirs(job_id)
        workdir.mkdir(parents=True, exist_ok=True)
        cancel = threading.Event()
        heart = _Heartbeat(self._uows, claim, self._config.lease_s, cancel)
        heart.start()
        try:
            self._run(claim, info, original, workdir, cancel, heart)
        except Exception as exc:
            if isinstance(exc, LostLease) or cancel.is_set():
                # Another attempt owns the job now: touch nothing, not even files.
                log.warning("job %s attempt %s lost its lease", job_id, claim.attempt)
            elif isinstance(exc, TonearmError):
                self._fail(claim, exc.message)
            else:
                log.exception("job %s attempt %s crashed", job_id, claim.attempt)
                self._retry_or_fail(claim, exc)
        finally:
            heart.stop()
            shutil.rmtree(workdir, ignore_errors=True)

    def _run(
        self,
        claim: Claim,
        info: AudioInfo,
        original: str,
        workdir: Path,
        cancel: threading.Event,
        heart: _Heartbeat,
    ) -> None:
        source = self._local_copy(original, workdir)
        heart.report(1.0, "reading tags")
        tags = read_tags(source, info)
        artwork = read_artwork(source, info, self._tools)
        art_sizes: list[int] = []
        if artwork is not None:
            self._store.put_bytes(keys.artwork_key(claim.blob_hash, None), artwork.original)
            for size, data in sorted(artwork.thumbnails.items()):
                self._store.put_bytes(keys.artwork_key(claim.blob_hash, size), data)
                art_sizes.append(size)
        publisher = _Publisher(self._uows, self._store, claim, self._config.rungs, heart)
        result = process_audio(
            source,
            info,
            workdir / "out",
            self._tools,
            publisher,
            rungs=self._config.rungs,
            segment_seconds=self._config.segment_seconds,
            mp3_bitrate=self._config.mp3_kbps,
            cancel=cancel,
            timeout=self._config.timeout_s,
        )
        heart.report(99.0, "publishing")
        mp3_size = result.mp3_path.stat().st_size
        self._store.put_file(keys.mp3_key(claim.blob_hash), result.mp3_path, move=True)
        self._store.put_bytes(
            keys.waveform_key(claim.blob_hash),
            json.dumps(result.waveform, separators=(",", ":")).encode(),
        )
        for rendition in result.renditions:
            for segment in rendition.segments:
                publisher.segment_ready(rendition.rung, rendition.init_path, segment)
        with self._uows() as uow:
            blob = BlobRepository(uow.session).get(claim.blob_hash, for_update=True)
            if blob is None:
                raise LostLease("blob deleted while processing")
            JobLeases(uow.session).finish(claim)
            _publish(
                blob,
                result,
                dataclasses.asdict(tags),
                artwork.mime if artwork else None,
                art_sizes,
                mp3_size,
            )
            for rendition in result.renditions:
                _complete_rendition(uow.session, claim.blob_hash, rendition)
            TrackRepository(uow.session).apply_tags(claim.blob_hash, dataclasses.asdict(tags))
            refcount = blob.refcount
        self._sweep_orphans(claim.blob_hash)
        log.info(
            "blob %s ready (%.1f s, %.1f LUFS)",
            claim.blob_hash,
            result.duration,
            result.loudness.integrated_lufs,
        )
        if refcount == 0:
            self._on_unreferenced(claim.blob_hash)

    def _local_copy(self, key: str, workdir: Path) -> Path:
        local = self._store.local_path(key)
        if local is not None:
            return local
        dest = workdir / ("source." + key.rsplit(".", 1)[-1])
        with self._store.open(key) as src, dest.open("wb") as out:
            shutil.copyfileobj(src, out, 1024 * 1024)
        return dest

    def _fail(self, claim: Claim, reason: str) -> None:
        log.info("blob %s failed: %s", claim.blob_hash, reason)
        try:
            with self._uows() as uow:
                blob = BlobRepository(uow.session).get(claim.blob_hash, for_update=True)
                JobLeases(uow.session).fail(claim, reason)
                if blob is not None:
                    blob.status = BlobStatus.FAILED
                    blob.error = reason
                    blob.playable = False
                    BlobRepository(uow.session).clear_renditions(blob.hash)
        except LostLease:
            return  # the files may be a newer attempt's: leave them
        self._sweep_orphans(claim.blob_hash)

    def _retry_or_fail(self, claim: Claim, exc: Exception) -> None:
        if claim.attempt >= self._config.max_attempts:
            self._fail(
                claim,
                "Processing failed because of an internal error; the server log has the details.",
            )
            return
        with contextlib.suppress(LostLease), self._uows() as uow:
            JobLeases(uow.session).release(claim, f"{type(exc).__name__}: {exc}")
            uow.enqueue("media.process", claim.job_id)

    def _sweep_orphans(self, blob_hash: str) -> None:
        """Delete segment files no rendition row names (left by an interrupted attempt)."""
        with self._uows.read() as session:
            keep: set[str] = set()
            for rendition in BlobRepository(session).renditions(blob_hash):
                keep.add(keys.segment_key(blob_hash, rendition.name, rendition.init_hash, "mp4"))
                for seg in BlobRepository(session).segments(rendition.id):
                    keep.add(keys.segment_key(blob_hash, rendition.name, seg.hash, "m4s"))
        for key in list(self._store.list_prefix(keys.hls_prefix(blob_hash))):
            if key not in keep:
                self._store.delete(key)

    def _clear_old_workdirs(self, job_id: int) -> None:
        for old in self._config.work_root.glob(f"job-{job_id}-*"):
            shutil.rmtree(old, ignore_errors=True)


class _Heartbeat:
    """Extends the lease while the attempt runs; cancels the work if the lease is lost."""

    def __init__(
        self, uows: UnitOfWorkFactory, claim: Claim, lease_s: float, cancel: threading.Event
    ) -> None:
        self._uows = uows
        self._claim = claim
        self._lease_s = lease_s
        self._cancel = cancel
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="job-heartbeat", daemon=True)
        self._progress: tuple[float, str] | None = None
        self._last_report = 0.0
        self._lock = threading.Lock()

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def report(self, percent: float, step: str) -> None:
        """Record progress; written with the next beat, at most about once a second."""
        with self._lock:
            self._progress = (percent, step)
        if time.monotonic() - self._last_report >= 1.0:
            self._beat()

    def _beat(self) -> None:
        with self._lock:
            progress = self._progress
            self._progress = None
            self._last_report = time.monotonic()
        try:
            with self._uows() as uow:
                JobLeases(uow.session).heartbeat(
                    self._claim,
                    lease_s=self._lease_s,
                    progress=progress[0] if progress else None,
                    step=progress[1] if progress else None,
                )
        except LostLease:
            self._cancel.set()
        except Exception:
            log.exception("heartbeat failed")

    def _loop(self) -> None:
        interval = max(0.5, self._lease_s / 3)
        while not self._stop.wait(interval):
            self._beat()
            if self._cancel.is_set():
                return


class _Publisher:
    """Publishes each finished segment at once, so playback can start while encoding."""

    def __init__(
        self,
        uows: UnitOfWorkFactory,
        store: BlobStore,
        claim: Claim,
        rungs: tuple[Rung, ...],
        heart: _Heartbeat,
    ) -> None:
        self._uows = uows
        self._store = store
        self._claim = claim
        self._rungs = rungs
        self._heart = heart
        self._published: set[tuple[str, int]] = set()
        self._started: set[str] = set()
        self._lock = threading.Lock()

    def progress(self, percent: float, step: str) -> None:
        self._heart.report(min(98.0, 2.0 + percent * 0.96), step)

    def segment_ready(self, rung: Rung, init_path: Path, segment: SegmentFile) -> None:
        with self._lock:
            if (rung.name, segment.sequence) in self._published:
                return
            blob_hash = self._claim.blob_hash
            init_hash = file_sha256(init_path)
            self._store.put_file(
                keys.segment_key(blob_hash, rung.name, init_hash, "mp4"), init_path
            )
            seg_hash = file_sha256(segment.path)
            size = segment.path.stat().st_size
            self._store.put_file(
                keys.segment_key(blob_hash, rung.name, seg_hash, "m4s"), segment.path
            )
            # The first segment of the last rung to start makes the track playable.
            becomes_playable = (
                rung.name not in self._started and len(self._started) == len(self._rungs) - 1
            )
            with self._uows() as uow:
                repo = BlobRepository(uow.session)
                # Lock order everywhere: the blob row before the job row.
                blob = repo.get(blob_hash, for_update=True) if becomes_playable else None
                JobLeases(uow.session).check(self._claim)
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
            self._started.add(rung.name)
            self._published.add((rung.name, segment.sequence))


def _complete_rendition(session: Session, blob_hash: str, result: RenditionResult) -> None:
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


def _info_of(blob: Blob) -> AudioInfo:
    return AudioInfo(
        format_name=blob.format_name,
        codec=blob.codec,
        sample_rate=blob.sample_rate,
        channels=blob.channels,
        bits_per_sample=blob.bits_per_sample,
        duration=Seconds(blob.duration),
        bit_rate=blob.bit_rate,
        has_cover=blob.has_cover,
    )
