"""``blobs.process``: one attempt at turning a blob's original into everything we serve.

The job runner (``jobs/runner.py``) claims the job, keeps its lease alive and settles
failures; this handler only does the work. See ``ingest/README.md`` for the state
machine.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path

from tonearm.blobs import keys
from tonearm.db.unit_of_work import UnitOfWork, UnitOfWorkFactory
from tonearm.jobs.runner import JobContext
from tonearm.media import (
    AudioInfo,
    MediaTools,
    Rung,
    SegmentFile,
    process_audio,
    read_artwork,
    shape_ladder,
)
from tonearm.media import read_tags as read_media_tags
from tonearm.processing.service import ProcessingService
from tonearm.storage import BlobStore
from tonearm.types import BlobHash, Kbps

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PipelineConfig:
    work_root: Path
    rungs: tuple[Rung, ...]
    segment_seconds: float
    mp3_kbps: Kbps
    timeout_s: float


class ProcessBlob:
    """The handler of ``blobs.process`` jobs (subject: the blob hash)."""

    def __init__(
        self,
        uows: UnitOfWorkFactory,
        store: BlobStore,
        tools: MediaTools,
        processing: ProcessingService,
        config: PipelineConfig,
    ) -> None:
        self._uows = uows
        self._store = store
        self._tools = tools
        self._processing = processing
        self._config = config

    def run(self, ctx: JobContext) -> None:
        claim = ctx.claim
        with self._uows() as uow:
            started = self._processing.start(uow, claim)
        if started is None:
            return  # the blob is gone: nothing to do, the job is done
        workdir = self._config.work_root / f"job-{claim.job_id}-{claim.token}"
        for old in self._config.work_root.glob(f"job-{claim.job_id}-*"):
            shutil.rmtree(old, ignore_errors=True)
        workdir.mkdir(parents=True, exist_ok=True)
        try:
            self._run(ctx, started.info, started.original_key, workdir)
        finally:
            shutil.rmtree(workdir, ignore_errors=True)

    def gave_up(self, uow: UnitOfWork, subject: str, reason: str) -> None:
        self._processing.fail(uow, BlobHash(subject), reason)
        uow.after_commit(lambda: self._sweep(BlobHash(subject)))

    def _run(self, ctx: JobContext, info: AudioInfo, original: str, workdir: Path) -> None:
        claim = ctx.claim
        blob_hash = BlobHash(claim.subject)
        source = self._local_copy(original, workdir)
        ctx.report(1.0, "reading tags")
        tags = read_media_tags(source, info)
        artwork = read_artwork(source, info, self._tools)
        art_sizes: list[int] = []
        if artwork is not None:
            self._store.put_bytes(keys.artwork_key(blob_hash, None), artwork.original)
            for size, data in sorted(artwork.thumbnails.items()):
                self._store.put_bytes(keys.artwork_key(blob_hash, size), data)
                art_sizes.append(size)
        # The rungs this source can fill: the last of them to start makes it playable.
        rungs = shape_ladder(self._config.rungs, info)
        publisher = _Publisher(self._uows, self._processing, ctx, rungs)
        result = process_audio(
            source,
            info,
            workdir / "out",
            self._tools,
            publisher,
            rungs=self._config.rungs,
            segment_seconds=self._config.segment_seconds,
            mp3_bitrate=self._config.mp3_kbps,
            cancel=ctx.cancel,
            timeout=self._config.timeout_s,
        )
        ctx.report(99.0, "publishing")
        mp3_size = result.mp3_path.stat().st_size
        self._store.put_file(keys.mp3_key(blob_hash), result.mp3_path, move=True)
        self._store.put_bytes(
            keys.waveform_key(blob_hash),
            json.dumps(result.waveform, separators=(",", ":")).encode(),
        )
        for rendition in result.renditions:
            for segment in rendition.segments:
                publisher.segment_ready(rendition.rung, rendition.init_path, segment)
        with self._uows() as uow:
            self._processing.complete(
                uow,
                claim,
                result,
                tags=dataclasses.asdict(tags),
                artwork_mime=artwork.mime if artwork else None,
                artwork_sizes=art_sizes,
                mp3_size=mp3_size,
            )
            ctx.finished[0] = True
        self._sweep(blob_hash)
        log.info(
            "blob %s ready (%.1f s, %.1f LUFS)",
            blob_hash,
            result.duration,
            result.loudness.integrated_lufs,
        )

    def _sweep(self, blob_hash: BlobHash) -> None:
        with self._uows.read() as session:
            self._processing.sweep_orphans(session, blob_hash)

    def _local_copy(self, key: str, workdir: Path) -> Path:
        local = self._store.local_path(key)
        if local is not None:
            return local
        dest = workdir / ("source." + key.rsplit(".", 1)[-1])
        with self._store.open(key) as src, dest.open("wb") as out:
            shutil.copyfileobj(src, out, 1024 * 1024)
        return dest


class _Publisher:
    """Publishes each finished segment at once, so playback can start while encoding."""

    def __init__(
        self,
        uows: UnitOfWorkFactory,
        processing: ProcessingService,
        ctx: JobContext,
        rungs: tuple[Rung, ...],
    ) -> None:
        self._uows = uows
        self._processing = processing
        self._ctx = ctx
        self._rungs = rungs
        self._published: set[tuple[str, int]] = set()
        self._started: set[str] = set()
        self._lock = threading.Lock()

    def progress(self, percent: float, step: str) -> None:
        self._ctx.report(min(98.0, 2.0 + percent * 0.96), step)

    def segment_ready(self, rung: Rung, init_path: Path, segment: SegmentFile) -> None:
        with self._lock:
            if (rung.name, segment.sequence) in self._published:
                return
            # The first segment of the last rung to start makes the track playable.
            makes_playable = (
                rung.name not in self._started and len(self._started) == len(self._rungs) - 1
            )
            with self._uows() as uow:
                self._processing.publish_segment(
                    uow, self._ctx.claim, rung, init_path, segment, makes_playable=makes_playable
                )
            self._started.add(rung.name)
            self._published.add((rung.name, segment.sequence))
