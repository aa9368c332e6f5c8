"""A track's lyrics: read as lines for the player, replaced or removed by its owner.

Where lyrics come from (ID3 USLT/SYLT, Vorbis LYRICS, MP4 ``©lyr``, sidecar ``.lrc``
and ``.txt`` files) is decided at processing and import; this is what a person reads
and edits afterwards. Edits go through :meth:`LibraryService.set_lyrics`, so they are
kept through reprocessing and announced like any change of the track.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from tonearm.accounts.principal import Viewer
from tonearm.db.unit_of_work import UnitOfWork
from tonearm.library import schemas
from tonearm.library.service import LibraryService
from tonearm.media.lyrics import Lyrics, clean_lyrics, parse_lyrics
from tonearm.models import Track
from tonearm.types import TrackId


class LyricsTranscriber(Protocol):
    """Speech recognition of sung lyrics: the seam a compute worker will fill.

    Nothing implements it yet: recognizers good enough for singing need model weights
    (hundreds of MB to GB) that cannot be downloaded on this machine, and minutes of
    CPU per track that belong on a worker with an accelerator, not in processing.

    An implementation MUST read only ``audio`` (a decodable file, any format tonearm
    accepts), MUST return LRC text (``[mm:ss.xx]line`` per line, optionally
    ``<mm:ss.xx>`` word times) or None when it hears no words, and MUST be safe to run
    twice on the same file. It MAY take minutes. Its caller stores the result only
    where the track has no lyrics and no hand edit (``"lyrics"`` not in
    ``Track.edited``), so a transcription never replaces what a person gave.
    """

    def transcribe(self, audio: Path) -> str | None: ...


class LyricsService:
    def __init__(self, library: LibraryService) -> None:
        self._library = library

    def get(self, session: Session, viewer: Viewer, track_id: TrackId) -> schemas.LyricsOut:
        """The lyrics of a track ``viewer`` may see (``NotFound`` otherwise)."""
        track = self._library.visible(session, viewer, track_id)
        return self.describe(viewer, track)

    def find(
        self, session: Session, viewer: Viewer, *, artist: str | None, title: str | None
    ) -> tuple[Track, schemas.LyricsOut] | None:
        """The lyrics of a track listed to ``viewer`` with this title and artist (case
        aside; either may be left out), the oldest such track first; None when none has
        lyrics."""
        where = [self._library.access.cataloged(viewer), Track.lyrics.is_not(None)]
        if title:
            where.append(func.lower(Track.title) == title.strip().lower())
        if artist:
            name = artist.strip().lower()
            where.append(
                or_(func.lower(Track.artist) == name, func.lower(Track.album_artist) == name)
            )
        if len(where) == 2:
            return None
        track = session.scalar(
            select(Track).where(*where).order_by(Track.created_at, Track.id).limit(1)
        )
        if track is None or self._library.masked(track) is not None:
            return None
        return track, self.describe(viewer, track)

    def replace(
        self, uow: UnitOfWork, viewer: Viewer, track_id: TrackId, text: str
    ) -> schemas.LyricsOut:
        """Store ``text`` (cleaned; nothing left removes the lyrics) as hand-set."""
        track = self._library.set_lyrics(uow, viewer, track_id, clean_lyrics(text))
        return self.describe(viewer, track)

    def remove(self, uow: UnitOfWork, viewer: Viewer, track_id: TrackId) -> None:
        """No lyrics, and none brought back from the file by reprocessing."""
        self._library.set_lyrics(uow, viewer, track_id, None)

    def describe(self, viewer: Viewer, track: Track) -> schemas.LyricsOut:
        # A held-back upload shows no tags yet; lyrics copied from someone else's
        # processed file would reveal that file exists.
        text = None if self._library.masked(track) is not None else track.lyrics
        return lyrics_out(track.id, text, editable=self._library.access.can_edit(viewer, track))


def lyrics_out(track_id: str, text: str | None, *, editable: bool) -> schemas.LyricsOut:
    parsed: Lyrics = parse_lyrics(text)
    return schemas.LyricsOut(
        track_id=track_id,
        text=text,
        synced=parsed.synced,
        lines=[
            schemas.LyricLineOut(
                start_ms=line.start_ms,
                text=line.text,
                words=[schemas.LyricWordOut(start_ms=w.start_ms, text=w.text) for w in line.words],
            )
            for line in parsed.lines
        ],
        editable=editable,
    )
