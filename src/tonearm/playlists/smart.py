"""Smart playlists: rules checked strictly when saved, evaluated as one query when read.

A rule is ``{field, op, value}``; ``match`` says whether all or any must hold. Each
field is a ``FieldSpec`` in ``FIELDS``: its type decides the operators it takes and the
values they need, and its ``column`` builds the SQL expression for one viewer. A new
field is one more entry: a spec whose ``column`` reads its table (a correlated
subquery on ``Track.id``, as the play counts do), nothing else changes.

Rules are evaluated at read time over the tracks the viewer may see, so a smart
playlist is always current and never shows a track its viewer could not open.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    exists,
    false,
    func,
    literal,
    not_,
    null,
    or_,
    select,
    true,
)

from tonearm.errors import Invalid
from tonearm.models import (
    Blob,
    Like,
    LikeKind,
    ListenerTrack,
    Track,
    TrackGenre,
    TrackPlays,
    utcnow,
)
from tonearm.playlists.schemas import SmartRule, SmartRules
from tonearm.types import UserId

TEXT_OPS = frozenset({"is", "is_not", "contains", "not_contains"})
NUMBER_OPS = frozenset({"is", "is_not", "gt", "lt", "between"})
RANGE_OPS = frozenset({"gt", "lt", "between"})
DATE_OPS = frozenset({"in_last_days", "gt", "lt"})
BOOL_OPS = frozenset({"true", "false"})


@dataclass(frozen=True)
class Context:
    """What a field's expression may depend on: who is looking."""

    viewer_id: UserId | None


@dataclass(frozen=True)
class FieldSpec:
    kind: str
    """text | number | date | bool | genre"""
    column: Callable[[Context], Any]
    """The SQL expression of the field for one track row (``Track`` joined to ``Blob``)."""
    sortable: bool = True

    @property
    def ops(self) -> frozenset[str]:
        return {
            "text": TEXT_OPS,
            "genre": TEXT_OPS,
            "number": NUMBER_OPS,
            "measure": RANGE_OPS,
            "date": DATE_OPS,
            "bool": BOOL_OPS,
        }[self.kind]


def _liked(ctx: Context) -> ColumnElement[bool]:
    if ctx.viewer_id is None:
        return false()
    return exists().where(
        Like.user_id == ctx.viewer_id,
        Like.kind == LikeKind.TRACK,
        Like.subject_id == Track.id,
    )


def _played(ctx: Context, column: Any) -> Any:
    """The viewer's own ``listener_tracks`` value for the track (None: never played)."""
    if ctx.viewer_id is None:
        return None
    return (
        select(column)
        .where(ListenerTrack.user_id == ctx.viewer_id, ListenerTrack.track_id == Track.id)
        .scalar_subquery()
    )


def _my_plays(ctx: Context) -> Any:
    found = _played(ctx, ListenerTrack.plays)
    return func.coalesce(found, 0) if found is not None else literal(0)


def _my_last_played(ctx: Context) -> Any:
    found = _played(ctx, ListenerTrack.last_played_at)
    return found if found is not None else null()


def _all_plays(_: Context) -> Any:
    found = select(TrackPlays.plays).where(TrackPlays.track_id == Track.id).scalar_subquery()
    return func.coalesce(found, 0)


FIELDS: dict[str, FieldSpec] = {
    "genre": FieldSpec("genre", lambda _: Track.genre, sortable=False),
    "artist": FieldSpec("text", lambda _: Track.artist),
    "album": FieldSpec("text", lambda _: Track.album),
    "title": FieldSpec("text", lambda _: Track.title),
    "year": FieldSpec("number", lambda _: Track.year),
    "added": FieldSpec("date", lambda _: Track.created_at),
    "liked": FieldSpec("bool", _liked, sortable=False),
    "duration": FieldSpec("measure", lambda _: Blob.duration),
    "loudness": FieldSpec("measure", lambda _: Blob.integrated_lufs),
    "plays": FieldSpec("number", _my_plays),
    "last_played": FieldSpec("date", _my_last_played),
    "total_plays": FieldSpec("number", _all_plays),
}
"""The field registry: ``plays`` and ``last_played`` are the viewer's own counted plays,
``total_plays`` everyone's."""


def fold(text: str) -> str:
    """How names are matched: NFKC and case folding (as genre keys are stored)."""
    return unicodedata.normalize("NFKC", text).strip().casefold()


def validate(rules: SmartRules) -> SmartRules:
    """The rules as given, or ``Invalid`` naming the first rule that is wrong."""
    for n, rule in enumerate(rules.rules, start=1):
        _check(n, rule)
    spec = FIELDS.get(rules.sort.field)
    if spec is None or not spec.sortable:
        sortable = ", ".join(k for k, v in FIELDS.items() if v.sortable)
        raise Invalid(f"Smart playlists sort by one of {sortable}, not {rules.sort.field!r}.")
    return rules


def _check(n: int, rule: SmartRule) -> None:
    spec = FIELDS.get(rule.field)
    where = f"Rule {n} ({rule.field} {rule.op})"
    if spec is None:
        raise Invalid(f"Rule {n}: unknown field {rule.field!r}; use one of {', '.join(FIELDS)}.")
    if rule.op not in spec.ops:
        raise Invalid(
            f"{where}: the field {rule.field!r} takes {', '.join(sorted(spec.ops))}, "
            f"not {rule.op!r}."
        )
    _check_value(where, spec, rule.op, rule.value)


def _check_value(where: str, spec: FieldSpec, op: str, value: Any) -> None:
    if op in BOOL_OPS:
        if value is not None:
            raise Invalid(f"{where}: takes no value.")
    elif op == "between":
        if not (isinstance(value, list) and len(value) == 2 and all(_is_number(v) for v in value)):
            raise Invalid(f"{where}: the value must be two numbers, [low, high].")
    elif op == "in_last_days":
        if not (isinstance(value, int) and not isinstance(value, bool) and 0 < value <= 36500):
            raise Invalid(f"{where}: the value must be a whole number of days (1-36500).")
    elif spec.kind == "date":
        if not (isinstance(value, str) and _date(value) is not None):
            raise Invalid(f"{where}: the value must be a date, YYYY-MM-DD.")
    elif spec.kind in ("number", "measure"):
        if not _is_number(value):
            raise Invalid(f"{where}: the value must be a number.")
    elif not (isinstance(value, str) and 0 < len(value.strip()) <= 500):
        raise Invalid(f"{where}: the value must be text (1-500 characters).")


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _date(value: str) -> datetime | None:
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return None
    return datetime.combine(day, time(), tzinfo=utcnow().tzinfo)


def _like(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def condition(rule: SmartRule, ctx: Context) -> ColumnElement[bool]:
    spec = FIELDS[rule.field]
    col = spec.column(ctx)
    op, value = rule.op, rule.value
    if spec.kind == "genre":
        key = fold(str(value))
        has = (
            exists()
            .where(TrackGenre.track_id == Track.id)
            .where(
                TrackGenre.genre_key == key
                if op in ("is", "is_not")
                else TrackGenre.genre_key.like(_like(key), escape="\\")
            )
        )
        return has if op in ("is", "contains") else not_(has)
    if spec.kind == "text":
        text = str(value)
        if op in ("is", "is_not"):
            same = func.lower(col) == text.lower()
            return same if op == "is" else or_(col.is_(None), not_(same))
        inside = col.ilike(_like(text), escape="\\")
        return inside if op == "contains" else or_(col.is_(None), not_(inside))
    if spec.kind == "bool":
        return col if op == "true" else not_(col)  # type: ignore[no-any-return]
    if op == "in_last_days":
        return col >= utcnow() - timedelta(days=int(value))  # type: ignore[no-any-return]
    if spec.kind == "date":
        return (col > _date(value)) if op == "gt" else (col < _date(value))  # type: ignore[no-any-return]
    if op == "between":
        low, high = sorted(value)
        return col.between(low, high)  # type: ignore[no-any-return]
    if op == "is":
        return col == value  # type: ignore[no-any-return]
    if op == "is_not":
        return or_(col.is_(None), col != value)
    return (col > value) if op == "gt" else (col < value)  # type: ignore[no-any-return]


def query(rules: SmartRules, ctx: Context, visible: ColumnElement[bool]) -> Select[Any]:
    """One SELECT of the matching track ids, in the rules' order and limit."""
    parts = [condition(rule, ctx) for rule in rules.rules]
    if not parts:
        matched: ColumnElement[bool] = true()
    elif rules.match == "all":
        matched = and_(*parts)
    else:
        matched = or_(*parts)
    key = FIELDS[rules.sort.field].column(ctx)
    ordered = key.asc() if rules.sort.order == "asc" else key.desc()
    tiebreak = Track.id.asc() if rules.sort.order == "asc" else Track.id.desc()
    q = (
        select(Track.id)
        .join(Blob, Blob.hash == Track.blob_hash)
        .where(visible, matched)
        .order_by(ordered.nulls_last(), tiebreak)
    )
    if rules.limit is not None:
        q = q.limit(rules.limit)
    return q
