"""What music apps speaking the Subsonic API keep: app passwords, ratings, bookmarks,
shares.

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from tonearm.models.base import UTCDateTime

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def _user_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["user_id"], ["users.id"], name=f"fk_{table}_user_id_users", ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "app_passwords",
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.Column("sealed", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("last_used_at", UTCDateTime(), nullable=True),
        _user_fk("app_passwords"),
        sa.PrimaryKeyConstraint("user_id", name="pk_app_passwords"),
    )
    op.create_table(
        "ratings",
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("subject_id", sa.String(32), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        _user_fk("ratings"),
        sa.PrimaryKeyConstraint("user_id", "kind", "subject_id", name="pk_ratings"),
    )
    op.create_table(
        "bookmarks",
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.Column("track_id", sa.String(32), nullable=False),
        sa.Column("position_ms", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("changed_at", UTCDateTime(), nullable=False),
        _user_fk("bookmarks"),
        sa.ForeignKeyConstraint(
            ["track_id"], ["tracks.id"], name="fk_bookmarks_track_id_tracks", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "track_id", name="pk_bookmarks"),
    )
    op.create_table(
        "shares",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("owner_id", sa.String(32), nullable=False),
        sa.Column("secret_hash", sa.String(64), nullable=False),
        sa.Column("description", sa.String(500), nullable=True),
        sa.Column("track_ids", sa.JSON(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("last_visited_at", UTCDateTime(), nullable=True),
        sa.Column("visit_count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name="fk_shares_owner_id_users", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_shares"),
        sa.UniqueConstraint("secret_hash", name="uq_shares_secret_hash"),
    )
    op.create_index("ix_shares_owner_id", "shares", ["owner_id"])


def downgrade() -> None:
    op.drop_index("ix_shares_owner_id", table_name="shares")
    op.drop_table("shares")
    op.drop_table("bookmarks")
    op.drop_table("ratings")
    op.drop_table("app_passwords")
