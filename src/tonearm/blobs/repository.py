"""Queries on blobs, their renditions and segments."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from tonearm.media import AudioInfo
from tonearm.models import Blob, Rendition, Segment
from tonearm.types import BlobHash, Seconds


def audio_info(blob: Blob) -> AudioInfo:
    """What probing the original found, as stored on the blob (no second probe)."""
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


class BlobRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, blob_hash: BlobHash, *, for_update: bool = False) -> Blob | None:
        return self.session.get(
            Blob, blob_hash, with_for_update=for_update, populate_existing=for_update
        )

    def insert_if_absent(self, blob: Blob) -> bool:
        """Insert ``blob`` unless a row with its hash exists; True if this call inserted it.

        Two processes storing the same bytes at once both reach here; the database
        decides which one stores the file.
        """
        values = {
            c.key: getattr(blob, c.key)
            for c in Blob.__table__.columns
            if getattr(blob, c.key) is not None
        }
        dialect = self.session.get_bind().dialect.name
        ins = postgresql.insert(Blob) if dialect == "postgresql" else sqlite.insert(Blob)
        stmt = (
            ins.values(**values)
            .on_conflict_do_nothing(index_elements=["hash"])
            .returning(Blob.hash)
        )
        # RETURNING, not rowcount: it names the row this statement really inserted.
        return self.session.execute(stmt).scalar() is not None

    def add_reference(self, blob_hash: BlobHash) -> int:
        """Count one more track on the blob; returns the new count."""
        self.session.execute(
            update(Blob).where(Blob.hash == blob_hash).values(refcount=Blob.refcount + 1)
        )
        return int(self.session.scalar(select(Blob.refcount).where(Blob.hash == blob_hash)) or 0)

    def drop_reference(self, blob_hash: BlobHash) -> int:
        """Count one fewer track; returns the new count (never below zero)."""
        self.session.execute(
            update(Blob)
            .where(Blob.hash == blob_hash, Blob.refcount > 0)
            .values(refcount=Blob.refcount - 1)
        )
        return int(self.session.scalar(select(Blob.refcount).where(Blob.hash == blob_hash)) or 0)

    def delete(self, blob_hash: BlobHash) -> None:
        self.session.execute(delete(Blob).where(Blob.hash == blob_hash))

    def formats(self) -> list[tuple[BlobHash, str, str]]:
        """(hash, container, codec) of every blob not failed yet, to re-check what was accepted."""
        rows = self.session.execute(
            select(Blob.hash, Blob.format_name, Blob.codec).where(Blob.status != "failed")
        )
        return [(BlobHash(h), f, c) for h, f, c in rows]

    def unreferenced(self) -> Sequence[str]:
        return self.session.scalars(select(Blob.hash).where(Blob.refcount == 0)).all()

    # Renditions ----------------------------------------------------------------

    def renditions(self, blob_hash: BlobHash) -> Sequence[Rendition]:
        return self.session.scalars(
            select(Rendition)
            .where(Rendition.blob_hash == blob_hash)
            .order_by(Rendition.bitrate_kbps)
        ).all()

    def rendition(self, blob_hash: BlobHash, name: str) -> Rendition | None:
        return self.session.scalar(
            select(Rendition).where(Rendition.blob_hash == blob_hash, Rendition.name == name)
        )

    def segments(self, rendition_id: int) -> Sequence[Segment]:
        return self.session.scalars(
            select(Segment).where(Segment.rendition_id == rendition_id).order_by(Segment.sequence)
        ).all()

    def clear_renditions(self, blob_hash: BlobHash) -> None:
        ids = select(Rendition.id).where(Rendition.blob_hash == blob_hash)
        self.session.execute(delete(Segment).where(Segment.rendition_id.in_(ids)))
        self.session.execute(delete(Rendition).where(Rendition.blob_hash == blob_hash))
