"""Chart snapshots: the ranked lists ``GET /api/charts`` serves, and when each was made.

Reading a 30-day chart from ``play_hours`` scans every track's hours for 60 days (the
window and the one before it, for trending): seconds at ten million plays. A snapshot
makes the read an index range of at most 100 rows; it is rebuilt from the rollups when
older than ``listening.chart_refresh_s`` (``listening/charts.py``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from tonearm.models.base import Base, UTCDateTime


class ChartWindow(Base):
    """One chart window's state: when it was computed and whether someone is at it."""

    __tablename__ = "chart_windows"

    window: Mapped[str] = mapped_column(String(8), primary_key=True)
    """``24h``, ``7d``, ``30d`` or ``all``."""
    computed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    """None: never computed (the row exists only as the refresh claim)."""
    refreshing_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    """A process claimed the refresh until then (single flight across processes); a
    claim that outlives its holder simply expires."""
    digest: Mapped[str | None] = mapped_column(String(64))
    """SHA-256 of the entries: a refresh that changes it announces the window."""


class ChartEntry(Base):
    """One ranked subject of one chart (window x kind x sort)."""

    __tablename__ = "chart_entries"

    window: Mapped[str] = mapped_column(String(8), primary_key=True)
    kind: Mapped[str] = mapped_column(String(8), primary_key=True)
    """``tracks``, ``artists`` or ``albums``."""
    sort: Mapped[str] = mapped_column(String(8), primary_key=True)
    """``top`` or ``trending``."""
    rank: Mapped[int] = mapped_column(Integer, primary_key=True)
    subject_id: Mapped[str] = mapped_column(String(32))
    """The track, artist or album id."""
    plays: Mapped[int] = mapped_column(Integer)
    previous_plays: Mapped[int] = mapped_column(Integer)
    """Plays in the window of the same length just before (0 for ``all``)."""
    score: Mapped[float] = mapped_column(Float)
    """What the list is sorted by: plays (top) or growth (trending)."""
