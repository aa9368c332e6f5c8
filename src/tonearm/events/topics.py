"""What each topic's event carries. The first keys are what a page is sent; the rest
say who may receive it (``social/live.py`` decides and strips them)."""

from __future__ import annotations

from collections.abc import Iterable

from tonearm.events.base import Event

TRACK = "track"
PLAYLIST = "playlist"
QUEUE = "queue"
LIVE = "live"
CHARTS = "charts"


def track_event(
    track_id: str,
    action: str,
    *,
    owner_id: str | None,
    visibility: str,
    visibility_before: str | None = None,
) -> Event:
    """``action``: created, updated or deleted. ``visibility_before``: when a change made
    the track private, those who could see it until then hear of it too."""
    return Event(
        TRACK,
        {
            "id": track_id,
            "action": action,
            "owner_id": owner_id,
            "visibility": visibility,
            "visibility_before": visibility_before or visibility,
        },
    )


def playlist_event(
    playlist_id: str,
    action: str,
    *,
    owner_id: str,
    visibility: str,
    member_ids: Iterable[str] = (),
) -> Event:
    """``action``: created, updated (name, rules, items: ``version`` went up) or deleted."""
    return Event(
        PLAYLIST,
        {
            "id": playlist_id,
            "action": action,
            "owner_id": owner_id,
            "visibility": visibility,
            "member_ids": sorted(member_ids),
        },
    )


def queue_event(user_id: str, version: int, device: str | None) -> Event:
    return Event(QUEUE, {"version": version, "device": device, "user_id": user_id})


def live_event(track_id: str, listeners: int, *, owner_id: str | None, visibility: str) -> Event:
    """How many listen to ``track_id`` now (sent to those who may see the track)."""
    return Event(
        LIVE,
        {
            "track_id": track_id,
            "listeners": listeners,
            "owner_id": owner_id,
            "visibility": visibility,
        },
    )


def charts_event(window: str) -> Event:
    """A chart of ``window`` changed (charts are public: everyone may hear of it)."""
    return Event(CHARTS, {"window": window})
