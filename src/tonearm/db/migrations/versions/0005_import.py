"""The import ledger: files ``tonearm import`` turned into tracks.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import tonearm.models.base

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "import_files",
        sa.Column("owner_id", sa.String(length=32), nullable=False),
        sa.Column("path_key", sa.String(length=64), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("mtime_ns", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("track_id", sa.String(length=32), nullable=False),
        sa.Column("imported_at", tonearm.models.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["users.id"],
            name=op.f("fk_import_files_owner_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["track_id"],
            ["tracks.id"],
            name=op.f("fk_import_files_track_id_tracks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("owner_id", "path_key", name=op.f("pk_import_files")),
    )
    with op.batch_alter_table("import_files", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_import_files_track_id"), ["track_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("import_files", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_import_files_track_id"))
    op.drop_table("import_files")
