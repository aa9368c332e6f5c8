"""``GET /api/search``: one thin route over ``SearchService.search``."""

# No `from __future__ import annotations` here: FastAPI reads each route's parameter
# types at definition time, and they name dependencies built per app (local names).

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.concurrency import run_in_threadpool

from tonearm.accounts.auth import Deps
from tonearm.accounts.principal import Viewer
from tonearm.db.unit_of_work import UnitOfWorkFactory
from tonearm.search.schemas import SearchOut
from tonearm.search.service import KINDS, SearchService, kinds_of


def build_router(uows: UnitOfWorkFactory, search: SearchService, deps: Deps) -> APIRouter:
    router = APIRouter(tags=["search"])
    Reader = Annotated[Viewer, Depends(deps.reader)]  # noqa: N806

    @router.get(
        "/api/search",
        summary="Tracks, albums, artists, playlists and lyric lines the viewer may see",
        description=(
            "Forgives accents, other scripts (Кино = kino), typos (one edit from 4 letters,"
            " two from 8), punctuation (AC/DC = acdc) and an unfinished last word. Only the"
            " first 200 characters of `q` count; a blank `q` answers empty lists."
        ),
    )
    async def search_all(
        viewer: Reader,
        q: str = "",
        types: Annotated[
            str, Query(max_length=200, description="Comma-separated: " + ",".join(KINDS))
        ] = ",".join(KINDS),
        limit: Annotated[int, Query(ge=1, le=50)] = 10,
    ) -> SearchOut:
        kinds = kinds_of(types)

        def go() -> SearchOut:
            with uows.read() as session:
                return search.search(session, viewer, q, kinds, limit)

        result: SearchOut = await run_in_threadpool(go)
        return result

    return router
