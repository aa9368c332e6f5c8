"""Which change notices a viewer receives, and what of them.

A notice carries who may hear of it (owner, visibility, members); a page is sent
only the public part (``{id, action}`` or ``{version, device}``), and only when the
viewer could see the thing, before or after the change:
- tracks: their owner, moderators and admins, and everyone for public tracks
  (unlisted ones are not listed to others, so others are not told of them);
- playlists: their owner, their members, moderators and admins, everyone for public ones;
- the queue: its person only;
- live listener counts: as tracks.
- charts: everyone (they list public tracks only, the same for all).
The playlists domain may register its own rule for its topic (``register``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tonearm.accounts.principal import Viewer
from tonearm.events import Event
from tonearm.events.topics import CHARTS, LIVE, PLAYLIST, QUEUE, TRACK
from tonearm.models import Visibility

Rule = Callable[[Viewer, dict[str, Any]], bool]


def _owner(viewer: Viewer, data: dict[str, Any]) -> bool:
    return viewer.signed_in and data.get("owner_id") == viewer.user_id


def track_rule(viewer: Viewer, data: dict[str, Any]) -> bool:
    if viewer.is_moderator or _owner(viewer, data):
        return True
    return Visibility.PUBLIC in (data.get("visibility"), data.get("visibility_before"))


def playlist_rule(viewer: Viewer, data: dict[str, Any]) -> bool:
    if viewer.is_moderator or _owner(viewer, data):
        return True
    if viewer.signed_in and viewer.user_id in data.get("member_ids", ()):
        return True
    return bool(data.get("visibility") == Visibility.PUBLIC)


def everyone(viewer: Viewer, data: dict[str, Any]) -> bool:
    return True


def queue_rule(viewer: Viewer, data: dict[str, Any]) -> bool:
    return viewer.signed_in and data.get("user_id") == viewer.user_id


class LiveFilter:
    def __init__(self) -> None:
        self._rules: dict[str, tuple[Rule, tuple[str, ...]]] = {
            TRACK: (track_rule, ("id", "action")),
            PLAYLIST: (playlist_rule, ("id", "action")),
            QUEUE: (queue_rule, ("version", "device")),
            LIVE: (track_rule, ("track_id", "listeners")),
            CHARTS: (everyone, ("window",)),
        }

    def register(self, topic: str, rule: Rule, fields: tuple[str, ...]) -> None:
        """Decide ``topic``'s notices with ``rule``; pages are sent ``fields`` of them."""
        self._rules[topic] = (rule, fields)

    def for_viewer(self, viewer: Viewer, event: Event) -> dict[str, Any] | None:
        """What ``viewer``'s page is sent of ``event``; None: nothing."""
        found = self._rules.get(event.topic)
        if found is None:
            return None
        rule, fields = found
        if not rule(viewer, event.data):
            return None
        return {k: event.data.get(k) for k in fields}
