"""Jobs of any kind; per-track dedup flag; upload records go with their track.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import tonearm.models.base

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _new_jobs_table() -> None:
    op.create_table(
        "jobs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("subject", sa.String(length=128), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("token", sa.Integer(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("lease_until", tonearm.models.base.UTCDateTime(), nullable=True),
        sa.Column("enqueued_at", tonearm.models.base.UTCDateTime(), nullable=False),
        sa.Column("progress", sa.Float(), nullable=False),
        sa.Column("step", sa.String(length=32), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("worker", sa.String(length=100), nullable=True),
        sa.Column("created_at", tonearm.models.base.UTCDateTime(), nullable=False),
        sa.Column("updated_at", tonearm.models.base.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs")),
        sa.UniqueConstraint("kind", "subject", name="uq_jobs_kind_subject"),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_jobs_state"), ["state"], unique=False)
        batch_op.create_index(batch_op.f("ix_jobs_subject"), ["subject"], unique=False)


def upgrade() -> None:
    bind = op.get_bind()
    old = sa.Table("jobs", sa.MetaData(), autoload_with=bind)
    rows = [dict(r._mapping) for r in bind.execute(sa.select(old))]
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_jobs_state"))
    op.drop_table("jobs")
    _new_jobs_table()
    if rows:
        new = sa.Table("jobs", sa.MetaData(), autoload_with=bind)
        for row in rows:
            row["subject"] = row.pop("blob_hash")
            row["kind"] = "blobs.process" if row["kind"] == "process" else row["kind"]
        bind.execute(new.insert(), rows)
        if bind.dialect.name == "postgresql":
            bind.execute(
                sa.text("SELECT setval(pg_get_serial_sequence('jobs', 'id'), max(id)) FROM jobs")
            )

    with op.batch_alter_table("tracks", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("deduplicated", sa.Boolean(), nullable=False, server_default=sa.false())
        )

    bind.execute(
        sa.text(
            "DELETE FROM uploads WHERE track_id IS NOT NULL "
            "AND track_id NOT IN (SELECT id FROM tracks)"
        )
    )
    with op.batch_alter_table("uploads", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_uploads_track_id"), ["track_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_uploads_track_id_tracks"),
            "tracks",
            ["track_id"],
            ["id"],
            ondelete="CASCADE",
        )


def downgrade() -> None:
    with op.batch_alter_table("uploads", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_uploads_track_id_tracks"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_uploads_track_id"))
    with op.batch_alter_table("tracks", schema=None) as batch_op:
        batch_op.drop_column("deduplicated")
    raise NotImplementedError("jobs of any kind cannot be narrowed back to blob jobs")
