"""SQL conditions for tracks, for domains that query tracks in bulk (playlists)."""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, or_, true

from tonearm.accounts.principal import Viewer
from tonearm.library.access import TrackAccess
from tonearm.models import Track, Visibility


def viewable(access: TrackAccess, viewer: Viewer) -> ColumnElement[bool]:
    """Tracks ``viewer`` may see and play, as ``TrackAccess.can_view`` decides one by one:
    their own, and public or unlisted ones (reached through a link, such as a playlist)."""
    if viewer.is_moderator:
        return true()
    shared = Track.visibility.in_((Visibility.PUBLIC, Visibility.UNLISTED))
    if not viewer.signed_in:
        return shared if access.anonymous_listening else false()
    return or_(Track.owner_id == viewer.user_id, shared)
