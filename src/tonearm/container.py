"""The composition root: everything built from ``Settings``, top to bottom.

The HTTP app, the worker and the CLI all start here; nothing below reads settings
or builds its own dependencies.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass, field

from sqlalchemy import Engine

from tonearm.db import migrate
from tonearm.db.engine import make_engine, make_session_factory
from tonearm.db.unit_of_work import UnitOfWorkFactory
from tonearm.ingest.jobs import CollectBlob, ExpireUploads
from tonearm.ingest.pipeline import PipelineConfig, ProcessBlob
from tonearm.ingest.service import COLLECT_TASK, PROCESS_TASK, IngestService, Limits
from tonearm.ingest.staging import StagingArea
from tonearm.ingest.uploads import UploadService
from tonearm.library.service import LibraryService
from tonearm.media import MediaTools, Rung
from tonearm.queue import TaskQueue, open_queue
from tonearm.settings import Settings
from tonearm.storage import BlobStore, open_store
from tonearm.streaming.fastpath import SegmentCache
from tonearm.streaming.service import StreamingService
from tonearm.streaming.signing import UrlSigner
from tonearm.types import Kbps, Seconds

EXPIRE_TASK = "uploads.expire"


@dataclass
class Container:
    settings: Settings
    engine: Engine
    read_engine: Engine
    uows: UnitOfWorkFactory
    store: BlobStore
    queue: TaskQueue
    tools: MediaTools
    staging: StagingArea
    signer: UrlSigner
    segment_cache: SegmentCache
    ingest: IngestService
    uploads: UploadService
    library: LibraryService
    streaming: StreamingService
    process_blob: ProcessBlob
    collect_blob: CollectBlob
    expire_uploads: ExpireUploads
    worker_name: str = field(default="")

    def migrate(self) -> None:
        migrate.upgrade(self.engine)

    def close(self) -> None:
        self.engine.dispose()
        self.read_engine.dispose()


def build(settings: Settings) -> Container:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    settings.tmp_dir.mkdir(parents=True, exist_ok=True)

    url = settings.resolved_database_url()
    engine = make_engine(url)
    read_engine = make_engine(url, readonly=True)
    queue = open_queue(settings.resolved_queue_url())
    uows = UnitOfWorkFactory(make_session_factory(engine), make_session_factory(read_engine), queue)
    store = open_store(
        settings.resolved_storage_url(),
        s3_endpoint_url=settings.s3_endpoint_url,
        s3_region=settings.s3_region,
        s3_access_key_id=settings.s3_access_key_id,
        s3_secret_access_key=settings.s3_secret_access_key,
        s3_path_style=settings.s3_path_style,
        s3_multipart_threshold_bytes=settings.s3_multipart_threshold_bytes,
        s3_part_size_bytes=settings.s3_part_size_bytes,
    )
    tools = MediaTools(ffmpeg=settings.ffmpeg, ffprobe=settings.ffprobe, fpcalc=settings.fpcalc)
    staging = StagingArea(settings.tmp_dir / "uploads")
    signer = UrlSigner(settings.resolved_secret_key(), settings.signed_url_ttl_s)
    worker_name = f"{socket.gethostname()}:{os.getpid()}"

    ingest = IngestService(
        store, tools, Limits(Seconds(settings.min_duration_s), Seconds(settings.max_duration_s))
    )
    uploads = UploadService(staging, settings.max_upload_bytes, settings.upload_expiry_s)
    library = LibraryService()
    streaming = StreamingService(signer, settings.segment_seconds)

    process_blob = ProcessBlob(
        uows,
        store,
        tools,
        PipelineConfig(
            work_root=settings.tmp_dir / "work",
            worker_name=worker_name,
            lease_s=settings.job_lease_s,
            max_attempts=settings.job_max_attempts,
            rungs=tuple(Rung(f"{k}k", Kbps(k)) for k in sorted(settings.ladder_kbps)),
            segment_seconds=settings.segment_seconds,
            mp3_kbps=Kbps(settings.mp3_kbps),
            timeout_s=settings.job_timeout_s,
        ),
        on_unreferenced=lambda blob_hash: queue.enqueue(COLLECT_TASK, blob_hash),
    )
    collect_blob = CollectBlob(uows, store)
    expire_uploads = ExpireUploads(uows, staging, grace_s=settings.upload_expiry_s)

    queue.register(PROCESS_TASK, process_blob)
    queue.register(COLLECT_TASK, collect_blob)
    queue.register(EXPIRE_TASK, expire_uploads)

    return Container(
        settings=settings,
        engine=engine,
        read_engine=read_engine,
        uows=uows,
        store=store,
        queue=queue,
        tools=tools,
        staging=staging,
        signer=signer,
        segment_cache=SegmentCache(settings.segment_cache_bytes),
        ingest=ingest,
        uploads=uploads,
        library=library,
        streaming=streaming,
        process_blob=process_blob,
        collect_blob=collect_blob,
        expire_uploads=expire_uploads,
        worker_name=worker_name,
    )
