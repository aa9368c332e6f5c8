"""POST /api/plays: the whole API of play sessions.

Progress, pause and end reports are answered ahead of the framework
(``listening/fastpath.py``); this route documents the request and answers what the
fast path passes on (starts, and anything it would not parse).
"""

# No `from __future__ import annotations` here: FastAPI reads each route's parameter
# types at definition time, and they name dependencies built per app (local names).

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool

from tonearm.accounts.auth import Deps
from tonearm.accounts.principal import Viewer
from tonearm.db.unit_of_work import UnitOfWorkFactory
from tonearm.errors import Invalid
from tonearm.listening.fastpath import bindings_of
from tonearm.listening.schemas import PlayIn, PlayOut
from tonearm.listening.service import PlayService, Report
from tonearm.types import TrackId


def build_router(uows: UnitOfWorkFactory, plays: PlayService, deps: Deps) -> APIRouter:
    router = APIRouter(tags=["listening"])
    Listener = Annotated[Viewer, Depends(deps.reader)]  # noqa: N806

    def _play(viewer: Viewer, body: PlayIn, client: str) -> PlayOut:
        if body.event == "start":
            if body.track_id is None:
                raise Invalid("A start names the track_id.")
            with uows.read() as session:
                reported = plays.start(
                    session, viewer, body.session, TrackId(body.track_id), body.rung, client=client
                )
        else:
            if body.token is None:
                raise Invalid("Progress, pause and end carry the token the start answered.")
            report = Report(
                body.event, body.session, body.token, body.played_ms, body.position_ms, body.rung
            )
            reported = plays.report(report, bindings_of(viewer.binding))
        return PlayOut(**asdict(plays.settle(reported)))

    @router.post(
        "/api/plays",
        summary="Report a play session: start, progress every heartbeat_s, pause, end",
        description="A play counts once per session when min(played_ms reported, time since "
        "the start, the track's duration) reaches count_after_ms (30 s, or the whole track if "
        "shorter); counted=true is answered only once the play is recorded. Floods are "
        "refused with 429 and Retry-After; a token for another session or viewer with 403.",
    )
    async def play(viewer: Listener, body: PlayIn, request: Request) -> PlayOut:
        client = request.client.host if request.client else ""
        return await run_in_threadpool(_play, viewer, body, client)

    return router
