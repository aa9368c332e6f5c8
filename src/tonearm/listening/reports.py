"""The royalty report: counted plays and seconds heard, by rung, per track or per owner.

Sums the hourly rollups (``play_hours``) over the UTC hours in ``[from, to + 1 day)``,
so a day's plays are the same in every report that covers it. A track is reported
under its owner now (``tracks.owner_id``). A person sees their own tracks; admins any
owner's, or every owner's from the CLI.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.orm import Session

from tonearm.accounts.principal import Viewer
from tonearm.accounts.repository import AccountRepository
from tonearm.accounts.service import username_key
from tonearm.errors import Forbidden, Invalid, NotFound
from tonearm.listening import chart_schemas as schemas
from tonearm.listening.stats_repository import ReportRow, StatsRepository
from tonearm.types import UserId

COLUMNS = ("track_id", "title", "artist", "owner_id", "owner", "rung", "plays", "seconds")
MAX_DAYS = 3660
"""Ten years: a period longer than any one makes no sense and only costs a scan."""


class ReportService:
    def plays(
        self,
        session: Session,
        viewer: Viewer,
        start: date,
        to: date,
        *,
        owner: UserId | None,
        group: str,
    ) -> schemas.ReportOut:
        """The report as ``viewer`` may see it: their own tracks; admins name anyone."""
        me = viewer.require_user()
        if owner is not None and owner != me and not viewer.is_admin:
            raise Forbidden("Only admins can see the report of another owner's tracks.")
        return self.for_owner(session, start, to, owner=owner or me, group=group)

    def for_owner(
        self, session: Session, start: date, to: date, *, owner: UserId | None, group: str
    ) -> schemas.ReportOut:
        """Any owner's report, or every owner's (``owner`` None): for the operator."""
        begin, end = period(start, to)
        if group not in ("track", "owner"):
            raise Invalid("group is 'track' or 'owner'.")
        rows = StatsRepository(session).report(begin, end, owner, by_owner=group == "owner")
        return schemas.ReportOut(
            start=start,
            to=to,
            group=group,
            rows=[_out(r) for r in rows],
        )

    def owner_named(self, session: Session, username: str) -> UserId:
        user = AccountRepository(session).user_by_key(username_key(username))
        if user is None:
            raise NotFound(f"No user named {username!r}.")
        return user.id


def period(start: date, to: date) -> tuple[datetime, datetime]:
    if start > to:
        raise Invalid("'from' must not be after 'to'.")
    if (to - start).days >= MAX_DAYS:
        raise Invalid(f"A report covers at most {MAX_DAYS} days.")
    begin = datetime(start.year, start.month, start.day, tzinfo=UTC)
    end = datetime(to.year, to.month, to.day, tzinfo=UTC) + timedelta(days=1)
    return begin, end


def _out(r: ReportRow) -> schemas.ReportRowOut:
    return schemas.ReportRowOut(
        track_id=r.track_id,
        title=r.title,
        artist=r.artist,
        owner_id=r.owner_id,
        owner=r.owner,
        rung=r.rung,
        plays=r.plays,
        seconds=round(r.seconds, 3),
    )


def csv_lines(rows: Sequence[schemas.ReportRowOut]) -> Iterator[str]:
    """The report as CSV, a header line first (one string per line)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    yield _take(buffer)
    for r in rows:
        writer.writerow(
            [
                r.track_id or "",
                r.title or "",
                r.artist or "",
                r.owner_id or "",
                r.owner or "",
                r.rung,
                r.plays,
                f"{r.seconds:.3f}",
            ]
        )
        yield _take(buffer)


def _take(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text
