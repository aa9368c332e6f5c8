"""Chart snapshots (ranked lists per window, kind and sort; each window's state) and
daily play totals per track.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from tonearm.models.base import UTCDateTime

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "chart_windows",
        sa.Column("window", sa.String(8), nullable=False),
        sa.Column("computed_at", UTCDateTime(), nullable=True),
        sa.Column("refreshing_until", UTCDateTime(), nullable=True),
        sa.Column("digest", sa.String(64), nullable=True),
        sa.PrimaryKeyConstraint("window", name="pk_chart_windows"),
    )
    windows = sa.table("chart_windows", sa.column("window", sa.String))
    # One row per window from the start: claiming a refresh is then a conditional UPDATE.
    op.bulk_insert(windows, [{"window": w} for w in ("24h", "7d", "30d", "all")])
    op.create_table(
        "chart_entries",
        sa.Column("window", sa.String(8), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("sort", sa.String(8), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("subject_id", sa.String(32), nullable=False),
        sa.Column("plays", sa.Integer(), nullable=False),
        sa.Column("previous_plays", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("window", "kind", "sort", "rank", name="pk_chart_entries"),
    )
    op.create_table(
        "play_days",
        sa.Column("day", UTCDateTime(), nullable=False),
        sa.Column("track_id", sa.String(32), nullable=False),
        sa.Column("plays", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["track_id"],
            ["tracks.id"],
            name="fk_play_days_track_id_tracks",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("day", "track_id", name="pk_play_days"),
    )
    op.create_table(
        "play_day_marks",
        sa.Column("day", UTCDateTime(), nullable=False),
        sa.Column("rolled_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("day", name="pk_play_day_marks"),
    )


def downgrade() -> None:
    op.drop_table("play_day_marks")
    op.drop_table("play_days")
    op.drop_table("chart_entries")
    op.drop_table("chart_windows")
