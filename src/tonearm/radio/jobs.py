"""``radio.describe``: sound descriptors for blobs processed before descriptors existed
(or with an older ``DESCRIPTOR_VERSION``).

One job for the whole library (subject ``all``), scheduled at start-up when a ready
blob lacks a current descriptor and by ``tonearm radio backfill``. It walks the
missing blobs in hash order, decodes each stored original with ffmpeg to the
pipeline's PCM (``media.describe_file``) and stores the descriptor, each in its own
fenced transaction. Idempotent: a repeat finds fewer blobs missing. A blob ffmpeg
cannot decode is logged and passed over (it failed processing the same way).
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from tonearm.blobs import keys
from tonearm.blobs.features import FeatureRepository
from tonearm.blobs.repository import BlobRepository, audio_info
from tonearm.db.unit_of_work import UnitOfWork, UnitOfWorkFactory
from tonearm.errors import TonearmError
from tonearm.jobs.leases import JobLeases
from tonearm.jobs.runner import RUN_TASK, JobContext
from tonearm.media import Descriptor, MediaTools, describe_file
from tonearm.storage import BlobStore
from tonearm.types import BlobHash

log = logging.getLogger(__name__)

DESCRIBE_KIND = "radio.describe"
SUBJECT = "all"
_BATCH = 50


class DescribeBlobs:
    """The handler of ``radio.describe`` jobs."""

    def __init__(
        self, uows: UnitOfWorkFactory, store: BlobStore, tools: MediaTools, work_root: Path
    ) -> None:
        self._uows = uows
        self._store = store
        self._tools = tools
        self._work_root = work_root

    def schedule(self, uow: UnitOfWork) -> bool:
        """Queue the backfill (after commit) if any ready blob lacks a descriptor."""
        if not FeatureRepository(uow.session).count_missing():
            return False
        job = JobLeases(uow.session).schedule(DESCRIBE_KIND, SUBJECT)
        uow.enqueue(RUN_TASK, job.id)
        return True

    def missing(self) -> int:
        with self._uows.read() as session:
            return FeatureRepository(session).count_missing()

    def run(self, ctx: JobContext) -> None:
        total = max(1, self.missing())
        done = 0

        def report(blob_hash: BlobHash) -> None:
            nonlocal done
            done += 1
            ctx.report(min(99.0, 100.0 * done / total), "describing")

        def fenced(uow: UnitOfWork) -> None:
            JobLeases(uow.session).check(ctx.claim)

        self.describe_all(fenced, report, cancelled=ctx.cancel.is_set)

    def describe_all(
        self,
        fence: Callable[[UnitOfWork], None],
        progress: Callable[[BlobHash], None],
        cancelled: Callable[[], bool] = lambda: False,
    ) -> int:
        """Describe every blob missing a descriptor; returns how many were stored.

        ``fence`` runs in each storing transaction (a job checks its lease there)."""
        stored = 0
        after: BlobHash | None = None
        while not cancelled():
            with self._uows.read() as session:
                batch = FeatureRepository(session).missing(_BATCH, after)
            if not batch:
                break
            for blob_hash in batch:
                if cancelled():
                    break
                after = blob_hash
                descriptor = self._describe(blob_hash)
                if descriptor is not None:
                    with self._uows() as uow:
                        fence(uow)
                        if BlobRepository(uow.session).get(blob_hash) is not None:
                            FeatureRepository(uow.session).save(blob_hash, descriptor)
                            stored += 1
                progress(blob_hash)
        return stored

    def _describe(self, blob_hash: BlobHash) -> Descriptor | None:
        with self._uows.read() as session:
            blob = BlobRepository(session).get(blob_hash)
            if blob is None:
                return None
            key = keys.original_key(blob.hash, blob.original_ext)
            info = audio_info(blob)
        self._work_root.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=self._work_root) as tmp:
            try:
                source = self._store.local_path(key)
                if source is None:
                    source = Path(tmp) / ("source." + key.rsplit(".", 1)[-1])
                    with self._store.open(key) as src, source.open("wb") as out:
                        shutil.copyfileobj(src, out, 1024 * 1024)
                return describe_file(source, info, self._tools)
            except (TonearmError, OSError, KeyError) as exc:
                log.warning("no descriptor for blob %s: %s", blob_hash, exc)
                return None

    def gave_up(self, uow: UnitOfWork, subject: str, reason: str) -> None:
        """Nothing to mark: blobs without a descriptor are found again next time."""
        log.warning("descriptor backfill gave up: %s", reason)
