"""Who may see and change a track. Every read and write of the library goes through here.

* the owner sees and (with the ``library`` scope) changes their tracks;
* moderators and admins see every track; admins change any;
* public and unlisted tracks can be played by anyone signed in, and by anonymous
  visitors when anonymous listening is on; only public ones are listed to others.

A track someone may not see does not exist for them (404, never 403), so ids cannot
be probed.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, false, or_, true

from tonearm.accounts.principal import Viewer
from tonearm.errors import Forbidden, NotFound
from tonearm.models import Scope, Track, Visibility, utcnow


class TrackAccess:
    def __init__(self, *, anonymous_listening: bool) -> None:
        self.anonymous_listening = anonymous_listening

    def can_view(self, viewer: Viewer, track: Track) -> bool:
        if viewer.signed_in and track.owner_id == viewer.user_id:
            return True
        if viewer.is_moderator:
            return True
        if track.visibility in (Visibility.PUBLIC, Visibility.UNLISTED):
            return viewer.signed_in or self.anonymous_listening
        return False

    def can_edit(self, viewer: Viewer, track: Track) -> bool:
        if viewer.is_admin:
            return True
        return viewer.signed_in and track.owner_id == viewer.user_id and viewer.can(Scope.LIBRARY)

    def check_view(self, viewer: Viewer, track: Track | None) -> Track:
        if track is None or not self.can_view(viewer, track):
            raise NotFound("No such track.")
        return track

    def check_edit(self, viewer: Viewer, track: Track | None) -> Track:
        track = self.check_view(viewer, track)
        if not self.can_edit(viewer, track):
            raise Forbidden("Only the track's owner (or an admin) can change it.")
        return track

    def listed(self, viewer: Viewer) -> ColumnElement[bool]:
        """The SQL condition for tracks listed to ``viewer``: their own plus public ones."""
        if viewer.is_moderator:
            return true()
        public = Track.visibility == Visibility.PUBLIC
        if not viewer.signed_in:
            return public if self.anonymous_listening else false()
        return or_(Track.owner_id == viewer.user_id, public)

    def cataloged(self, viewer: Viewer) -> ColumnElement[bool]:
        """Tracks that make artists and albums exist for ``viewer`` and count in them:
        the listed ones, less those held back as fresh uploads (``LibraryService.masked``),
        whose tags must not show yet (admins see them all)."""
        if viewer.is_admin:
            return true()
        shown = or_(Track.reveal_at.is_(None), Track.reveal_at <= utcnow())
        return and_(self.listed(viewer), shown)

    def viewable(self, viewer: Viewer) -> ColumnElement[bool]:
        """The SQL form of ``can_view``: also unlisted tracks, reached by link."""
        if viewer.is_moderator:
            return true()
        shared = Track.visibility.in_((Visibility.PUBLIC, Visibility.UNLISTED))
        if not viewer.signed_in:
            return shared if self.anonymous_listening else false()
        return or_(Track.owner_id == viewer.user_id, shared)
