"""Sound descriptors per blob, radio sessions, track feedback.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from tonearm.models.base import UTCDateTime

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "blob_features",
        sa.Column("blob_hash", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.Column("tempo_bpm", sa.Float(), nullable=False),
        sa.Column("key", sa.String(2), nullable=False),
        sa.Column("mode", sa.String(5), nullable=False),
        sa.Column("computed_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["blob_hash"],
            ["blobs.hash"],
            name="fk_blob_features_blob_hash_blobs",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("blob_hash", name="pk_blob_features"),
    )
    op.create_index("ix_blob_features_computed_at", "blob_features", ["computed_at"])
    op.create_table(
        "radio_sessions",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.Column("seed_kind", sa.String(16), nullable=False),
        sa.Column("seed_id", sa.String(32), nullable=False),
        sa.Column("title", sa.String(600), nullable=False),
        sa.Column("seed_vector", sa.LargeBinary(), nullable=False),
        sa.Column("target_vector", sa.LargeBinary(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("cycle_start", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_radio_sessions_user_id_users", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_radio_sessions"),
    )
    op.create_index("ix_radio_sessions_user_recent", "radio_sessions", ["user_id", "updated_at"])
    op.create_table(
        "radio_tracks",
        sa.Column("radio_id", sa.String(32), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("track_id", sa.String(32), nullable=False),
        sa.Column("blob_hash", sa.String(64), nullable=False),
        sa.Column("artist_key", sa.String(500), nullable=True),
        sa.Column("served_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["radio_id"],
            ["radio_sessions.id"],
            name="fk_radio_tracks_radio_id_radio_sessions",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("radio_id", "position", name="pk_radio_tracks"),
    )
    op.create_table(
        "track_feedback",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.Column("track_id", sa.String(32), nullable=False),
        sa.Column("blob_hash", sa.String(64), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("position_s", sa.Float(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_track_feedback_user_id_users", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["track_id"],
            ["tracks.id"],
            name="fk_track_feedback_track_id_tracks",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_track_feedback"),
    )
    op.create_index("ix_track_feedback_user_recent", "track_feedback", ["user_id", "created_at"])
    op.create_index("ix_track_feedback_track", "track_feedback", ["track_id"])


def downgrade() -> None:
    op.drop_table("track_feedback")
    op.drop_table("radio_tracks")
    op.drop_table("radio_sessions")
    op.drop_index("ix_blob_features_computed_at", table_name="blob_features")
    op.drop_table("blob_features")
