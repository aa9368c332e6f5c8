"""Liveness and readiness."""

from __future__ import annotations

import shutil
from collections.abc import Callable

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from sqlalchemy import text

from tonearm.db.unit_of_work import UnitOfWorkFactory


def build_router(uows: UnitOfWorkFactory, checks: dict[str, Callable[[], bool]]) -> APIRouter:
    router = APIRouter(tags=["operations"])

    @router.get("/healthz", summary="The process is alive")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    def ready() -> dict[str, str]:
        results: dict[str, str] = {}
        try:
            with uows.read() as session:
                session.execute(text("SELECT 1"))
            results["database"] = "ok"
        except Exception as exc:
            results["database"] = f"error: {type(exc).__name__}"
        for tool in ("ffmpeg", "ffprobe"):
            results[tool] = "ok" if shutil.which(tool) else "missing"
        for name, check in checks.items():
            try:
                results[name] = "ok" if check() else "error"
            except Exception as exc:
                results[name] = f"error: {type(exc).__name__}"
        return results

    @router.get("/readyz", summary="Database, queue, store and media tools are usable")
    async def readyz() -> JSONResponse:
        results = await run_in_threadpool(ready)
        ok = all(v == "ok" for v in results.values())
        return JSONResponse(
            {"status": "ok" if ok else "unavailable", "checks": results},
            status_code=200 if ok else 503,
        )

    return router
