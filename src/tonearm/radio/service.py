"""Similar tracks and endless radio, by sound (``neighbours.py``), only ever over tracks
the viewer may see (``TrackAccess.cataloged``: their own and public ones, less fresh
uploads still held back).

Radio, one pick at a time:

* the target starts at the seed (a track's descriptor; an album's or artist's: the
  mean of their tracks') and after each pick ``x`` becomes
  ``seed + PULL * (target + STEP * (x - target) - seed)``: it follows what is played
  but its distance from the seed shrinks by ``PULL`` every step, so it never drifts
  more than about ``PULL * STEP / (1 - PULL * (1 - STEP))`` of the way to the farthest
  pick (0.54 with the values below);
* candidates are the visible tracks nearest the target, less audio the person skipped
  early (< 30 s) or disliked in the last 30 days (never relaxed), less what this radio
  already served in the current cycle, less artists of the last four picks (so no
  artist twice within five); one of the three nearest eligible is drawn (60/25/15 %);
* when no unserved track passes the artist rule, a new cycle starts (repeats allowed
  again, the artist rule still holds); only if even that finds none is the artist rule
  dropped for that pick. An empty answer means everything visible is blocked.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from sqlalchemy import ColumnElement
from sqlalchemy.orm import Session

from tonearm.accounts.credentials import new_id
from tonearm.accounts.principal import Viewer
from tonearm.db.unit_of_work import UnitOfWork
from tonearm.errors import Conflict, NotFound
from tonearm.library.browse import CatalogService
from tonearm.library.schemas import ArtistOut, TrackOut
from tonearm.library.service import LibraryService
from tonearm.media.descriptors import Vector, vector_from_bytes
from tonearm.models import RadioSession, RadioTrack, SeedKind, TrackFeedback
from tonearm.radio.neighbours import Matrix, SoundIndex
from tonearm.radio.repository import Candidate, RadioRepository, artist_key
from tonearm.radio.schemas import FeedbackIn, RadioOut, SeedIn, SimilarOut, TracksOut
from tonearm.types import AlbumId, ArtistId, BlobHash, RadioId, TrackId, UserId

FIRST_TRACKS = 10
ARTIST_WINDOW = 5
PULL = 0.7
STEP = 0.5
KEEP_RADIOS = 20
"""Radios kept per person (the oldest go when a new one starts)."""
MAX_CYCLE = 5000
"""A cycle longer than this starts over, so a radio's history stays bounded."""
_CHOICE_WEIGHTS = (0.6, 0.25, 0.15)


class RadioService:
    def __init__(
        self,
        library: LibraryService,
        catalog: CatalogService,
        index: SoundIndex,
        rng: random.Random | None = None,
    ) -> None:
        self.library = library
        self.catalog = catalog
        self.access = library.access
        self.index = index
        # Variety, not secrecy: which of the nearest tracks comes next.
        self._rng = rng or random.Random()  # noqa: S311

    # -- similar --------------------------------------------------------------------

    def similar(
        self, session: Session, viewer: Viewer, track_id: TrackId, limit: int
    ) -> SimilarOut:
        track = self.library.visible(session, viewer, track_id)
        matrix = self.index.matrix(session)
        raw = matrix.raw(track.blob_hash)
        if raw is None:
            return SimilarOut(tracks=[], pending=True)
        found = self.nearest_visible(
            session, viewer, matrix, matrix.embed(raw), limit, exclude={track.blob_hash}
        )
        return SimilarOut(
            tracks=self.describe(session, viewer, [c.track_id for c in found[:limit]]),
            pending=False,
        )

    def similar_to(
        self, session: Session, viewer: Viewer, seed: SeedIn, limit: int
    ) -> list[TrackOut]:
        """Tracks that sound like a track, an album or an artist (the mean of their
        tracks), nearest first, the seed's own tracks left out; empty while none of the
        seed is analysed. ``NotFound`` for a seed the viewer may not see."""
        matrix = self.index.matrix(session)
        own = self._seed_hashes(session, viewer, seed)
        point = self._centre(matrix, own)
        if point is None:
            return []
        found = self.nearest_visible(session, viewer, matrix, point, limit, exclude=set(own))
        return self.describe(session, viewer, [c.track_id for c in found])

    def similar_artists(
        self, session: Session, viewer: Viewer, artist_id: ArtistId, limit: int
    ) -> list[ArtistOut]:
        """Other artists whose tracks sound nearest this artist's (the mean of their
        tracks), in the order their nearest track comes; only artists shown to ``viewer``."""
        seed = SeedIn(kind="artist", id=artist_id)
        matrix = self.index.matrix(session)
        own = self._seed_hashes(session, viewer, seed)
        point = self._centre(matrix, own)
        if point is None or limit <= 0:
            return []
        want = 8 * limit
        while True:
            found = self.nearest_visible(session, viewer, matrix, point, want, exclude=set(own))
            ids: list[ArtistId] = []
            for c in found:
                key = c.artist_key or ""
                other = ArtistId(key.removeprefix("id:"))
                if key.startswith("id:") and other != artist_id and other not in ids:
                    ids.append(other)
            if len(ids) >= limit or len(found) < want:
                break
            want *= 4
        rows = {a.id: a for a in RadioRepository(session).artists(ids[:limit])}
        ordered = [rows[i] for i in ids[:limit] if i in rows]
        return self.catalog.describe_artists(session, viewer, ordered)

    def _seed_hashes(self, session: Session, viewer: Viewer, seed: SeedIn) -> list[BlobHash]:
        if seed.kind == SeedKind.TRACK.value:
            return [self.library.visible(session, viewer, TrackId(seed.id)).blob_hash]
        seen = self.access.cataloged(viewer)
        repo = RadioRepository(session)
        if seed.kind == SeedKind.ALBUM.value:
            album = self.catalog.album(session, viewer, AlbumId(seed.id))
            return repo.seed_hashes(seen, album=album.id, artist=None)
        artist = self.catalog.artist(session, viewer, ArtistId(seed.id))
        return repo.seed_hashes(seen, album=None, artist=artist.id)

    @staticmethod
    def _centre(matrix: Matrix, hashes: Sequence[BlobHash]) -> npt.NDArray[np.float32] | None:
        vectors = [v for v in (matrix.raw(h) for h in hashes) if v is not None]
        if not vectors:
            return None
        return matrix.embed(np.mean(np.stack(vectors), axis=0).astype(np.float32))

    def nearest_visible(
        self,
        session: Session,
        viewer: Viewer,
        matrix: Matrix,
        point: npt.NDArray[np.float32],
        want: int,
        exclude: set[BlobHash],
        seen: ColumnElement[bool] | None = None,
    ) -> list[Candidate]:
        """Up to ``want`` visible tracks (one per blob) nearest ``point``, nearest first.

        Scans the ``k`` nearest blobs and widens fourfold until enough are visible or
        every blob was looked at (visibility is checked for the candidates only).
        ``seen`` narrows the viewer's tracks further."""
        repo = RadioRepository(session)
        seen = self.access.cataloged(viewer) if seen is None else seen
        k = max(64, 4 * want)
        while True:
            rows = matrix.nearest(point, k)
            hashes = [matrix.hashes[i] for i in rows if matrix.hashes[i] not in exclude]
            found = repo.candidates(hashes, seen, viewer.user_id)
            ordered = [found[h] for h in hashes if h in found]
            if len(ordered) >= want or k >= len(matrix):
                return ordered[:want]
            k *= 4

    def describe(self, session: Session, viewer: Viewer, ids: Sequence[TrackId]) -> list[TrackOut]:
        tracks = RadioRepository(session).tracks(ids)
        return self.library.describe(session, viewer, [tracks[t] for t in ids if t in tracks])

    # -- radio ----------------------------------------------------------------------

    def create(self, uow: UnitOfWork, viewer: Viewer, seed: SeedIn) -> RadioOut:
        user_id = viewer.require_user()
        session = uow.session
        matrix = self.index.matrix(session)
        vector, title, first = self._seed(session, viewer, matrix, seed)
        repo = RadioRepository(session)
        radio = RadioSession(
            id=RadioId(new_id()),
            user_id=user_id,
            seed_kind=seed.kind,
            seed_id=seed.id,
            title=title[:600],
            seed_vector=vector.astype("<f4").tobytes(),
            target_vector=vector.astype("<f4").tobytes(),
            position=0,
            cycle_start=0,
        )
        session.add(radio)
        session.flush()
        picks: list[TrackId] = []
        if first is not None and first.blob_hash not in repo.blocked(user_id):
            self._serve(session, radio, first)
            session.flush()  # no autoflush here: the history read below must see it
            picks.append(first.track_id)
        picks += self._advance(session, viewer, matrix, radio, FIRST_TRACKS - len(picks))
        repo.prune_radios(user_id, KEEP_RADIOS)
        return RadioOut(
            id=radio.id, seed=seed, title=radio.title, tracks=self.describe(session, viewer, picks)
        )

    def next(self, uow: UnitOfWork, viewer: Viewer, radio_id: RadioId, count: int) -> TracksOut:
        radio = self._radio(uow, viewer, radio_id)
        matrix = self.index.matrix(uow.session)
        picks = self._advance(uow.session, viewer, matrix, radio, count)
        return TracksOut(tracks=self.describe(uow.session, viewer, picks))

    def feedback(
        self, uow: UnitOfWork, viewer: Viewer, radio_id: RadioId, body: FeedbackIn
    ) -> None:
        """Skips and dislikes persist per person and shape every later radio and mix."""
        radio = self._radio(uow, viewer, radio_id)
        track = self.library.visible(uow.session, viewer, TrackId(body.track_id))
        RadioRepository(uow.session).add_feedback(
            TrackFeedback(
                user_id=radio.user_id,
                track_id=track.id,
                blob_hash=track.blob_hash,
                action=body.action,
                position_s=body.position_s,
            )
        )

    def _radio(self, uow: UnitOfWork, viewer: Viewer, radio_id: RadioId) -> RadioSession:
        radio = RadioRepository(uow.session).radio(radio_id, viewer.require_user())
        if radio is None:
            raise NotFound("No such radio.")  # another person's radio does not exist for you
        return radio

    def _seed(
        self, session: Session, viewer: Viewer, matrix: Matrix, seed: SeedIn
    ) -> tuple[Vector, str, Candidate | None]:
        """(raw descriptor, title, the seed track to play first) of a seed."""
        if seed.kind == SeedKind.TRACK.value:
            track = self.library.visible(session, viewer, TrackId(seed.id))
            raw = matrix.raw(track.blob_hash)
            if raw is None:
                raise Conflict(
                    "This track has not been analysed yet; try again in a minute.",
                    code="not-analysed",
                )
            name = track.title or track.filename
            return raw, f"{name} radio", Candidate(track.id, track.blob_hash, artist_key(track))
        repo = RadioRepository(session)
        seen = self.access.cataloged(viewer)
        if seed.kind == SeedKind.ALBUM.value:
            album = self.catalog.album(session, viewer, AlbumId(seed.id))
            hashes = repo.seed_hashes(seen, album=album.id, artist=None)
            name = album.title
        else:
            artist = self.catalog.artist(session, viewer, ArtistId(seed.id))
            hashes = repo.seed_hashes(seen, album=None, artist=artist.id)
            name = artist.name
        vectors = [v for v in (matrix.raw(h) for h in hashes) if v is not None]
        if not vectors:
            raise Conflict(
                "None of these tracks has been analysed yet; try again in a minute.",
                code="not-analysed",
            )
        return np.mean(np.stack(vectors), axis=0).astype(np.float32), f"{name} radio", None

    def _serve(self, session: Session, radio: RadioSession, pick: Candidate) -> None:
        session.add(
            RadioTrack(
                radio_id=radio.id,
                position=radio.position,
                track_id=pick.track_id,
                blob_hash=pick.blob_hash,
                artist_key=pick.artist_key,
            )
        )
        radio.position += 1

    def _advance(
        self, session: Session, viewer: Viewer, matrix: Matrix, radio: RadioSession, count: int
    ) -> list[TrackId]:
        """Pick ``count`` more tracks (module doc), serve them and move the target."""
        repo = RadioRepository(session)
        user_id = UserId(radio.user_id)
        if radio.position - radio.cycle_start >= MAX_CYCLE:
            radio.cycle_start = radio.position
        cycle = repo.served_since(radio.id, radio.cycle_start)
        recent = repo.last_artists(radio.id, radio.position, ARTIST_WINDOW - 1)
        blocked = repo.blocked(user_id)
        seed = vector_from_bytes(radio.seed_vector)
        target = vector_from_bytes(radio.target_vector)
        pool = _Pool(self, session, viewer, matrix, blocked, max(20, 3 * count + 10))
        picks: list[TrackId] = []
        for _ in range(count):
            pick = pool.pick(matrix.embed(target), cycle, set(filter(None, recent)), self._rng)
            if pick is None:
                if not cycle:
                    break  # everything the viewer may see is blocked
                radio.cycle_start = radio.position  # the pool is exhausted: a new cycle
                cycle = set()
                pick = pool.pick(matrix.embed(target), cycle, set(filter(None, recent)), self._rng)
                if pick is None:
                    pick = pool.pick(matrix.embed(target), cycle, set(), self._rng)
                if pick is None:
                    break
            self._serve(session, radio, pick)
            picks.append(pick.track_id)
            cycle.add(pick.blob_hash)
            recent = [*recent, pick.artist_key][-(ARTIST_WINDOW - 1) :]
            chosen = matrix.raw(pick.blob_hash)
            if chosen is not None:
                target = seed + PULL * (target + STEP * (chosen - target) - seed)
        radio.target_vector = target.astype("<f4").tobytes()
        return picks


@dataclass
class _Pool:
    """Visible, unblocked candidates near the target, fetched once per call and widened
    (fourfold) only when none of them is eligible."""

    service: RadioService
    session: Session
    viewer: Viewer
    matrix: Matrix
    blocked: set[BlobHash]
    size: int
    members: list[Candidate] | None = None
    rows: npt.NDArray[np.float32] | None = None
    complete: bool = False

    def _fill(self, point: npt.NDArray[np.float32]) -> None:
        self.members = self.service.nearest_visible(
            self.session, self.viewer, self.matrix, point, self.size, self.blocked
        )
        self.complete = len(self.members) < self.size
        index = [self.matrix.position[c.blob_hash] for c in self.members]
        self.rows = self.matrix.rows[index]

    def pick(
        self,
        point: npt.NDArray[np.float32],
        served: set[BlobHash],
        artists: set[str | None],
        rng: random.Random,
    ) -> Candidate | None:
        while True:
            if self.members is None or self.rows is None:
                self._fill(point)
            assert self.members is not None
            assert self.rows is not None
            if self.members:
                diff = self.rows - point
                order = np.argsort(np.einsum("ij,ij->i", diff, diff), kind="stable")
                members = [self.members[i] for i in order]
                eligible = [
                    c
                    for c in members
                    if c.blob_hash not in served
                    and (c.artist_key is None or c.artist_key not in artists)
                ][: len(_CHOICE_WEIGHTS)]
                if eligible:
                    weights = _CHOICE_WEIGHTS[: len(eligible)]
                    chosen: Candidate = rng.choices(eligible, weights=weights)[0]
                    return chosen
            if self.complete:
                return None
            self.size *= 4
            self.members = None
