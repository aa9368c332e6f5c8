"""The HTTP application: routers from every domain, error mapping, the segment fast path.

From the outside in: ``EdgeGuard`` (Host allow-list, security headers), the segment
fast path, the play-report fast path, the access log, then FastAPI.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.staticfiles import StaticFiles

import tonearm
from tonearm.accounts import routes as account_routes
from tonearm.container import Container
from tonearm.http import docs, edge, health, openapi, problems
from tonearm.ingest import routes as ingest_routes
from tonearm.library import catalog_routes
from tonearm.library import routes as library_routes
from tonearm.listening import chart_routes
from tonearm.listening import live_routes as listening_live_routes
from tonearm.listening import routes as listening_routes
from tonearm.listening.fastpath import PlayServer
from tonearm.listening.live_board import LiveBoard
from tonearm.playlists import routes as playlist_routes
from tonearm.radio import routes as radio_routes
from tonearm.search import routes as search_routes
from tonearm.social import embed_routes, live_routes
from tonearm.social import routes as social_routes
from tonearm.streaming import routes as streaming_routes
from tonearm.streaming.fastpath import ASGIApp, Receive, Scope, SegmentServer, Send
from tonearm.streaming.segments import SEGMENT_PREFIX
from tonearm.subsonic import api as subsonic_api
from tonearm.subsonic.share_page import SharePage

log = logging.getLogger("tonearm.access")

WEB_DIR = Path(tonearm.__file__).parent / "web"


def create_app(c: Container) -> ASGIApp:
    s = c.settings
    infra = c.infra
    app = FastAPI(
        title="tonearm",
        version=tonearm.__version__,
        description="Self-hostable music streaming: resumable upload, content-addressed "
        "storage, an adaptive HLS ladder, loudness, waveforms and fingerprints.",
        license_info={"name": "AGPL-3.0-or-later", "identifier": "AGPL-3.0-or-later"},
        docs_url=None,
        redoc_url=None,
    )
    deps = c.accounts.deps
    problems.install(app)
    openapi.install(app)
    docs.install(app)
    app.include_router(
        health.build_router(infra.uows, {"queue": lambda: infra.queue.pending() >= 0})
    )
    app.include_router(
        ingest_routes.build_router(
            uows=infra.uows,
            ingest=c.ingest.service,
            uploads=c.ingest.uploads,
            library=c.library,
            staging=c.ingest.staging,
            max_multipart_bytes=s.uploads.max_multipart_bytes,
            max_upload_bytes=s.uploads.max_bytes,
            idle_timeout_s=s.http.body_idle_timeout_s,
            deps=deps,
        )
    )
    app.include_router(library_routes.build_router(infra.uows, c.library, c.catalog.lyrics, deps))
    pl = c.playlists
    app.include_router(
        playlist_routes.build_router(
            infra.uows,
            playlist_routes.PlaylistServices(
                playlists=pl.service,
                items=pl.items,
                sharing=pl.sharing,
                transfer=pl.transfer,
                images=pl.images,
            ),
            deps,
        )
    )
    app.include_router(
        catalog_routes.build_router(infra.uows, c.catalog.service, c.catalog.likes, deps)
    )
    app.include_router(
        streaming_routes.build_router(infra.uows, c.streaming.service, infra.store, deps)
    )
    app.include_router(search_routes.build_router(infra.uows, c.search.service, deps))

    app.include_router(
        social_routes.build_router(infra.uows, c.social.comments, c.social.queue, deps)
    )
    app.include_router(radio_routes.build_router(infra.uows, c.radio.service, c.radio.mixes, deps))
    app.include_router(listening_routes.build_router(infra.uows, c.listening.plays, deps))
    ch = c.charts
    app.include_router(
        chart_routes.build_router(
            infra.uows,
            chart_routes.ChartServices(
                charts=ch.charts, history=ch.history, stats=ch.stats, reports=ch.reports
            ),
            deps,
        )
    )
    app.include_router(live_routes.build_router(infra.events, c.social.live, deps))
    app.include_router(
        listening_live_routes.build_router(infra.uows, LiveBoard(c.listening.live, c.library), deps)
    )
    app.include_router(
        embed_routes.build_router(infra.uows, c.social.embeds, deps, public_url=s.http.public_url)
    )

    account_edges = account_routes.AccountEdges(
        usage=c.library.usage,
        release_owned=c.release_owned,
        adopt_orphans=c.library.adopt_orphans,
        anonymous_listening=s.accounts.anonymous_listening,
        cookie_secure=s.accounts.cookie_secure,
    )
    for build in (
        account_routes.build_router,
        account_routes.build_me_router,
        account_routes.build_admin_router,
    ):
        app.include_router(
            build(uows=infra.uows, accounts=c.accounts.service, deps=deps, edges=account_edges)
        )
    if s.subsonic.enabled:
        # First in the table: every app call would otherwise be matched against each of
        # the page's routes before reaching its own (their paths never overlap).
        app.router.routes[0:0] = [*subsonic_api.build(c).routes(), *SharePage(c).routes()]
    app.include_router(
        account_routes.build_app_password_router(
            uows=infra.uows, app_passwords=c.accounts.app_passwords, deps=deps
        )
    )
    _mount_web(app)
    hosts = edge.allowed_hosts(s.http.allowed_hosts, s.http.host, s.http.public_url)
    plays = PlayServer(
        AccessLog(app),
        c.listening.plays,
        problems.STATUS_BY_KIND,
        blocking=not s.resolved_events_url().startswith("memory:"),
        bind_to_address=s.accounts.bind_urls_to_address,
    )
    fast = SegmentServer(
        plays,
        infra.store,
        infra.signer,
        c.streaming.segment_cache,
        bind_to_address=s.accounts.bind_urls_to_address,
        security_headers=edge.MEDIA_HEADERS,
    )
    return edge.EdgeGuard(fast, hosts, passthrough=SEGMENT_PREFIX)


def _mount_web(app: FastAPI) -> None:
    index = WEB_DIR / "index.html"
    assets = WEB_DIR / "assets"
    if assets.is_dir():
        app.mount("/assets", StaticFiles(directory=assets), name="assets")

    @app.get("/", include_in_schema=False, response_model=None)
    async def home() -> FileResponse | HTMLResponse:
        if index.is_file():
            return FileResponse(index, headers={"cache-control": "no-cache"})
        return HTMLResponse(
            "<!doctype html><title>tonearm</title><p>tonearm is running. "
            "The API is documented at <a href=/docs>/docs</a>."
        )


class AccessLog:
    """One structured line per request (the segment fast path is not logged)."""

    def __init__(self, app: ASGIApp) -> None:
        self._app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        start = time.perf_counter()
        status: dict[str, Any] = {"code": 0}

        async def _send(message: Any) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        try:
            await self._app(scope, receive, _send)
        finally:
            log.info(
                "%s %s %s",
                scope["method"],
                scope["path"],
                status["code"],
                extra={
                    "method": scope["method"],
                    "path": scope["path"],
                    "status": status["code"],
                    "ms": round((time.perf_counter() - start) * 1000, 1),
                },
            )
