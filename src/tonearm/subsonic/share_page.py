"""``/share/<secret>``: what a share's link opens, for anyone, without an account.

A small document rendered here (no script: the Content-Security-Policy forbids it):
the description, who shared it, and an ``<audio controls>`` per track whose source is
the track's stored MP3 at ``/share/<share id>/audio/<track id>.mp3``, signed
(``streaming/signing.py``) so a copied audio link stops working within the signing
window, and checked against the share on every request (a deleted or expired share
plays nothing more). Each opening of the page counts as a visit. An unknown or
expired share is a 404 page.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from html import escape

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from tonearm.accounts.repository import AccountRepository
from tonearm.blobs import keys
from tonearm.container import Container
from tonearm.errors import Conflict, NotFound
from tonearm.models import BlobStatus, Track
from tonearm.streaming.file_response import RangedFileResponse, StoredObject
from tonearm.streaming.signing import parse_query

PAGE = "/share/{secret}"
AUDIO = "/share/{share_id}/audio/{track_id}.mp3"
BINDING = "share"
"""Signs share audio apart from every viewer's media links."""


def policy(nonce: str) -> str:
    return "; ".join(
        [
            "default-src 'none'",
            f"style-src 'nonce-{nonce}'",
            "media-src 'self'",
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'none'",
        ]
    )


@dataclass(frozen=True)
class Shown:
    title: str
    sharer: str
    tracks: list[tuple[str, str, str | None]]
    """(title, artist, signed audio path or None when there is no MP3)."""


def audio_path(share_id: str, track_id: str) -> str:
    return f"/share/{share_id}/audio/{track_id}.mp3"


class SharePage:
    def __init__(self, c: Container) -> None:
        self._uows = c.infra.uows
        self._shares = c.social.shares
        self._signer = c.infra.signer
        self._store = c.infra.store

    def routes(self) -> list[Route]:
        return [
            Route(PAGE, self.page, methods=["GET"]),
            Route(AUDIO, self.audio, methods=["GET"]),
        ]

    def _open(self, secret: str, visit: bool) -> Shown:
        with self._uows() as uow:
            share = self._shares.open(uow.session, secret)
            if visit:
                self._shares.visit(uow, share.id)
            tracks = self._shares.tracks(uow.session, share)
            names = AccountRepository(uow.session).names({share.owner_id})
            rows = [
                (
                    t.title or t.filename.rsplit(".", 1)[0],
                    t.artist or t.album_artist or "",
                    self._signer.sign(audio_path(share.id, t.id), BINDING) if _has_mp3(t) else None,
                )
                for t in tracks
            ]
            return Shown(
                title=share.description or "Shared music",
                sharer=names.get(share.owner_id, ""),
                tracks=rows,
            )

    async def page(self, request: Request) -> Response:
        nonce = secrets.token_urlsafe(16)
        headers = {"content-security-policy": policy(nonce), "cache-control": "no-store"}
        try:
            shown = await run_in_threadpool(
                self._open, request.path_params["secret"], request.method == "GET"
            )
        except NotFound:
            return HTMLResponse(_gone(nonce), status_code=404, headers=headers)
        return HTMLResponse(render(shown, nonce), headers=headers)

    def _stored(self, share_id: str, track_id: str) -> tuple[str, str]:
        with self._uows.read() as session:
            track = self._shares.track(session, share_id, track_id)
            if not _has_mp3(track):
                raise Conflict("The MP3 of this track is not ready yet.")
            return keys.mp3_key(track.blob.hash), f'"{track.blob.hash[:32]}-mp3"'

    async def audio(self, request: Request) -> Response:
        share_id = request.path_params["share_id"]
        track_id = request.path_params["track_id"]
        # Only the exact query ``sign`` wrote (``signing.parse_query``).
        parsed = parse_query(request.scope.get("query_string", b""))
        if parsed is None or not self._signer.verify_parsed(
            audio_path(share_id, track_id), *parsed, BINDING
        ):
            raise NotFound("This link has expired; open the share again.")
        key, etag = await run_in_threadpool(self._stored, share_id, track_id)
        source = await run_in_threadpool(StoredObject, self._store, key)
        return RangedFileResponse(
            source,
            method=request.method,
            request_headers=request.headers,
            media_type="audio/mpeg",
            etag=etag,
            cache_control="private, no-store",
        )


def _has_mp3(track: Track) -> bool:
    return track.blob.status == BlobStatus.READY and bool(track.blob.mp3_size)


_STYLE = """
*{box-sizing:border-box}body{margin:0 auto;max-width:640px;padding:16px;
font:15px/1.4 system-ui,sans-serif;color:#eee;background:#1b1b1f}h1{font-size:20px;margin:0}
p{color:#aaa;margin:4px 0 16px}ol{list-style:none;margin:0;padding:0}
li{padding:8px 0;border-top:1px solid #333}.by{font-size:13px;color:#999}
audio{display:block;width:100%;margin-top:6px}
"""


def _document(title: str, body: str, nonce: str) -> str:
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        '<meta name=viewport content="width=device-width,initial-scale=1">'
        '<meta name=robots content="noindex">'
        f"<title>{escape(title)}</title>"
        f'<style nonce="{nonce}">{_STYLE}</style></head><body>{body}</body></html>'
    )


def render(shown: Shown, nonce: str) -> str:
    rows = "".join(
        f"<li>{escape(title)} <span class=by>{escape(artist)}</span>"
        + (f'<audio controls preload="none" src="{escape(src)}"></audio>' if src else "")
        + "</li>"
        for title, artist, src in shown.tracks
    )
    by = f"<p>Shared by {escape(shown.sharer)}</p>" if shown.sharer else "<p></p>"
    body = f"<h1>{escape(shown.title)}</h1>{by}<ol>{rows}</ol>"
    return _document(shown.title, body, nonce)


def _gone(nonce: str) -> str:
    body = "<h1>This share is not here</h1><p>It may have expired or been removed.</p>"
    return _document("Not found", body, nonce)
