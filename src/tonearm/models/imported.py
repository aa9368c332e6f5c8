"""The import ledger: which file of a folder became which track, as it was then.

``tonearm import`` skips a file whose path, size and modification time match its row
without reading it, so re-running an import over a large library costs one ``stat``
per file. The row goes with its track.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tonearm.models.base import Base, UTCDateTime, utcnow
from tonearm.types import BlobHash, TrackId, UserId


class ImportedFile(Base):
    __tablename__ = "import_files"

    owner_id: Mapped[UserId] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    path_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    """SHA-256 of ``path``: paths can be longer than an index entry may be."""
    path: Mapped[str] = mapped_column(Text)
    size: Mapped[int] = mapped_column(BigInteger)
    mtime_ns: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[BlobHash] = mapped_column(String(64))
    track_id: Mapped[TrackId] = mapped_column(
        ForeignKey("tracks.id", ondelete="CASCADE"), index=True
    )
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
