"""Media methods: stream, download, hls.m3u8, getCoverArt.

Thin: the stream choice, the joined MP4, the MP3 cut and transcodes live in
``streaming.progressive``; covers in the catalog and playlists. Media answers keep
HTTP semantics (Range, HEAD, conditional requests); errors stay Subsonic bodies.
"""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.responses import RedirectResponse, Response

from tonearm.accounts.credentials import binding_of
from tonearm.container import Container
from tonearm.library.browse import CoverFile
from tonearm.models import Rendition
from tonearm.streaming.choice import Source
from tonearm.streaming.file_response import RangedFileResponse, StoredObject
from tonearm.streaming.piped_response import PipedResponse
from tonearm.streaming.progressive import ProgressiveService
from tonearm.streaming.rfc9110 import etag_matches
from tonearm.streaming.service import StoredFile
from tonearm.streaming.transcode import Transcoder
from tonearm.subsonic import mapping
from tonearm.subsonic.protocol import Call, Code, Handler, SubsonicError
from tonearm.types import AlbumId, ArtistId, TrackId

FILE_CACHE = "private, max-age=86400"
COVER_CACHE = "private, max-age=86400"
M3U8 = "application/vnd.apple.mpegurl"
MAX_KBPS = 10_000
MAX_OFFSET_S = 7 * 24 * 3600.0
MAX_COVER_EDGE = 4096
CARRIED = ("id", "u", "p", "t", "s", "apiKey", "v", "c")
"""What a variant link in a master playlist repeats of the app's own call."""


class Media:
    def __init__(self, c: Container) -> None:
        self._c = c
        self._uows = c.infra.uows
        self._streaming = c.streaming.service
        self._progressive = ProgressiveService(
            c.streaming.service,
            c.library,
            c.catalog.service,
            c.infra.store,
            Transcoder(c.infra.tools, c.settings.subsonic.max_transcodes),
        )

    def stream(self, call: Call) -> Response:
        p = call.params
        track_id = TrackId(mapping.parse(p.required("id"), "song"))
        max_kbps = p.integer("maxBitRate", 0, lo=0, hi=MAX_KBPS)
        # OpenSubsonic ``transcodeOffset``: the offset applies to every format.
        offset = p.number("timeOffset", 0.0, lo=0.0, hi=MAX_OFFSET_S) or p.number(
            "transcodeOffset", 0.0, lo=0.0, hi=MAX_OFFSET_S
        )
        with self._uows.read() as session:
            plan = self._progressive.plan(
                session, call.viewer, track_id, p.get("format"), max_kbps, offset
            )
        if plan.pick.source == Source.TRANSCODE:
            if call.request.method == "HEAD":  # what it would be, without running ffmpeg
                return Response(media_type=plan.media_type, headers={"accept-ranges": "none"})
            transcode = self._progressive.transcode(plan)
            return PipedResponse(transcode, method=_method(call), download_name=plan.filename)
        whole_file = plan.pick.source == Source.ORIGINAL or (
            plan.pick.source == Source.MP3 and plan.offset <= 0
        )
        if whole_file:
            stored = StoredFile(plan.pieces[0][0], plan.media_type, plan.etag, plan.filename)
            location = self._streaming.redirect(stored)
            if location is not None:
                return _redirect(location)
        return RangedFileResponse(
            self._progressive.source(plan),
            method=_method(call),
            request_headers=call.request.headers,
            media_type=plan.media_type,
            etag=plan.etag,
            cache_control=FILE_CACHE,
            download_name=plan.filename,
        )

    def download(self, call: Call) -> Response:
        track_id = TrackId(mapping.parse(call.params.required("id"), "song"))
        with self._uows.read() as session:
            stored = self._streaming.original(session, call.viewer, track_id)
        location = self._streaming.redirect(stored)
        if location is not None:
            return _redirect(location)
        return RangedFileResponse(
            StoredObject(self._c.infra.store, stored.key),
            method=_method(call),
            request_headers=call.request.headers,
            media_type=stored.media_type,
            etag=stored.etag,
            cache_control=FILE_CACHE,
            download_name=stored.download_name,
            disposition="attachment",
        )

    def hls(self, call: Call) -> Response:
        """The master playlist; with ``bitRate``, the variant nearest under it.

        Apps fetch segments without credentials, so segment links are signed for
        anyone (bound to the address when the server binds links to addresses); the
        variant links repeat the app's credentials (query or form), as an app's player
        would not add them itself.
        """
        p = call.params
        track_id = TrackId(mapping.parse(p.required("id"), "song"))
        # ``bitrate``: how py-sonic and py-opensonic spell it.
        wanted = [_kbps(v) for v in p.all("bitRate") or p.all("bitrate")]
        request = call.request
        with self._uows.read() as session:
            if not wanted:
                carried = [(k, v) for k in CARRIED if (v := p.get(k)) is not None]

                def variant_uri(r: Rendition) -> str:
                    query = urlencode([*carried, ("bitRate", str(r.bitrate_kbps))])
                    return f"hls.m3u8?{query}"

                text = self._streaming.master_playlist(session, call.viewer, track_id, variant_uri)
                return _playlist(call, text, "private, max-age=10")
            rung = self._progressive.rung(session, call.viewer, track_id, min(wanted))
            address = None
            if self._c.settings.accounts.bind_urls_to_address:
                address = request.client.host if request.client else ""
            text, final = self._streaming.variant_playlist(
                session, call.viewer, track_id, rung, binding_of(None, address)
            )
        return _playlist(call, text, "private, max-age=60" if final else "no-cache")

    def cover_art(self, call: Call) -> Response:
        p = call.params
        wire = p.required("id")
        size = p.optional_int("size")
        if size is not None:
            size = max(1, min(size, MAX_COVER_EDGE))
        kind = mapping.kind_of(wire)
        viewer = call.viewer
        with self._uows.read() as session:
            if kind == "album":
                album = AlbumId(mapping.parse(wire, "album"))
                cover = self._c.catalog.service.album_cover(session, viewer, album, size)
            elif kind == "artist":
                artist = ArtistId(mapping.parse(wire, "artist"))
                cover = self._c.catalog.service.artist_cover(session, viewer, artist, size)
            elif kind == "playlist":
                playlist_id = mapping.parse(wire, "playlist")
                image = self._c.playlists.service.cover(session, viewer, playlist_id)
                body, media_type = self._c.playlists.images.read(image, size)
                cover = CoverFile(body, media_type, f'"{image.hash[:32]}-{size or "original"}"')
            else:
                bare = wire.removeprefix(mapping.COVER_PREFIX["song"])
                track_id = TrackId(mapping.parse(bare, "song"))
                cover = self._progressive.track_cover(session, viewer, track_id, size)
        return _cover(call, cover)

    def methods(self) -> dict[str, Handler]:
        return {
            "stream": self.stream,
            "download": self.download,
            "hls.m3u8": self.hls,
            # The name py-sonic and py-opensonic call (the spec's is hls.m3u8).
            "hls": self.hls,
            "getCoverArt": self.cover_art,
        }


def methods(c: Container) -> dict[str, Handler]:
    return Media(c).methods()


def _kbps(value: str) -> int:
    """``bitRate`` is ``kbps`` or, for video, ``kbps@WxH``."""
    head = value.split("@", 1)[0].strip()
    if not head.isdigit():
        raise SubsonicError(
            Code.MISSING_PARAMETER, f"Parameter 'bitRate' must be kbps, not {value[:40]!r}."
        )
    return max(0, min(int(head), MAX_KBPS))


def _redirect(location: str) -> Response:
    return RedirectResponse(
        location, status_code=307, headers={"cache-control": "private, no-store"}
    )


def _playlist(call: Call, text: str, cache: str) -> Response:
    return _bytes(call, text.encode(), M3U8, None, cache)


def _cover(call: Call, cover: CoverFile) -> Response:
    return _bytes(call, cover.body, cover.media_type, cover.etag, COVER_CACHE)


def _bytes(call: Call, body: bytes, media_type: str, etag: str | None, cache: str) -> Response:
    headers = {"cache-control": cache}
    if etag is not None:
        headers["etag"] = etag
        inm = call.request.headers.get("if-none-match")
        if inm is not None and etag_matches(inm, etag):
            return Response(status_code=304, headers=headers)
    response = Response(body, media_type=media_type, headers=headers)
    if call.request.method == "HEAD":
        response.body = b""  # Content-Length still tells the length
    return response


def _method(call: Call) -> str:
    """A form POST is a GET with its parameters in the body (``formPost``): it keeps
    Range, which RFC 9110 reads for GET only."""
    return "HEAD" if call.request.method == "HEAD" else "GET"
