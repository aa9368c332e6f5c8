"""Charts, one's listening history, play statistics and the royalty report."""

# No `from __future__ import annotations` here: FastAPI reads each route's parameter
# types at definition time, and they name dependencies built per app (local names).

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Response
from fastapi.concurrency import run_in_threadpool

from tonearm.accounts.auth import Deps
from tonearm.accounts.principal import Viewer
from tonearm.db.unit_of_work import UnitOfWorkFactory
from tonearm.listening.chart_schemas import (
    ChartKind,
    ChartOut,
    ChartSort,
    ChartWindowName,
    MostPlayedPage,
    OwnerStatsOut,
    RecentPage,
    ReportOut,
    TrackStatsOut,
)
from tonearm.listening.charts import ChartService
from tonearm.listening.history import HistoryService
from tonearm.listening.reports import ReportService, csv_lines
from tonearm.listening.stats import StatsService
from tonearm.models import Scope
from tonearm.types import TrackId, UserId

IdPath = Annotated[str, Path(max_length=32, pattern=r"^[A-Za-z0-9_-]+$")]
Days = Annotated[
    int, Query(ge=1, le=366, description="Days back from today (UTC), today included.")
]


@dataclass(frozen=True)
class ChartServices:
    charts: ChartService
    history: HistoryService
    stats: StatsService
    reports: ReportService


def build_router(uows: UnitOfWorkFactory, s: ChartServices, deps: Deps) -> APIRouter:
    router = APIRouter(tags=["listening"])
    Reader = Annotated[Viewer, Depends(deps.reader)]  # noqa: N806
    Member = Annotated[Viewer, Depends(deps.scoped(Scope.READ))]  # noqa: N806

    def _recent(viewer: Viewer, limit: int, before: str | None) -> RecentPage:
        with uows.read() as session:
            return s.history.recent(session, viewer, limit, before)

    def _most(viewer: Viewer, limit: int) -> MostPlayedPage:
        with uows.read() as session:
            return s.history.most(session, viewer, limit)

    def _my_stats(viewer: Viewer, days: int) -> OwnerStatsOut:
        with uows.read() as session:
            return s.stats.owner(session, viewer, days)

    def _track_stats(viewer: Viewer, track_id: TrackId, days: int) -> TrackStatsOut:
        with uows.read() as session:
            return s.stats.track(session, viewer, track_id, days)

    def _report(
        viewer: Viewer, start: date, to: date, owner: UserId | None, group: str
    ) -> ReportOut:
        with uows.read() as session:
            return s.reports.plays(session, viewer, start, to, owner=owner, group=group)

    @router.get(
        "/api/charts",
        summary="The most played or fastest rising public tracks, artists or albums",
    )
    async def charts(
        viewer: Reader,
        kind: ChartKind = "tracks",
        window: ChartWindowName = "7d",
        sort: ChartSort = "top",
        limit: Annotated[int, Query(ge=1, le=100)] = 50,
    ) -> ChartOut:
        return await run_in_threadpool(s.charts.chart, viewer, kind, window, sort, limit)

    @router.get(
        "/api/me/history",
        summary="What I played last (recent, paged by 'before') or most (most)",
        response_model=RecentPage | MostPlayedPage,
    )
    async def history(
        viewer: Member,
        view: Literal["recent", "most"] = "recent",
        limit: Annotated[int, Query(ge=1, le=200)] = 50,
        before: Annotated[str | None, Query(max_length=200)] = None,
    ) -> RecentPage | MostPlayedPage:
        if view == "most":
            return await run_in_threadpool(_most, viewer, limit)
        return await run_in_threadpool(_recent, viewer, limit, before)

    @router.get("/api/me/stats", summary="Plays of my tracks: daily series, listeners, top tracks")
    async def my_stats(viewer: Member, days: Days = 30) -> OwnerStatsOut:
        return await run_in_threadpool(_my_stats, viewer, days)

    @router.get(
        "/api/tracks/{track_id}/stats",
        summary="A track's plays, listeners, completion and skip curve (owner, moderators)",
    )
    async def track_stats(viewer: Member, track_id: IdPath, days: Days = 30) -> TrackStatsOut:
        return await run_in_threadpool(_track_stats, viewer, TrackId(track_id), days)

    @router.get(
        "/api/reports/plays",
        summary="Counted plays and seconds by rung per track or owner (royalties)",
        response_model=ReportOut,
        responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}},
    )
    async def report_plays(
        viewer: Member,
        start: Annotated[date, Query(alias="from", description="First day (UTC).")],
        to: Annotated[date, Query(description="Last day (UTC), included.")],
        owner: Annotated[
            str | None,
            Query(max_length=32, pattern=r"^[A-Za-z0-9_-]+$", description="Admins only."),
        ] = None,
        group: Literal["track", "owner"] = "track",
        format: Literal["json", "csv"] = "json",
    ) -> Response | ReportOut:
        report = await run_in_threadpool(
            _report, viewer, start, to, UserId(owner) if owner else None, group
        )
        if format == "json":
            return report
        name = f"plays-{start.isoformat()}-{to.isoformat()}.csv"
        return Response(
            "".join(csv_lines(report.rows)).encode(),
            media_type="text/csv; charset=utf-8",
            headers={"content-disposition": f'attachment; filename="{name}"'},
        )

    return router
