"""What the library tells a search index, inside the transaction that changes a track.

The library and playlists call a ``SearchIndex`` (implemented by ``search/index.py``,
injected by ``container.py``) from the same code path that announces a change to open
pages, so the index commits or rolls back with the change itself: a search right after
the answer to an edit sees the edit.

Contract:

* ``tracks_changed`` MUST bring the documents of these tracks (tags, lyric lines, their
  artist and album) up to date from the rows in ``session``; it MAY be called with a
  track that is already current.
* ``tracks_removed`` MUST drop the documents of these tracks (called before the rows go).
* ``catalog_changed`` MUST drop the documents of artists and albums that no longer
  exist and refresh the others (called after a prune).
* ``playlist_changed`` / ``playlist_removed`` likewise for a playlist.
* None of them commits. Who may see a document is not the index's business: searches
  join back to the tables and ``TrackAccess``.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Protocol

from sqlalchemy.orm import Session

from tonearm.types import PlaylistId, TrackId


class SearchIndex(Protocol):
    def tracks_changed(self, session: Session, track_ids: Collection[TrackId]) -> None: ...

    def tracks_removed(self, session: Session, track_ids: Collection[TrackId]) -> None: ...

    def catalog_changed(
        self, session: Session, artist_ids: Collection[str], album_ids: Collection[str]
    ) -> None: ...

    def playlist_changed(self, session: Session, playlist_id: PlaylistId) -> None: ...

    def playlist_removed(self, session: Session, playlist_id: PlaylistId) -> None: ...
