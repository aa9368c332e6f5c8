"""A person's own listening: what they played last, and what they play most.

Only tracks they may still see are listed (``TrackAccess.viewable``): a track made
private by its owner leaves others' histories, as it leaves every list.
"""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from tonearm.accounts.principal import Viewer
from tonearm.errors import BadRequest
from tonearm.library.service import LibraryService
from tonearm.listening import chart_schemas as schemas
from tonearm.listening.stats_repository import StatsRepository


class HistoryService:
    def __init__(self, library: LibraryService) -> None:
        self.library = library
        self.access = library.access

    def recent(
        self, session: Session, viewer: Viewer, limit: int, before: str | None
    ) -> schemas.RecentPage:
        user_id = viewer.require_user()
        cursor = decode_cursor(before) if before else None
        rows = StatsRepository(session).recent(
            user_id, self.access.viewable(viewer), cursor, limit + 1
        )
        page = rows[:limit]
        described = self.library.describe(
            session, viewer, list({t.id: t for _, t in page}.values())
        )
        by_id = {t.id: t for t in described}
        items = [
            schemas.RecentPlayOut(
                played_at=p.started_at,
                seconds=round(p.seconds, 3),
                counted=p.counted_at is not None,
                track=by_id[t.id],
            )
            for p, t in page
        ]
        after = (
            encode_cursor(page[-1][0].started_at, page[-1][0].session)
            if len(rows) > limit
            else None
        )
        return schemas.RecentPage(items=items, next=after)

    def most(self, session: Session, viewer: Viewer, limit: int) -> schemas.MostPlayedPage:
        user_id = viewer.require_user()
        rows = StatsRepository(session).most(user_id, self.access.viewable(viewer), limit)
        described = {t.id: t for t in self.library.describe(session, viewer, [t for _, t in rows])}
        return schemas.MostPlayedPage(
            items=[
                schemas.MostPlayedOut(
                    plays=lt.plays,
                    seconds=round(lt.seconds, 3),
                    last_played_at=lt.last_played_at,
                    track=described[t.id],
                )
                for lt, t in rows
            ]
        )


def encode_cursor(at: datetime, session_id: str) -> str:
    raw = f"{at.isoformat()}|{session_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        at, session_id = raw.split("|", 1)
        when = datetime.fromisoformat(at)
        if when.tzinfo is None:
            raise ValueError("naive")
        when = when.astimezone(UTC)
    except (ValueError, OverflowError, binascii.Error, UnicodeDecodeError):
        raise BadRequest("The cursor is not valid; start from the first page.") from None
    return when, session_id
