"""oEmbed (``GET /api/oembed``) and the embed pages (``GET /embed/{kind}/{id}``).

An embed page is a small document rendered here, no script and no bundle: the
title, the artwork and an <audio> element per track. It is the one page other
sites may frame (``frame-ancestors *``); everything else keeps ``'none'``. Its
stylesheet is inline, allowed by a nonce in its own Content-Security-Policy.
"""

# No `from __future__ import annotations` here: FastAPI reads each route's parameter
# types at definition time, and they name dependencies built per app (local names).

import secrets
from html import escape
from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse

from tonearm.accounts.auth import Deps
from tonearm.accounts.principal import Viewer
from tonearm.db.unit_of_work import UnitOfWorkFactory
from tonearm.errors import NotImplementedHere
from tonearm.social.embeds import SIZES, Embed, EmbedService, parse_url
from tonearm.social.schemas import OEmbed

SubjectPath = Annotated[str, Path(max_length=32, pattern=r"^[A-Za-z0-9_-]+$")]


def embed_policy(nonce: str) -> str:
    return "; ".join(
        [
            "default-src 'none'",
            f"style-src 'nonce-{nonce}'",
            "img-src 'self' data:",
            "media-src 'self' blob:",
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors *",
        ]
    )


def build_router(
    uows: UnitOfWorkFactory, embeds: EmbedService, deps: Deps, *, public_url: str | None
) -> APIRouter:
    router = APIRouter(tags=["social"])
    Anyone = Annotated[Viewer, Depends(deps.viewer)]  # noqa: N806

    def _base(request: Request) -> str:
        return (public_url or str(request.base_url)).rstrip("/")

    def _oembed(
        viewer: Viewer, url: str, base: str, max_w: int | None, max_h: int | None
    ) -> OEmbed:
        kind, subject = parse_url(url)
        with uows.read() as session:
            embed = embeds.find(session, viewer, kind, subject)
            thumbnail = embeds.thumbnail(session, embed) if embed.tracks else None
        width, height = SIZES[kind]
        width = min(width, max_w) if max_w else width
        height = min(height, max_h) if max_h else height
        src = f"{base}/embed/{kind}/{embed.id}"
        html = (
            f'<iframe src="{escape(src)}" width="{width}" height="{height}" '
            f'title="{escape(embed.title)}" loading="lazy" '
            'style="border:0;max-width:100%"></iframe>'
        )
        return OEmbed(
            provider_url=base + "/",
            title=embed.title,
            author_name=embed.byline,
            html=html,
            width=width,
            height=height,
            thumbnail_url=base + thumbnail if thumbnail else None,
        )

    @router.get("/api/oembed", summary="oEmbed for a link to a shared track, album or playlist")
    async def oembed(
        viewer: Anyone,
        request: Request,
        url: Annotated[str, Query(max_length=2000, description="A link to a page here.")],
        format: Annotated[Literal["json", "xml"], Query()] = "json",
        maxwidth: Annotated[int | None, Query(ge=1, le=10000)] = None,
        maxheight: Annotated[int | None, Query(ge=1, le=10000)] = None,
    ) -> OEmbed:
        if format != "json":
            raise NotImplementedHere("Only the JSON format of oEmbed is offered.")
        return await run_in_threadpool(_oembed, viewer, url, _base(request), maxwidth, maxheight)

    def _find(viewer: Viewer, kind: str, subject: str) -> Embed:
        with uows.read() as session:
            return embeds.find(session, viewer, kind, subject)

    @router.get("/embed/{kind}/{subject_id}", include_in_schema=False)
    async def embed_page(
        viewer: Anyone, request: Request, kind: str, subject_id: SubjectPath
    ) -> HTMLResponse:
        embed = await run_in_threadpool(_find, viewer, kind, subject_id)
        nonce = secrets.token_urlsafe(16)
        base = _base(request)
        page_url = f"{base}/embed/{kind}/{embed.id}"
        return HTMLResponse(
            render(embed, nonce, oembed=f"{base}/api/oembed?format=json&url={quote(page_url)}"),
            headers={
                "content-security-policy": embed_policy(nonce),
                "cache-control": "no-store",
            },
        )

    return router


_STYLE = """
*{box-sizing:border-box}body{margin:0;font:14px/1.4 system-ui,sans-serif;color:#eee;
background:#1b1b1f}main{display:flex;gap:12px;padding:10px}img{width:96px;height:96px;
object-fit:cover;border-radius:4px;flex:none}.meta{flex:1;min-width:0}h1{font-size:16px;
margin:0;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}p{margin:2px 0 8px;
color:#aaa}audio{width:100%;height:32px}ol{list-style:none;margin:0;padding:0 10px 10px;
max-height:270px;overflow:auto}li{padding:4px 0;border-top:1px solid #333}a{color:#8ab4f8}
.by{font-size:12px;color:#999}
"""


def render(embed: Embed, nonce: str, *, oembed: str) -> str:
    """The embed page: one player for a track, a list of players for the others."""
    title = escape(embed.title)
    byline = f"<p>{escape(embed.byline)}</p>" if embed.byline else "<p></p>"
    art = f'<img src="{escape(embed.artwork)}" alt="">' if embed.artwork else ""
    sign_in = f'<p><a href="{escape(embed.page)}" target="_top">Sign in to listen</a></p>'
    playable = [t for t in embed.tracks if t.src]
    if embed.kind == "track":
        track = embed.tracks[0]
        player = (
            f'<audio controls preload="none" src="{escape(track.src)}"></audio>'
            if track.src
            else sign_in
        )
        body = f'<main>{art}<div class="meta"><h1>{title}</h1>{byline}{player}</div></main>'
    else:
        rows = "".join(
            f"<li>{escape(t.title)} <span class=by>{escape(t.artist or '')}</span>"
            + (f'<audio controls preload="none" src="{escape(t.src)}"></audio>' if t.src else "")
            + "</li>"
            for t in embed.tracks
        )
        note = "" if playable or not embed.tracks else sign_in
        body = (
            f'<main>{art}<div class="meta"><h1>{title}</h1>{byline}{note}</div></main>'
            f"<ol>{rows}</ol>"
        )
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        '<meta name=viewport content="width=device-width,initial-scale=1">'
        f"<title>{title}</title>"
        f'<link rel="alternate" type="application/json+oembed" href="{escape(oembed)}" '
        f'title="{title}">'
        f'<style nonce="{nonce}">{_STYLE}</style></head><body>{body}</body></html>'
    )
