"""Chart snapshots: the ranked lists ``GET /api/charts`` serves, and when each was made.

Reading a 30-day chart from ``play_hours`` scans every track's hours for 60 days (the
window and the one before it, for trending): 31 s on SQLite at ten million plays. A
snapshot makes the read an index range of at most 100 rows; it is rebuilt when older
than ``listening.chart_refresh_s`` (``listening/charts.py``) from daily totals for the
whole days of a window and ``play_hours`` only for its partial first and last days.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from tonearm.models.base import Base, UTCDateTime
from tonearm.types import TrackId


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


class PlayDay(Base):
    """Counted plays per track and closed UTC day, summed from ``play_hours`` by the
    chart refresh (the write side keeps hours only)."""

    __tablename__ = "play_days"

    day: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    """Midnight UTC starting the day."""
    track_id: Mapped[TrackId] = mapped_column(
        ForeignKey("tracks.id", ondelete="CASCADE"), primary_key=True
    )
    plays: Mapped[int] = mapped_column(Integer)


class PlayDayMark(Base):
    """A day whose ``play_days`` rows are written, and when (a day rolled soon after
    it ended is rolled again once, for plays flushed late)."""

    __tablename__ = "play_day_marks"

    day: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    rolled_at: Mapped[datetime] = mapped_column(UTCDateTime)
