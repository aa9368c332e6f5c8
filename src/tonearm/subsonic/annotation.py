"""Stars, ratings and scrobbles: an app's marks on the library, which are the page's own.

A star is a like (the page shows it liked, and a like in the page is starred in the
app); a rating is kept beside it; a scrobble is a play in the listening statistics:
``submission=false`` says a track starts (live count, now playing), ``submission=true``
records a counted play (history, totals, charts), idempotent per (person, track, time).
"""

from __future__ import annotations

from tonearm.container import Container
from tonearm.library.ratings import RatingService
from tonearm.models import LikeKind
from tonearm.subsonic import mapping
from tonearm.subsonic.protocol import Call, Code, Handler, Params, Payload, SubsonicError
from tonearm.types import TrackId

KIND_OF: dict[str, LikeKind] = {
    "song": LikeKind.TRACK,
    "album": LikeKind.ALBUM,
    "artist": LikeKind.ARTIST,
}
MAX_IDS = 500
"""Ids one call may name (an app flushing its offline scrobbles sends many)."""


def subjects(p: Params) -> list[tuple[LikeKind, str]]:
    """``id`` (any kind, by its prefix), ``albumId`` and ``artistId``, each repeatable;
    none at all: error 10."""
    named = [*p.all("id"), *p.all("albumId"), *p.all("artistId")]
    if not named:
        raise SubsonicError(Code.MISSING_PARAMETER, "Required parameter 'id' is missing.")
    if len(named) > MAX_IDS:
        raise SubsonicError(Code.MISSING_PARAMETER, f"At most {MAX_IDS} ids in one call.")
    out = []
    for wire in named:
        kind = mapping.kind_of(wire)
        if kind not in KIND_OF:
            raise SubsonicError(Code.NOT_FOUND, f"Only songs, albums and artists: {wire[:64]!r}.")
        out.append((KIND_OF[kind], mapping.parse(wire, kind)))
    return out


class Annotation:
    def __init__(self, c: Container) -> None:
        self._uows = c.infra.uows
        self._likes = c.catalog.likes
        self._ratings = RatingService(c.catalog.service)
        self._plays = c.listening.plays

    def star(self, call: Call) -> Payload:
        marks = subjects(call.params)
        with self._uows() as uow:
            for kind, subject in marks:
                self._likes.like(uow, call.viewer, kind, subject)
        return {}

    def unstar(self, call: Call) -> Payload:
        marks = subjects(call.params)
        with self._uows() as uow:
            for kind, subject in marks:
                self._likes.unlike(uow, call.viewer, kind, subject)
        return {}

    def set_rating(self, call: Call) -> Payload:
        p = call.params
        wire = p.required("id")
        rating = p.required_int("rating")
        if not 0 <= rating <= 5:
            raise SubsonicError(Code.MISSING_PARAMETER, "A rating is 0 (none) to 5.")
        kind = mapping.kind_of(wire)
        if kind not in KIND_OF:
            raise SubsonicError(Code.NOT_FOUND, f"Only songs, albums and artists: {wire[:64]!r}.")
        subject = mapping.parse(wire, kind)
        with self._uows() as uow:
            self._ratings.rate(uow, call.viewer, KIND_OF[kind], subject, rating)
        return {}

    def scrobble(self, call: Call) -> Payload:
        p = call.params
        ids = p.all("id")
        if not ids:
            raise SubsonicError(Code.MISSING_PARAMETER, "Required parameter 'id' is missing.")
        if len(ids) > MAX_IDS:
            raise SubsonicError(Code.MISSING_PARAMETER, f"At most {MAX_IDS} ids in one call.")
        tracks = [TrackId(mapping.parse(wire, "song")) for wire in ids]
        times = [_millis(t) for t in p.all("time")]
        with self._uows.read() as session:
            if p.flag("submission", True):
                played = [(t, times[i] if i < len(times) else None) for i, t in enumerate(tracks)]
                self._plays.record(session, call.viewer, played)
            else:
                for track_id in tracks:
                    self._plays.playing(session, call.viewer, track_id, call.client)
        return {}


def _millis(value: str) -> int:
    try:
        return int(value.strip())
    except ValueError:
        raise SubsonicError(
            Code.MISSING_PARAMETER, f"Parameter 'time' must be milliseconds, not {value[:40]!r}."
        ) from None


def methods(c: Container) -> dict[str, Handler]:
    a = Annotation(c)
    return {
        "star": a.star,
        "unstar": a.unstar,
        "setRating": a.set_rating,
        "scrobble": a.scrobble,
    }
