"""Reading and writing sound descriptors (``blob_features``), for processing and radio."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from tonearm.media import DESCRIPTOR_VERSION, Descriptor
from tonearm.models import Blob, BlobFeatures, BlobStatus, utcnow
from tonearm.types import BlobHash


class FeatureRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def save(self, blob_hash: BlobHash, descriptor: Descriptor) -> None:
        """Insert or replace the blob's descriptor (idempotent: same audio, same row)."""
        row = self.session.get(BlobFeatures, blob_hash)
        if row is None:
            row = BlobFeatures(blob_hash=blob_hash)
            self.session.add(row)
        row.version = descriptor.version
        row.vector = descriptor.to_bytes()
        row.tempo_bpm = float(descriptor.tempo_bpm)
        row.key = descriptor.key
        row.mode = descriptor.mode
        row.computed_at = utcnow()

    def missing(self, limit: int, after: BlobHash | None = None) -> Sequence[BlobHash]:
        """Ready blobs without a current descriptor, by hash, after ``after``."""
        q = (
            select(Blob.hash)
            .outerjoin(BlobFeatures, BlobFeatures.blob_hash == Blob.hash)
            .where(
                Blob.status == BlobStatus.READY,
                or_(BlobFeatures.blob_hash.is_(None), BlobFeatures.version != DESCRIPTOR_VERSION),
            )
            .order_by(Blob.hash)
            .limit(limit)
        )
        if after is not None:
            q = q.where(Blob.hash > after)
        return [BlobHash(h) for h in self.session.scalars(q)]

    def count_missing(self) -> int:
        q = (
            select(func.count())
            .select_from(Blob)
            .outerjoin(BlobFeatures, BlobFeatures.blob_hash == Blob.hash)
            .where(
                Blob.status == BlobStatus.READY,
                or_(BlobFeatures.blob_hash.is_(None), BlobFeatures.version != DESCRIPTOR_VERSION),
            )
        )
        return int(self.session.scalar(q) or 0)
