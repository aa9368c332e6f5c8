"""What ``GET /api/live`` answers: the busiest tracks a viewer is shown, and the counts
of the tracks their page asked about.

Presence knows track ids only. Tracks are shown as they are listed elsewhere: their
owner's, moderators' (all) and public ones; a count is given for any track the viewer
may see (an unlisted one reached by its link too). The busiest ranking is read in
growing windows until enough shown tracks are found, so a crowd of private listening
cannot push the public tracks off the page.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from tonearm.accounts.principal import Viewer
from tonearm.library.repository import TrackRepository
from tonearm.library.service import LibraryService
from tonearm.listening.live import LiveListeners
from tonearm.listening.live_schemas import MAX_BUSIEST, LiveOut, LiveTrack
from tonearm.models import Track, Visibility
from tonearm.types import TrackId

_FIRST_WINDOW = 2 * MAX_BUSIEST
_LAST_WINDOW = 64 * MAX_BUSIEST
"""Past this many live tracks in a row that the viewer is not shown, the list stops
short (each window is one database read of its tracks)."""


class LiveBoard:
    def __init__(self, live: LiveListeners, library: LibraryService) -> None:
        self._live = live
        self._library = library

    def now(self, session: Session, viewer: Viewer, requested: Sequence[TrackId]) -> LiveOut:
        busiest = self._busiest(session, viewer)
        seen = self._seen(session, viewer, requested)
        counts = self._live.counts(seen)
        described = self._library.describe(session, viewer, [t for t, _ in busiest])
        return LiveOut(
            total=self._live.total(),
            tracks=[
                LiveTrack(track=out, listeners=n)
                for out, (_, n) in zip(described, busiest, strict=True)
            ],
            counts={t: counts.get(t, 0) for t in seen},
        )

    def _busiest(self, session: Session, viewer: Viewer) -> list[tuple[Track, int]]:
        repo = TrackRepository(session)
        window = _FIRST_WINDOW
        while True:
            ranked = self._live.busiest(window)
            tracks: dict[str, Track] = {t.id: t for t in repo.many([TrackId(t) for t, _ in ranked])}
            shown = [
                (tracks[t], n) for t, n in ranked if t in tracks and self._listed(viewer, tracks[t])
            ]
            if len(shown) >= MAX_BUSIEST or len(ranked) < window or window >= _LAST_WINDOW:
                return shown[:MAX_BUSIEST]
            window *= 4

    def _seen(self, session: Session, viewer: Viewer, requested: Sequence[TrackId]) -> list[str]:
        ids = list(dict.fromkeys(requested))
        if not ids:
            return []
        access = self._library.access
        found = TrackRepository(session).many(ids)
        visible = {t.id for t in found if access.can_view(viewer, t)}
        return [t for t in ids if t in visible]

    def _listed(self, viewer: Viewer, track: Track) -> bool:
        """``TrackAccess.listed`` for one track: as the live notices are sent."""
        if not self._library.access.can_view(viewer, track):
            return False
        return (
            viewer.is_moderator
            or (viewer.signed_in and track.owner_id == viewer.user_id)
            or track.visibility == Visibility.PUBLIC
        )
