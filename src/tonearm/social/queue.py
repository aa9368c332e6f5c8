"""The play queue: one per person, saved by one device and picked up by another.

A save replaces the whole queue and raises its version; ``base_version`` lets a
device refuse to overwrite a queue another device saved meanwhile (409). Only
tracks the person may see are kept: others (unknown, private to someone else,
deleted) are dropped and counted, and the current index and shuffle order are
carried over to what is left. Reading drops tracks deleted since in the same way.
Every change sends a ``queue`` notice to the person's other devices.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from tonearm.accounts.principal import Viewer
from tonearm.db.unit_of_work import UnitOfWork
from tonearm.errors import Conflict, Invalid
from tonearm.events import ChangeFeed
from tonearm.events.topics import queue_event
from tonearm.library.service import LibraryService
from tonearm.models import PlayQueue, Track, utcnow
from tonearm.social import schemas
from tonearm.social.repository import QueueRepository


class QueueService:
    def __init__(self, library: LibraryService, events: ChangeFeed | None = None) -> None:
        self._library = library
        self._events = events

    def get(self, session: Session, viewer: Viewer) -> schemas.QueueOut:
        queue = QueueRepository(session).get(viewer.require_user())
        if queue is None:
            return _empty()
        return self._out(session, viewer, queue)

    def replace(self, uow: UnitOfWork, viewer: Viewer, new: schemas.QueueIn) -> schemas.QueueOut:
        user_id = viewer.require_user()
        count = len(new.track_ids)
        if count and new.current_index >= count:
            raise Invalid(f"current_index must be below {count}, the number of tracks.")
        if not count and new.current_index:
            raise Invalid("An empty queue has no current track: current_index must be 0.")
        order = None
        if new.shuffle:
            if new.shuffle_order is None or sorted(new.shuffle_order) != list(range(count)):
                raise Invalid(
                    "With shuffle on, shuffle_order must hold every index of track_ids once."
                )
            order = new.shuffle_order
        queue = QueueRepository(uow.session).locked(user_id)
        if new.base_version is not None and new.base_version != queue.version:
            raise Conflict(
                f"The queue was saved elsewhere (version {queue.version}); reload it first.",
                code="queue-stale",
            )
        visible = set(self._tracks(uow.session, viewer, new.track_ids))
        kept, index, order = _compact(new.track_ids, visible, new.current_index, order)
        queue.track_ids = kept
        queue.current_index = index
        # A position within a track that was left out means nothing in the next one.
        current_kept = not count or new.track_ids[new.current_index] in visible
        queue.position_s = new.position_s if current_kept else 0.0
        queue.shuffle = new.shuffle
        queue.shuffle_order = order
        queue.repeat = new.repeat
        queue.device = new.device
        self._saved(uow, queue)
        out = self._out(uow.session, viewer, queue)
        return out.model_copy(update={"dropped": count - len(kept)})

    def move(
        self, uow: UnitOfWork, viewer: Viewer, change: schemas.QueuePatch
    ) -> schemas.QueuePosition:
        """Where playback is (the small save a page sends as it is hidden)."""
        queue = QueueRepository(uow.session).locked(viewer.require_user())
        if change.current_index is not None:
            if change.current_index >= max(1, len(queue.track_ids)):
                raise Invalid(
                    f"current_index must be below {len(queue.track_ids)}, the number of tracks."
                )
            queue.current_index = change.current_index
        if change.position_s is not None:
            queue.position_s = change.position_s
        if change.device is not None:
            queue.device = change.device
        self._saved(uow, queue)
        return schemas.QueuePosition(
            current_index=queue.current_index,
            position_s=queue.position_s,
            version=queue.version,
            device=queue.device,
            updated_at=queue.updated_at,
        )

    def _saved(self, uow: UnitOfWork, queue: PlayQueue) -> None:
        queue.version += 1
        queue.updated_at = utcnow()
        if self._events is not None:
            events, event = self._events, queue_event(queue.user_id, queue.version, queue.device)
            uow.after_commit(lambda: events.publish(event))

    def _out(self, session: Session, viewer: Viewer, queue: PlayQueue) -> schemas.QueueOut:
        tracks = self._tracks(session, viewer, queue.track_ids)
        kept, index, order = _compact(
            queue.track_ids, set(tracks), queue.current_index, queue.shuffle_order
        )
        unique = [tracks[t] for t in dict.fromkeys(kept)]
        by_id = {t.id: t for t in self._library.describe(session, viewer, unique)}
        ids = queue.track_ids
        current_kept = not ids or (
            queue.current_index < len(ids) and ids[queue.current_index] in tracks
        )
        return schemas.QueueOut(
            track_ids=kept,
            tracks=[by_id[t] for t in kept],
            current_index=index,
            position_s=queue.position_s if current_kept else 0.0,
            shuffle=queue.shuffle,
            shuffle_order=order,
            repeat=queue.repeat,
            version=queue.version,
            device=queue.device,
            updated_at=queue.updated_at,
        )

    def _tracks(self, session: Session, viewer: Viewer, track_ids: list[str]) -> dict[str, Track]:
        """The tracks among ``track_ids`` that ``viewer`` may see, by id (in batches: one
        query per 500 ids keeps every database's parameter limit)."""
        ids = sorted(set(track_ids))
        found: dict[str, Track] = {}
        for start in range(0, len(ids), 500):
            rows = session.scalars(select(Track).where(Track.id.in_(ids[start : start + 500])))
            found |= {t.id: t for t in rows if self._library.access.can_view(viewer, t)}
        return found


def _compact(
    track_ids: list[str], keep: set[str], current: int, order: list[int] | None
) -> tuple[list[str], int, list[int] | None]:
    """``track_ids`` without those not in ``keep``; the current index follows its track
    (or the next one kept when it went), the shuffle order drops what went."""
    new_index: dict[int, int] = {}
    kept: list[str] = []
    for i, track_id in enumerate(track_ids):
        if track_id in keep:
            new_index[i] = len(kept)
            kept.append(track_id)
    index = next((new_index[i] for i in range(current, len(track_ids)) if i in new_index), None)
    if index is None:
        index = max(0, len(kept) - 1)
    if order is not None:
        order = [new_index[i] for i in order if i in new_index]
    return kept, index, order


def _empty() -> schemas.QueueOut:
    return schemas.QueueOut(
        track_ids=[],
        tracks=[],
        current_index=0,
        position_s=0.0,
        shuffle=False,
        shuffle_order=None,
        repeat="off",
        version=0,
        device=None,
        updated_at=None,
    )
