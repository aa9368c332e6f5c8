"""Mixes for Home, per person, from what they like, add and play on radios.

* **daily**: the person's recent taste (plays, likes and uploads of the last 90 days, tracks
  their radios played in the last 30) clustered by sound with k-means (up to four
  clusters); each cluster's nearest visible tracks, interleaved, so each side of
  their taste gets its turn. Drawn with a seed of the person and the day: the same
  all day, new tomorrow.
* **genre:<key>**: their three most frequent genres, each the visible tracks of that
  genre nearest their taste.
* **discover**: visible tracks nearest their taste that they never liked, own or gave
  feedback on.

Skips before 30 s and dislikes of the last 30 days are left out of every mix. With no
taste yet (a new account), there are no mixes.

What a person played (``listener_tracks``, kept by the listening domain) leads the
taste, then likes, radio plays and uploads (:class:`LikesAndUploads`).
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Sequence
from datetime import timedelta
from typing import Protocol

import numpy as np
import numpy.typing as npt
from sqlalchemy import and_, or_
from sqlalchemy.orm import Session

from tonearm.accounts.principal import Viewer
from tonearm.models import Track, utcnow
from tonearm.radio.neighbours import Matrix
from tonearm.radio.repository import RadioRepository
from tonearm.radio.schemas import MixesOut, MixOut
from tonearm.radio.service import RadioService
from tonearm.types import BlobHash, TrackId, UserId

MIX_SIZE = 25
TASTE_DAYS = 90
RADIO_DAYS = 30
TASTE_LIMIT = 300
MAX_CLUSTERS = 4
GENRE_MIXES = 3


class TasteSource(Protocol):
    """Tracks that say what a person likes, newest first.

    MUST return only ids (visibility is checked by the caller) and at most ``limit``.
    """

    def recent(self, session: Session, user_id: UserId, limit: int) -> list[TrackId]: ...


class LikesAndUploads:
    """Counted plays, likes and own uploads of the last :data:`TASTE_DAYS`; radio plays
    of the last :data:`RADIO_DAYS`."""

    def recent(self, session: Session, user_id: UserId, limit: int) -> list[TrackId]:
        repo = RadioRepository(session)
        now = utcnow()
        since = now - timedelta(days=TASTE_DAYS)
        ids = repo.played_tracks(user_id, since, limit)
        ids += repo.liked_tracks(user_id, since, limit)
        ids += repo.radio_played(user_id, now - timedelta(days=RADIO_DAYS), limit)
        ids += repo.own_tracks(user_id, since, limit)
        return list(dict.fromkeys(ids))[:limit]


class MixService:
    def __init__(self, radio: RadioService, sources: Sequence[TasteSource] = ()) -> None:
        self.radio = radio
        self.sources: Sequence[TasteSource] = tuple(sources) or (LikesAndUploads(),)

    def mixes(self, session: Session, viewer: Viewer) -> MixesOut:
        user_id = viewer.require_user()
        matrix = self.radio.index.matrix(session)
        repo = RadioRepository(session)
        taste_ids: list[TrackId] = []
        for source in self.sources:
            taste_ids += source.recent(session, user_id, TASTE_LIMIT)
        taste_ids = list(dict.fromkeys(taste_ids))[:TASTE_LIMIT]
        visible = repo.visible(taste_ids, self.radio.access.viewable(viewer))
        points = np.array(
            [matrix.rows[matrix.position[h]] for _, h in visible if h in matrix.position],
            dtype=np.float32,
        ).reshape(-1, matrix.rows.shape[1])
        if not points.shape[0]:
            return MixesOut(mixes=[])
        blocked = repo.blocked(user_id)
        rng = random.Random(_day_seed(user_id))  # noqa: S311 - a stable daily shuffle
        mixes: list[MixOut] = []
        daily = self._daily(session, viewer, matrix, points, blocked, rng)
        if daily:
            mixes.append(
                MixOut(
                    id="daily",
                    title="Daily mix",
                    description="Close to what you liked, added and played lately.",
                    tracks=self.radio.describe(session, viewer, daily),
                )
            )
        centre = points.mean(axis=0)
        known = repo.all_liked(user_id) | repo.with_feedback(user_id)
        others = and_(
            self.radio.access.cataloged(viewer),
            or_(Track.owner_id.is_(None), Track.owner_id != user_id),
        )
        pool = self.radio.nearest_visible(
            session, viewer, matrix, centre, MIX_SIZE + len(known), blocked, seen=others
        )
        discover = [c.track_id for c in pool if c.track_id not in known]
        if discover:
            mixes.append(
                MixOut(
                    id="discover",
                    title="Discover",
                    description="Sounds like what you like; none of it in your likes or library.",
                    tracks=self.radio.describe(session, viewer, discover[:MIX_SIZE]),
                )
            )
        seen = self.radio.access.cataloged(viewer)
        for key, name in repo.top_genres([t for t, _ in visible], GENRE_MIXES):
            rows = [(t, h) for t, h in repo.genre_tracks(key, seen, 2000) if h not in blocked]
            ranked = _by_distance(matrix, centre, rows)
            if ranked:
                mixes.append(
                    MixOut(
                        id=f"genre:{key}",
                        title=f"{name} mix",
                        description=f"{name}, nearest your taste first.",
                        tracks=self.radio.describe(session, viewer, ranked[:MIX_SIZE]),
                    )
                )
        return MixesOut(mixes=mixes)

    def _daily(
        self,
        session: Session,
        viewer: Viewer,
        matrix: Matrix,
        points: npt.NDArray[np.float32],
        blocked: set[BlobHash],
        rng: random.Random,
    ) -> list[TrackId]:
        k = min(MAX_CLUSTERS, max(1, points.shape[0] // 3))
        centres = kmeans(points, k, rng)
        lanes = [
            self.radio.nearest_visible(session, viewer, matrix, c, 2 * MIX_SIZE, blocked)
            for c in centres
        ]
        for lane in lanes:
            rng.shuffle(lane)  # a different slice of each side of their taste each day
        out: list[TrackId] = []
        taken: set[TrackId] = set()
        while len(out) < MIX_SIZE and any(lanes):
            for lane in lanes:
                while lane and lane[0].track_id in taken:
                    lane.pop(0)
                if lane and len(out) < MIX_SIZE:
                    pick = lane.pop(0)
                    out.append(pick.track_id)
                    taken.add(pick.track_id)
        return out


def kmeans(
    points: npt.NDArray[np.float32], k: int, rng: random.Random, rounds: int = 20
) -> npt.NDArray[np.float32]:
    """``k`` centres of ``points`` (Lloyd's algorithm, k-means++ start)."""
    n = points.shape[0]
    k = max(1, min(k, n))
    centres = [points[rng.randrange(n)]]
    for _ in range(1, k):
        d = np.min([np.sum((points - c) ** 2, axis=1) for c in centres], axis=0)
        total = float(d.sum())
        if total <= 0:
            break
        centres.append(points[rng.choices(range(n), weights=d.tolist())[0]])
    c = np.stack(centres)
    for _ in range(rounds):
        labels = np.argmin(((points[:, None, :] - c[None, :, :]) ** 2).sum(axis=2), axis=1)
        moved = np.stack(
            [
                points[labels == j].mean(axis=0) if np.any(labels == j) else c[j]
                for j in range(len(c))
            ]
        )
        if np.allclose(moved, c):
            break
        c = moved
    return c.astype(np.float32)


def _by_distance(
    matrix: Matrix, centre: npt.NDArray[np.float32], rows: list[tuple[TrackId, BlobHash]]
) -> list[TrackId]:
    known = [(t, matrix.position[h]) for t, h in rows if h in matrix.position]
    if not known:
        return [t for t, _ in rows]
    d = matrix.distances(centre)
    ranked = sorted(known, key=lambda item: float(d[item[1]]))
    seen: set[BlobHash] = set()
    out: list[TrackId] = []
    for t, i in ranked:
        if matrix.hashes[i] not in seen:
            seen.add(matrix.hashes[i])
            out.append(t)
    return out


def _day_seed(user_id: UserId) -> int:
    day = utcnow().date().isoformat()
    return int.from_bytes(hashlib.sha256(f"{user_id}:{day}".encode()).digest()[:8], "big")
