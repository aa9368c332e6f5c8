"""Search index: documents, words for typo correction, lyric lines.

Revision ID: 0007
Revises: 0006

The tables are the same on both engines; the full-text part differs:

* SQLite: FTS5 tables with external content (the rows above), kept in step by
  triggers, with prefix indexes for as-you-type; a ``trigram`` table over the words.
* PostgreSQL: GIN indexes on ``to_tsvector('simple', ...)`` of the same folded text
  (the text is already normalized, so no stemming or dictionary) and ``pg_trgm`` on the
  words.

Filled by ``tonearm search reindex`` (run it once after upgrading a library).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# (table, FTS columns, prefix lengths): the documents of ``models/search.py``.
_FTS = {
    "search_tracks": (("title", "artist", "album", "extra"), "1 2 3"),
    "search_names": (("name", "extra"), "1 2 3"),
    "search_lines": (("words",), "2 3"),
}


def _sqlite_fts(table: str, columns: tuple[str, ...], prefix: str) -> list[str]:
    fts = f"{table}_fts"
    cols = ", ".join(columns)
    new = ", ".join(f"new.{c}" for c in columns)
    old = ", ".join(f"old.{c}" for c in columns)
    # Names from the constants above, never input.
    delete = f"INSERT INTO {fts}({fts}, rowid, {cols}) VALUES ('delete', old.id, {old});"  # noqa: S608
    insert = f"INSERT INTO {fts}(rowid, {cols}) VALUES (new.id, {new});"  # noqa: S608
    return [
        f"CREATE VIRTUAL TABLE {fts} USING fts5({cols}, content='{table}', content_rowid='id',"
        f" tokenize='unicode61 remove_diacritics 0', prefix='{prefix}')",
        f"CREATE TRIGGER {table}_ai AFTER INSERT ON {table} BEGIN {insert} END",
        f"CREATE TRIGGER {table}_ad AFTER DELETE ON {table} BEGIN {delete} END",
        f"CREATE TRIGGER {table}_au AFTER UPDATE OF {cols} ON {table} BEGIN {delete} {insert} END",
    ]


def upgrade() -> None:
    # Whole-name keys are read by range: bytewise on PostgreSQL (see models/search.py).
    postgres = op.get_bind().dialect.name == "postgresql"
    key = sa.String(200, collation="C") if postgres else sa.String(200)
    op.create_table(
        "search_tracks",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("track_id", sa.String(32), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("artist", sa.Text(), nullable=False),
        sa.Column("album", sa.Text(), nullable=False),
        sa.Column("extra", sa.Text(), nullable=False),
        sa.Column("key", key, nullable=False),
        sa.Column("key1", sa.String(4), nullable=False),
        sa.Column("key2", sa.String(8), nullable=False),
        sa.Column("popularity", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_search_tracks"),
        sa.UniqueConstraint("track_id", name="uq_search_tracks_track_id"),
    )
    op.create_index("ix_search_tracks_key", "search_tracks", ["key"])
    op.create_index("ix_search_tracks_key1", "search_tracks", ["key1", "popularity", "id"])
    op.create_index("ix_search_tracks_key2", "search_tracks", ["key2", "popularity", "id"])
    op.create_table(
        "search_names",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("subject_id", sa.String(32), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("extra", sa.Text(), nullable=False),
        sa.Column("key", key, nullable=False),
        sa.Column("key1", sa.String(4), nullable=False),
        sa.Column("key2", sa.String(8), nullable=False),
        sa.Column("popularity", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_search_names"),
    )
    op.create_index("uq_search_names_subject", "search_names", ["kind", "subject_id"], unique=True)
    op.create_index("ix_search_names_key", "search_names", ["kind", "key"])
    op.create_index("ix_search_names_key1", "search_names", ["key1", "popularity", "id"])
    op.create_index("ix_search_names_key2", "search_names", ["key2", "popularity", "id"])
    op.create_table(
        "search_lines",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("track_id", sa.String(32), nullable=False),
        sa.Column("start_ms", sa.Integer(), nullable=True),
        sa.Column("line", sa.String(500), nullable=False),
        sa.Column("words", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_search_lines"),
    )
    op.create_index("ix_search_lines_track", "search_lines", ["track_id"])
    op.create_table(
        "search_words",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("word", sa.String(100), nullable=False),
        sa.Column("padded", sa.String(102), nullable=False),
        sa.Column("freq", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_search_words"),
        sa.UniqueConstraint("word", name="uq_search_words_word"),
    )
    if op.get_bind().dialect.name == "sqlite":
        for table, (columns, prefix) in _FTS.items():
            for statement in _sqlite_fts(table, columns, prefix):
                op.execute(statement)
        op.execute(
            "CREATE VIRTUAL TABLE search_words_tri USING fts5(padded, content='search_words',"
            " content_rowid='id', tokenize='trigram')"
        )
        op.execute(
            "CREATE TRIGGER search_words_ai AFTER INSERT ON search_words BEGIN"
            " INSERT INTO search_words_tri(rowid, padded) VALUES (new.id, new.padded); END"
        )
        op.execute(
            "CREATE TRIGGER search_words_ad AFTER DELETE ON search_words BEGIN"
            " INSERT INTO search_words_tri(search_words_tri, rowid, padded)"
            " VALUES ('delete', old.id, old.padded); END"
        )
    else:
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for table, (columns, _) in _FTS.items():
            body = " || ' ' || ".join(columns)
            op.execute(
                f"CREATE INDEX ix_{table}_tsv ON {table}"
                f" USING gin (to_tsvector('simple'::regconfig, {body}))"
            )
        op.execute(
            "CREATE INDEX ix_search_words_trgm ON search_words USING gin (word gin_trgm_ops)"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for table in (*_FTS, "search_words"):
            for suffix in ("ai", "ad", "au"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_{suffix}")
        for fts in (
            "search_tracks_fts",
            "search_names_fts",
            "search_lines_fts",
            "search_words_tri",
        ):
            op.execute(f"DROP TABLE IF EXISTS {fts}")
    for table in ("search_words", "search_lines", "search_names", "search_tracks"):
        op.drop_table(table)
