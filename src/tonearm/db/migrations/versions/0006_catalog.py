"""Catalog indexes: who may see an album's or artist's tracks, answered from the index.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# Each EXISTS "has a track this viewer may see" and each per-viewer count reads only
# these indexes (no table row per track): measured in bench/library.py.
INDEXES = {
    "ix_tracks_album_seen": ["album_id", "visibility", "owner_id", "reveal_at"],
    "ix_tracks_artist_seen": ["artist_id", "visibility", "owner_id", "reveal_at"],
    "ix_tracks_visibility_owner": ["visibility", "owner_id"],
    "ix_tracks_title_page": ["title", "id", "visibility", "owner_id"],
}


def upgrade() -> None:
    with op.batch_alter_table("tracks", schema=None) as batch_op:
        for name, columns in INDEXES.items():
            batch_op.create_index(name, columns, unique=False)


def downgrade() -> None:
    with op.batch_alter_table("tracks", schema=None) as batch_op:
        for name in INDEXES:
            batch_op.drop_index(name)
