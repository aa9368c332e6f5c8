"""Play sessions and their counters: plays, hourly rollups, per-track and per-listener totals.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from tonearm.models.base import UTCDateTime

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def _fk(table: str, column: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=f"fk_{table}_{column}_{target}", ondelete=ondelete
    )


def upgrade() -> None:
    op.create_table(
        "plays",
        sa.Column("session", sa.String(64), nullable=False),
        sa.Column("track_id", sa.String(32), nullable=False),
        sa.Column("owner_id", sa.String(32), nullable=True),
        sa.Column("user_id", sa.String(32), nullable=True),
        sa.Column("listener", sa.String(64), nullable=False),
        sa.Column("rung", sa.String(32), nullable=False),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("counted_at", UTCDateTime(), nullable=True),
        sa.Column("ended_at", UTCDateTime(), nullable=True),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.Column("stop_ms", sa.Integer(), nullable=True),
        _fk("plays", "track_id", "tracks", "CASCADE"),
        _fk("plays", "owner_id", "users", "SET NULL"),
        _fk("plays", "user_id", "users", "SET NULL"),
        sa.PrimaryKeyConstraint("session", name="pk_plays"),
    )
    op.create_index("ix_plays_track_counted", "plays", ["track_id", "counted_at"])
    op.create_index("ix_plays_owner_counted", "plays", ["owner_id", "counted_at"])
    op.create_index("ix_plays_user_started", "plays", ["user_id", "started_at"])
    op.create_index("ix_plays_started", "plays", ["started_at"])
    op.create_table(
        "play_hours",
        sa.Column("hour", UTCDateTime(), nullable=False),
        sa.Column("track_id", sa.String(32), nullable=False),
        sa.Column("rung", sa.String(32), nullable=False),
        sa.Column("plays", sa.Integer(), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        _fk("play_hours", "track_id", "tracks", "CASCADE"),
        sa.PrimaryKeyConstraint("hour", "track_id", "rung", name="pk_play_hours"),
    )
    op.create_index("ix_play_hours_track_hour", "play_hours", ["track_id", "hour"])
    op.create_table(
        "track_plays",
        sa.Column("track_id", sa.String(32), nullable=False),
        sa.Column("plays", sa.Integer(), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.Column("last_played_at", UTCDateTime(), nullable=True),
        _fk("track_plays", "track_id", "tracks", "CASCADE"),
        sa.PrimaryKeyConstraint("track_id", name="pk_track_plays"),
    )
    op.create_index("ix_track_plays_plays", "track_plays", ["plays"])
    op.create_table(
        "listener_tracks",
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.Column("track_id", sa.String(32), nullable=False),
        sa.Column("plays", sa.Integer(), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.Column("last_played_at", UTCDateTime(), nullable=True),
        _fk("listener_tracks", "user_id", "users", "CASCADE"),
        _fk("listener_tracks", "track_id", "tracks", "CASCADE"),
        sa.PrimaryKeyConstraint("user_id", "track_id", name="pk_listener_tracks"),
    )
    op.create_index("ix_listener_tracks_recent", "listener_tracks", ["user_id", "last_played_at"])
    op.create_index("ix_listener_tracks_most", "listener_tracks", ["user_id", "plays"])


def downgrade() -> None:
    op.drop_table("listener_tracks")
    op.drop_table("track_plays")
    op.drop_table("play_hours")
    op.drop_table("plays")
