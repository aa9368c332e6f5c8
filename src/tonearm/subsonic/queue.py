"""Bookmarks and the play queue: getBookmarks, createBookmark, deleteBookmark,
getPlayQueue, savePlayQueue and the OpenSubsonic ``indexBasedQueue`` pair.

The play queue is the web player's (``social/queue.py``): a save here raises its
version and sends the same change notice a save from the page does, so an open page
picks it up; ``changedBy`` is the device that saved it last (an app's ``c``).
Positions are milliseconds on the wire, seconds in tonearm.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tonearm.container import Container
from tonearm.social.schemas import MAX_QUEUE, QueueIn, QueueOut
from tonearm.subsonic import mapping
from tonearm.subsonic.protocol import Call, Code, Handler, Payload, SubsonicError, iso
from tonearm.types import TrackId

MAX_POSITION_MS = 1 << 40
MAX_COMMENT = 2000


class QueueMethods:
    def __init__(self, c: Container) -> None:
        self._uows = c.infra.uows
        self._queue = c.social.queue
        self._bookmarks = c.social.bookmarks
        self._library = c.library

    # --- bookmarks --------------------------------------------------------------------

    def get_bookmarks(self, call: Call) -> Payload:
        viewer = call.viewer
        with self._uows.read() as session:
            marked = self._bookmarks.of_user(session, viewer)
            tracks = self._library.describe(session, viewer, [m.track for m in marked])
            entries = mapping.songs(session, viewer.user_id, tracks)
        return {
            "bookmarks": {
                "bookmark": [
                    {
                        "position": m.position_ms,
                        "username": call.username,
                        "comment": m.comment,
                        "created": iso(m.created_at),
                        "changed": iso(m.changed_at),
                        "entry": entry,
                    }
                    for m, entry in zip(marked, entries, strict=True)
                ]
            }
        }

    def create_bookmark(self, call: Call) -> Payload:
        params = call.params
        track_id = TrackId(mapping.parse(params.required("id"), "song"))
        position = params.required_int("position")
        if not 0 <= position <= MAX_POSITION_MS:
            raise SubsonicError(Code.MISSING_PARAMETER, "position must be 0 or more milliseconds.")
        comment = params.get("comment")
        with self._uows() as uow:
            self._bookmarks.save(
                uow, call.viewer, track_id, position, comment[:MAX_COMMENT] if comment else None
            )
        return {}

    def delete_bookmark(self, call: Call) -> Payload:
        track_id = TrackId(mapping.parse(call.params.required("id"), "song"))
        with self._uows() as uow:
            self._bookmarks.delete(uow, call.viewer, track_id)
        return {}

    # --- the play queue ---------------------------------------------------------------

    def _read(self, call: Call) -> tuple[QueueOut, list[dict[str, Any]]]:
        with self._uows.read() as session:
            out = self._queue.get(session, call.viewer)
            return out, mapping.songs(session, call.viewer.user_id, out.tracks)

    def _common(self, call: Call, out: QueueOut, entries: list[dict[str, Any]]) -> Payload:
        changed = out.updated_at or datetime.fromtimestamp(0, UTC)
        return {
            "username": call.username,
            "changed": iso(changed),
            "changedBy": out.device or "",
            "position": round(out.position_s * 1000),
            "entry": entries,
        }

    def get_play_queue(self, call: Call) -> Payload:
        out, entries = self._read(call)
        current = out.track_ids[out.current_index] if out.track_ids else None
        return {"playQueue": {**self._common(call, out, entries), "current": current}}

    def get_play_queue_by_index(self, call: Call) -> Payload:
        out, entries = self._read(call)
        index = out.current_index if out.track_ids else None
        return {"playQueueByIndex": {**self._common(call, out, entries), "currentIndex": index}}

    def save_play_queue(self, call: Call) -> Payload:
        params = call.params
        ids = [mapping.parse(i, "song") for i in params.all("id")]
        current = params.get("current")
        index = 0
        if current and ids:
            wanted = mapping.parse(current, "song")
            if wanted not in ids:
                raise SubsonicError(
                    Code.MISSING_PARAMETER, "current must be one of the queued ids."
                )
            index = ids.index(wanted)
        self._save(call, ids, index)
        return {}

    def save_play_queue_by_index(self, call: Call) -> Payload:
        params = call.params
        ids = [mapping.parse(i, "song") for i in params.all("id")]
        index = params.optional_int("currentIndex")
        if index is None:
            if ids:
                raise SubsonicError(
                    Code.MISSING_PARAMETER, "Required parameter 'currentIndex' is missing."
                )
            index = 0
        if ids and not 0 <= index < len(ids):
            raise SubsonicError(
                Code.MISSING_PARAMETER, f"currentIndex must be from 0 to {len(ids) - 1}."
            )
        self._save(call, ids, index if ids else 0)
        return {}

    def _save(self, call: Call, ids: list[str], index: int) -> None:
        if len(ids) > MAX_QUEUE:
            raise SubsonicError(Code.MISSING_PARAMETER, f"A queue holds at most {MAX_QUEUE} ids.")
        position_ms = call.params.integer("position", 0, lo=0, hi=MAX_POSITION_MS)
        with self._uows() as uow:
            before = self._queue.get(uow.session, call.viewer)
            self._queue.replace(
                uow,
                call.viewer,
                QueueIn(
                    track_ids=ids,
                    current_index=index,
                    position_s=position_ms / 1000 if ids else 0.0,
                    repeat=before.repeat,  # an app has no word for it: keep the page's
                    device=(call.client or "subsonic")[:100],
                ),
            )


def methods(c: Container) -> dict[str, Handler]:
    m = QueueMethods(c)
    return {
        "getBookmarks": m.get_bookmarks,
        "createBookmark": m.create_bookmark,
        "deleteBookmark": m.delete_bookmark,
        "getPlayQueue": m.get_play_queue,
        "getPlayQueueByIndex": m.get_play_queue_by_index,
        "savePlayQueue": m.save_play_queue,
        "savePlayQueueByIndex": m.save_play_queue_by_index,
    }
