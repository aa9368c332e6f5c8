"""Who may call what: every route of the app x every kind of person x every visibility.

The table below is the authorization policy, written out. Each row is one route
(method and path, as the app's own route table names it) and the status each person
gets, for a track that is private, unlisted or public:

    anonymous   no credentials
    owner       the member who uploaded the track (and owns the upload, session, token)
    member      another member
    moderator   sees everything, changes nothing of others'
    admin       everything

A route the app serves that has no row fails ``test_every_route_has_a_row``: a route
added later must be classified here before the suite passes again.

Targets are the owner's: ``{track_id}`` the owner's track of that visibility (a fresh
one where the call destroys it), ``{upload_id}``, ``{session_id}``, ``{token_id}`` fresh
ones of the owner's, ``{user_id}`` the owner (a fresh member to delete), ``{invite_id}``
a fresh invite. People are signed in with the session cookie and send its CSRF token.
The track is really processed, so a 200 is a real file, playlist or segment.
"""

from __future__ import annotations

import io
import itertools
import secrets
import struct
import wave
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio
import pytest
from fastapi.routing import APIRoute
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from tests.accounts.conftest import song
from tests.fixtures.accounts import (
    PASSWORD,
    Client,
    Person,
    Site,
    build_container,
    drain,
    fastapi_of,
    stage,
)
from tests.fixtures.audio import image_bytes
from tests.fixtures.database import BACKENDS, fresh_database
from tonearm.accounts.principal import Viewer
from tonearm.models import Role, Visibility
from tonearm.streaming.segments import SEGMENT_PREFIX
from tonearm.types import UserId

ROLES = ("anonymous", "owner", "member", "moderator", "admin")
VISIBILITIES = ("private", "unlisted", "public")


def every(statuses: str) -> dict[str, tuple[int, ...]]:
    """The same five statuses (anonymous, owner, member, moderator, admin) whatever
    the track's visibility."""
    codes = tuple(int(s) for s in statuses.split())
    assert len(codes) == len(ROLES)
    return dict.fromkeys(VISIBILITIES, codes)


def private_or_shared(private: str, shared: str) -> dict[str, tuple[int, ...]]:
    """One row for a private track, another for unlisted and public ones."""
    return {
        "private": every(private)["private"],
        "unlisted": every(shared)["unlisted"],
        "public": every(shared)["public"],
    }


@dataclass(frozen=True)
class Row:
    expect: dict[str, tuple[int, ...]]
    json: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    content: bytes | None = None
    upload: bool = False
    """Sends the test song as multipart field 'file'."""
    fresh_track: bool = False
    """The call destroys its track (or playlist): each case gets a new one."""
    own_session: bool = False
    """The call ends the caller's sessions: each case signs in anew."""
    stream: bool = False
    """The answer never ends (server-sent events): only its status is read."""
    query: str | None = None
    """"oembed": asks about a link to the track of that visibility."""
    params: dict[str, str] = field(default_factory=dict)


# A private track does not exist for those who may not see it (404, not 403); those
# who see it but may not change it get 403.
SEE = private_or_shared("401 200 404 200 200", "401 200 200 200 200")
EDIT = private_or_shared("401 200 404 403 200", "401 200 403 403 200")
DELETE = private_or_shared("401 204 404 403 204", "401 204 403 403 204")
ANYONE = every("200 200 200 200 200")
SIGNED_IN = every("401 200 200 200 200")
OWNER_ONLY = every("401 200 404 404 404")
ADMIN_ONLY = every("401 403 403 403 200")
# Artists and albums exist for those their tracks are listed to: unlisted tracks are
# reached by link, never through an album.
LISTED = {
    "private": every("401 200 404 200 200")["private"],
    "unlisted": every("401 200 404 200 200")["unlisted"],
    "public": every("401 200 200 200 200")["public"],
}
COVER_EDIT = {
    "private": every("401 204 404 403 204")["private"],
    "unlisted": every("401 204 404 403 204")["unlisted"],
    "public": every("401 204 403 403 204")["public"],
}
LIKE = private_or_shared("401 204 404 204 204", "401 204 204 204 204")
TUS = {"Tus-Resumable": "1.0.0"}
MEDIA = (
    "/api/tracks/{track_id}/hls/master.m3u8",
    "/api/tracks/{track_id}/hls/{rung}.m3u8",
    "/api/tracks/{track_id}/stream.mp3",
    "/api/tracks/{track_id}/original",
    "/api/tracks/{track_id}/waveform.json",
    "/api/tracks/{track_id}/artwork/original",
    "/api/tracks/{track_id}/artwork/{size}.webp",
)
SEGMENT = SEGMENT_PREFIX + "{segment}"
SHARE_AUDIO = "/share/{share_id}/audio/{track_id}.mp3"
"""Segments are served ahead of the app (``streaming/fastpath.py``): a link from the
owner's playlist, signed for the owner's session."""

TABLE: dict[tuple[str, str], Row] = {
    # The document, its pages and the web player: public.
    ("GET", "/openapi.json"): Row(ANYONE),
    ("HEAD", "/openapi.json"): Row(ANYONE),
    ("GET", "/docs"): Row(ANYONE),
    ("GET", "/docs/start.js"): Row(ANYONE),
    ("GET", "/docs/assets"): Row(ANYONE),
    ("GET", "/"): Row(ANYONE),
    ("GET", "/assets"): Row(ANYONE),
    ("GET", "/healthz"): Row(ANYONE),
    ("GET", "/readyz"): Row(ANYONE),
    # Uploads: any signed-in person; an upload URL only for its creator.
    ("POST", "/api/tracks"): Row(every("401 201 201 201 201"), upload=True),
    ("OPTIONS", "/api/uploads"): Row(every("204 204 204 204 204")),
    ("POST", "/api/uploads"): Row(
        every("401 201 201 201 201"), headers={**TUS, "Upload-Length": "10"}
    ),
    ("HEAD", "/api/uploads/{upload_id}"): Row(OWNER_ONLY, headers=TUS),
    ("GET", "/api/uploads/{upload_id}"): Row(OWNER_ONLY),
    ("PATCH", "/api/uploads/{upload_id}"): Row(
        every("401 204 404 404 404"),
        headers={**TUS, "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"},
        content=b"12345",
    ),
    ("DELETE", "/api/uploads/{upload_id}"): Row(every("401 204 404 404 404"), headers=TUS),
    # The library.
    ("GET", "/api/tracks"): Row(SIGNED_IN),
    ("GET", "/api/tracks/{track_id}"): Row(SEE),
    ("PATCH", "/api/tracks/{track_id}"): Row(EDIT, json="visibility"),
    ("DELETE", "/api/tracks/{track_id}"): Row(DELETE, fresh_track=True),
    ("PATCH", "/api/tracks"): Row(
        private_or_shared("401 200 404 404 200", "401 200 404 404 200"), json="bulk visibility"
    ),
    # Lyrics: read by whoever sees the track, changed like its tags.
    ("GET", "/api/tracks/{track_id}/lyrics"): Row(SEE),
    ("PUT", "/api/tracks/{track_id}/lyrics"): Row(EDIT, json={"text": "[00:01.00]la"}),
    ("DELETE", "/api/tracks/{track_id}/lyrics"): Row(DELETE),
    # The catalog: artists, albums, genres, covers, likes.
    ("GET", "/api/artists"): Row(SIGNED_IN),
    ("GET", "/api/artists/{artist_id}"): Row(LISTED),
    ("GET", "/api/artists/{artist_id}/cover/{size}.webp"): Row(LISTED),
    ("GET", "/api/albums"): Row(SIGNED_IN),
    ("GET", "/api/albums/{album_id}"): Row(LISTED),
    ("GET", "/api/albums/{album_id}/cover/{size}.webp"): Row(LISTED),
    ("GET", "/api/albums/{album_id}/cover/original"): Row(LISTED),
    ("PUT", "/api/albums/{album_id}/cover"): Row(COVER_EDIT, content=b"cover"),
    ("DELETE", "/api/albums/{album_id}/cover"): Row(COVER_EDIT),
    ("GET", "/api/genres"): Row(SIGNED_IN),
    ("GET", "/api/search"): Row(SIGNED_IN, params={"q": "test"}),
    ("GET", "/api/likes"): Row(SIGNED_IN, params={"kind": "track"}),
    ("PUT", "/api/likes/{kind}/{subject_id}"): Row(LIKE),
    ("DELETE", "/api/likes/{kind}/{subject_id}"): Row(LIKE),
    # Media: whoever sees the track.
    **{("GET", path): Row(SEE) for path in MEDIA},
    **{("HEAD", path): Row(SEE) for path in MEDIA},
    ("GET", SEGMENT): Row(every("403 200 403 403 403")),
    ("HEAD", SEGMENT): Row(every("403 200 403 403 403")),
    # First run is over; sign-in, sign-up (closed), sign-out.
    ("GET", "/api/setup"): Row(ANYONE),
    ("POST", "/api/setup"): Row(every("409 409 409 409 409"), json="new user"),
    ("POST", "/api/auth/login"): Row(SIGNED_IN, json="own credentials", own_session=True),
    ("POST", "/api/auth/register"): Row(every("403 403 403 403 403"), json="new user"),
    ("POST", "/api/auth/logout"): Row(every("204 204 204 204 204"), own_session=True),
    # One's own account.
    ("GET", "/api/me"): Row(SIGNED_IN),
    ("POST", "/api/me/password"): Row(
        every("401 204 204 204 204"),
        json={"current": PASSWORD, "new": PASSWORD},
        own_session=True,
    ),
    ("GET", "/api/me/sessions"): Row(SIGNED_IN),
    ("DELETE", "/api/me/sessions"): Row(every("401 204 204 204 204"), own_session=True),
    ("DELETE", "/api/me/sessions/{session_id}"): Row(every("401 204 404 404 404")),
    ("GET", "/api/me/tokens"): Row(SIGNED_IN),
    ("POST", "/api/me/tokens"): Row(
        every("401 201 201 201 201"), json={"name": "matrix", "scopes": ["read"]}
    ),
    ("DELETE", "/api/me/tokens/{token_id}"): Row(every("401 204 404 404 404")),
    # Administration.
    ("GET", "/api/users"): Row(ADMIN_ONLY),
    ("POST", "/api/users"): Row(every("401 403 403 403 201"), json="new user"),
    ("PATCH", "/api/users/{user_id}"): Row(ADMIN_ONLY, json={"disabled": False}),
    ("DELETE", "/api/users/{user_id}"): Row(every("401 403 403 403 204")),
    ("GET", "/api/invites"): Row(ADMIN_ONLY),
    ("POST", "/api/invites"): Row(every("401 403 403 403 201"), json={}),
    ("DELETE", "/api/invites/{invite_id}"): Row(every("401 403 403 403 204")),
    # Comments: whoever sees the track reads and writes them; their author, the track's
    # owner and moderators delete them ({comment_id}: a fresh one of the owner's).
    ("GET", "/api/tracks/{track_id}/comments"): Row(SEE),
    ("POST", "/api/tracks/{track_id}/comments"): Row(
        private_or_shared("401 201 404 201 201", "401 201 201 201 201"),
        json={"position_s": 1.0, "body": "matrix"},
    ),
    ("DELETE", "/api/tracks/{track_id}/comments/{comment_id}"): Row(
        private_or_shared("401 204 404 204 204", "401 204 403 204 204")
    ),
    # One's own play queue and change notices.
    # Similar tracks as the track is seen; radios belong to the person who started them
    # (another's radio does not exist for anyone, admins included).
    ("GET", "/api/tracks/{track_id}/similar"): Row(SEE),
    ("POST", "/api/radio"): Row(
        private_or_shared("401 201 404 201 201", "401 201 201 201 201"), json="radio seed"
    ),
    ("POST", "/api/radio/{radio_id}/next"): Row(OWNER_ONLY),
    ("POST", "/api/radio/{radio_id}/feedback"): Row(
        every("401 204 404 404 404"), json="radio feedback"
    ),
    ("GET", "/api/mixes"): Row(SIGNED_IN),
    # Charts list public tracks only, the same for everyone signed in; one's history
    # and report are one's own (admins may name any owner); a track's statistics are
    # its owner's and moderators' (to others it does not exist); everyone here owns
    # tracks, so everyone has a dashboard over their own.
    ("GET", "/api/charts"): Row(SIGNED_IN),
    ("GET", "/api/me/history"): Row(SIGNED_IN),
    ("GET", "/api/me/stats"): Row(SIGNED_IN),
    ("GET", "/api/tracks/{track_id}/stats"): Row(every("401 200 404 200 200")),
    ("GET", "/api/reports/plays"): Row(
        SIGNED_IN, params={"from": "2026-01-01", "to": "2026-01-31"}
    ),
    ("GET", "/api/queue"): Row(SIGNED_IN),
    ("PUT", "/api/queue"): Row(SIGNED_IN, json={"track_ids": []}),
    ("PATCH", "/api/queue"): Row(SIGNED_IN, json={"position_s": 1.0}),
    ("GET", "/api/events"): Row(SIGNED_IN, stream=True),
    # Listening now: anyone who may read (the answer holds only what they may see).
    ("GET", "/api/live"): Row(SIGNED_IN, params={"tracks": "a,b"}),
    # Play sessions start on whatever the caller may play (anonymous listening is off
    # here); reports are checked by their token (tests/listening).
    ("POST", "/api/plays"): Row(SEE, json="play start"),
    # Embeds: what was shared, for anyone (playing it is the media routes' decision).
    ("GET", "/api/oembed"): Row(
        private_or_shared("404 404 404 404 404", "200 200 200 200 200"), query="oembed"
    ),
    ("GET", "/embed/{kind}/{subject_id}"): Row(
        private_or_shared("404 404 404 404 404", "200 200 200 200 200")
    ),
    # Shares (made through the Subsonic API): the link is the permission, whoever opens
    # it and whatever the track's visibility; its audio links are signed by the page.
    **{(m, "/share/{secret}"): Row(ANYONE) for m in ("GET", "HEAD")},
    **{(m, SHARE_AUDIO): Row(ANYONE) for m in ("GET", "HEAD")},
    # Playlists: the owner's playlist of each visibility holds the owner's track of that
    # visibility. Seen as tracks are; changed by the owner (editors: items, name).
    ("GET", "/api/playlists"): Row(SIGNED_IN),
    ("POST", "/api/playlists"): Row(every("401 201 201 201 201"), json={"name": "m"}),
    ("POST", "/api/playlists/import"): Row(every("401 201 201 201 201"), content=b"#EXTM3U\n"),
    ("POST", "/api/playlists/join/{code}"): Row(every("401 200 200 200 200")),
    ("GET", "/api/playlists/{playlist_id:playlist_id}"): Row(SEE),
    ("PATCH", "/api/playlists/{playlist_id:playlist_id}"): Row(EDIT, json={"name": "Mix"}),
    ("DELETE", "/api/playlists/{playlist_id:playlist_id}"): Row(DELETE, fresh_track=True),
    ("POST", "/api/playlists/{playlist_id:playlist_id}/duplicate"): Row(
        private_or_shared("401 201 404 201 201", "401 201 201 201 201")
    ),
    ("GET", "/api/playlists/{playlist_id:playlist_id}/items"): Row(SEE),
    ("POST", "/api/playlists/{playlist_id:playlist_id}/items"): Row(EDIT, json="public track"),
    ("DELETE", "/api/playlists/{playlist_id:playlist_id}/items"): Row(
        EDIT, json={"item_ids": ["gone"]}
    ),
    ("POST", "/api/playlists/{playlist_id:playlist_id}/items/{item_id}/move"): Row(
        EDIT, json={"after_item_id": None}
    ),
    ("GET", "/api/playlists/{playlist_id:playlist_id}/collaborators"): Row(SEE),
    ("POST", "/api/playlists/{playlist_id:playlist_id}/collaborators"): Row(
        private_or_shared("401 201 404 403 201", "401 201 403 403 201"),
        json={"username": "admin"},  # admins see everything already: changes no later row
    ),
    ("DELETE", "/api/playlists/{playlist_id:playlist_id}/collaborators/{collaborator_id}"): Row(
        DELETE
    ),
    ("POST", "/api/playlists/{playlist_id:playlist_id}/invites"): Row(
        private_or_shared("401 201 404 403 201", "401 201 403 403 201"), json={}
    ),
    ("GET", "/api/playlists/{playlist_id:playlist_id}/export"): Row(SEE),
    ("GET", "/api/playlists/{playlist_id:playlist_id}/cover/{size}.webp"): Row(SEE),
}


def served_routes(site: Site) -> set[tuple[str, str]]:
    """(method, path) of everything the app answers: its route table (routers
    included), mounted static folders, and the segment fast path in front of it."""
    app = fastapi_of(site.app)
    try:
        from fastapi.routing import iter_route_contexts  # FastAPI >= 0.16x
    except ImportError:  # pragma: no cover - older FastAPI keeps a flat list
        routes: list[Any] = list(app.routes)
    else:
        routes = [context.original_route for context in iter_route_contexts(app.routes)]
    served = {("GET", SEGMENT), ("HEAD", SEGMENT)}
    for route in routes:
        if isinstance(route, Mount):
            served.add(("GET", route.path))
        elif isinstance(route, APIRoute | Route):
            served |= {(method, route.path) for method in route.methods or ()}
        else:
            raise AssertionError(f"a route of a kind this test does not know: {route!r}")
    return served


@dataclass
class World:
    """One app with four people and the owner's processed track in each visibility."""

    site: Site
    song: Path
    people: dict[str, Person]
    tracks: dict[str, str]
    rung: str
    art_size: str
    mounts: dict[str, str]
    albums: dict[str, str]
    artists: dict[str, str]
    playlists: dict[str, str] = field(default_factory=dict)
    items: dict[str, str] = field(default_factory=dict)
    _names: Iterator[int] = field(default_factory=itertools.count)
    cover: bytes = field(default_factory=lambda: image_bytes((64, 64)))

    @classmethod
    def build(cls, site: Site, song_path: Path) -> World:
        admin = site.setup("admin")
        people = {
            "admin": admin,
            "owner": site.add_user(admin, "owner"),
            "member": site.add_user(admin, "member"),
            "moderator": site.add_user(admin, "moderator", role="moderator"),
        }
        owner = people["owner"]
        tracks: dict[str, str] = {}
        for i, visibility in enumerate(VISIBILITIES):
            # One's own bytes again would answer with the same track: each one differs.
            data = (
                song_path.read_bytes()
                if i == 0
                else song(song_path.parent / visibility, frequency=440.0 + 110 * i).read_bytes()
            )
            made = owner.browser.post(
                "/api/tracks",
                params={"visibility": visibility},
                files={"file": ("song.flac", data)},
            )
            assert made.status_code == 201, made.text
            tracks[visibility] = made.json()["id"]
            drain(site.c)
        track = owner.browser.get(f"/api/tracks/{tracks['private']}").json()
        assert track["status"] == "ready", track
        master = owner.browser.get(track["urls"]["hls"]).text
        rung = next(line for line in master.splitlines() if line.endswith(".m3u8"))
        sizes = [size for size in track["urls"]["artwork"] if size != "original"]
        assert sizes, track["urls"]
        albums: dict[str, str] = {}
        artists: dict[str, str] = {}
        for visibility, track_id in tracks.items():
            # One album and artist per visibility, each with just that track.
            name = f"Matrix {visibility}"
            tagged = owner.browser.patch(
                f"/api/tracks/{track_id}", json={"album": name, "artist": name}
            )
            assert tagged.status_code == 200, tagged.text
            albums[visibility] = tagged.json()["album_id"]
            artists[visibility] = tagged.json()["artist_id"]
        mounts = {}
        for route in fastapi_of(site.app).routes:
            if isinstance(route, Mount) and isinstance(route.app, StaticFiles):
                folder = Path(str(route.app.directory))
                first = min(p for p in folder.rglob("*") if p.is_file())
                mounts[route.path] = f"{route.path}/{first.relative_to(folder).as_posix()}"
        world = cls(
            site,
            song_path,
            people,
            tracks,
            rung.removesuffix(".m3u8"),
            sizes[0],
            mounts,
            albums,
            artists,
        )
        for visibility in VISIBILITIES:
            pid, item = world.fresh_playlist(visibility)
            world.playlists[visibility] = pid
            world.items[visibility] = item
        drain(site.c)  # the collages
        return world

    def fresh_playlist(self, visibility: str) -> tuple[str, str]:
        """The owner's playlist of ``visibility`` holding their track of that visibility."""
        owner = self.people["owner"].browser
        made = owner.post("/api/playlists", json={"name": "p", "visibility": visibility})
        assert made.status_code == 201, made.text
        pid = str(made.json()["id"])
        added = owner.post(
            f"/api/playlists/{pid}/items", json={"track_ids": [self.tracks[visibility]]}
        )
        assert added.status_code == 200, added.text
        return pid, str(added.json()["items"][0]["id"])

    def name(self) -> str:
        return f"matrix{next(self._names)}"

    def caller(self, role: str, fresh: bool) -> Client:
        if role == "anonymous":
            return self.site.client()
        if fresh:
            return self.site.sign_in(self.people[role].username).browser
        return self.people[role].browser

    def restore(self, role: str) -> None:
        """Sign ``role`` in again after a call that may have ended their sessions."""
        if role != "anonymous":
            self.people[role] = self.site.sign_in(self.people[role].username)

    def fresh_track(self, visibility: str) -> str:
        owner = self.people["owner"].user_id
        fresh = self.song.parent / "fresh.wav"
        fresh.write_bytes(fresh_wav())  # the owner's own bytes again would be the same track
        accepted = self.site.c.ingest.service.finish(
            stage(self.site.c, fresh), UserId(owner), Visibility(visibility)
        )
        return str(accepted.track_id)

    def target(self, name: str, visibility: str, row: Row, method: str) -> str:
        owner = self.people["owner"]
        admin = self.people["admin"]
        if name == "track_id":
            return self.fresh_track(visibility) if row.fresh_track else self.tracks[visibility]
        catalog = {
            "rung": self.rung,
            "album_id": self.albums[visibility],
            "artist_id": self.artists[visibility],
            "kind": "track",
            "subject_id": self.tracks[visibility],
        }
        if name in catalog:
            return catalog[name]
        if name == "size":
            return self.art_size
        if name == "upload_id":
            made = owner.browser.post("/api/uploads", headers={**TUS, "Upload-Length": "10"})
            assert made.status_code == 201, made.text
            return str(made.headers["location"].rsplit("/", 1)[-1])
        if name == "session_id":
            other = self.site.sign_in(owner.username).browser
            current = [s for s in other.get("/api/me/sessions").json() if s["current"]]
            return str(current[0]["id"])
        if name == "token_id":
            made = owner.browser.post("/api/me/tokens", json={"name": "t", "scopes": ["read"]})
            return str(made.json()["id"])
        if name == "user_id":
            if method == "DELETE":
                return self.site.add_user(admin, self.name()).user_id
            return owner.user_id
        if name in ("comment_id", "kind", "subject_id"):
            return self.social_target(name, visibility)
        if name in ("playlist_id", "item_id", "collaborator_id", "code"):
            return self.playlist_target(name, visibility, row)
        if name == "radio_id":
            seed = {"seed": {"kind": "track", "id": self.tracks[visibility]}}
            made = owner.browser.post("/api/radio", json=seed)
            assert made.status_code == 201, made.text
            return str(made.json()["id"])
        if name == "invite_id":
            return str(admin.browser.post("/api/invites", json={}).json()["id"])
        raise AssertionError(f"no target for {{{name}}}")

    def share_target(self, path: str, visibility: str) -> str:
        """The page of a fresh share of the owner's track, or its signed audio link."""
        owner = self.people["owner"]
        viewer = Viewer(user_id=UserId(owner.user_id), role=Role.MEMBER)
        shares = self.site.c.social.shares
        with self.site.c.infra.uows() as uow:
            share = shares.create(
                uow, viewer, [self.tracks[visibility]], description=None, expires_at=None
            )
            page = f"/share/{shares.secret_of(share.id)}"
        if path != SHARE_AUDIO:
            return page
        html = self.site.client().get(page).text
        return html.split('src="', 1)[1].split('"', 1)[0].replace("&amp;", "&")

    def social_target(self, name: str, visibility: str) -> str:
        if name == "comment_id":
            track = self.tracks[visibility]
            made = self.people["owner"].browser.post(
                f"/api/tracks/{track}/comments", json={"position_s": 0, "body": "target"}
            )
            assert made.status_code == 201, made.text
            return str(made.json()["id"])
        if name == "kind":
            return "track"
        return self.tracks[visibility]

    def playlist_target(self, name: str, visibility: str, row: Row) -> str:
        owner = self.people["owner"]
        admin = self.people["admin"]
        if name == "playlist_id":
            if row.fresh_track:
                return self.fresh_playlist(visibility)[0]
            return self.playlists[visibility]
        if name == "item_id":
            return self.items[visibility]
        if name == "collaborator_id":
            person = self.site.add_user(admin, self.name())
            added = owner.browser.post(
                f"/api/playlists/{self.playlists[visibility]}/collaborators",
                json={"username": person.username},
            )
            assert added.status_code == 201, added.text
            return person.user_id
        if name == "code":
            pid = self.fresh_playlist(visibility)[0]
            return str(owner.browser.post(f"/api/playlists/{pid}/invites", json={}).json()["code"])
        raise AssertionError(f"no target for {{{name}}}")

    def url(self, method: str, path: str, visibility: str, row: Row) -> str:
        if path in self.mounts:
            return self.mounts[path]
        if path.startswith("/share/"):
            return self.share_target(path, visibility)
        if path == SEGMENT:
            track = self.tracks[visibility]
            variant = self.people["owner"].browser.get(f"/api/tracks/{track}/hls/{self.rung}.m3u8")
            return next(
                line for line in variant.text.splitlines() if line.startswith(SEGMENT_PREFIX)
            )
        out = path
        while "{" in out:
            token = out[out.index("{") + 1 : out.index("}")]
            name = token.split(":")[0]  # {playlist_id:playlist_id}: a path convertor
            out = out.replace(f"{{{token}}}", self.target(name, visibility, row, method), 1)
        return out

    def body(self, row: Row, role: str, visibility: str) -> dict[str, Any]:
        kwargs: dict[str, Any] = {}
        if row.headers:
            kwargs["headers"] = row.headers
        if row.content is not None:
            kwargs["content"] = row.content
        if row.upload:
            kwargs["files"] = {"file": ("song.wav", fresh_wav())}
            kwargs["params"] = {"visibility": visibility}
        if row.params:
            kwargs["params"] = row.params
        if row.content == b"cover":
            kwargs["content"] = self.cover
        if row.json == "bulk visibility":
            ids = [self.tracks[visibility]]
            kwargs["json"] = {"ids": ids, "changes": {"visibility": visibility}}
        elif row.json == "visibility":
            kwargs["json"] = {"visibility": visibility}  # changes nothing
        elif row.json == "new user":
            kwargs["json"] = {"username": self.name(), "password": PASSWORD}
        elif row.json == "own credentials":
            name = self.people[role].username if role != "anonymous" else "nobody"
            password = PASSWORD if role != "anonymous" else "not the password"
            kwargs["json"] = {"username": name, "password": password}
        elif isinstance(row.json, str) and row.json in self.track_bodies(visibility):
            kwargs["json"] = self.track_bodies(visibility)[row.json]
        elif row.json is not None:
            kwargs["json"] = row.json
        if row.query == "oembed":
            kwargs["params"] = {"url": f"http://127.0.0.1/#/tracks/{self.tracks[visibility]}"}
        return kwargs

    def track_bodies(self, visibility: str) -> dict[str, Any]:
        """Bodies naming a track: the public one, or the owner's of ``visibility``."""
        track = self.tracks[visibility]
        return {
            "public track": {"track_ids": [self.tracks["public"]]},
            "radio seed": {"seed": {"kind": "track", "id": track}},
            "play start": {
                "event": "start",
                "session": secrets.token_hex(8),
                "track_id": track,
                "rung": "128k",
            },
            "radio feedback": {"track_id": track, "action": "played", "position_s": 100.0},
        }

    def stream_status(self, client: Client, url: str) -> tuple[int, str]:
        """Status and content type of an answer that never ends, then hang up."""
        headers = [(b"host", b"127.0.0.1")]
        headers += [(k.encode(), v.encode()) for k, v in client.headers.items()]
        cookie = "; ".join(f"{c.name}={c.value}" for c in client.cookies.jar)
        if cookie:
            headers.append((b"cookie", cookie.encode()))
        scope = {
            "type": "http",
            "asgi": {"version": "3.0", "spec_version": "2.4"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "http",
            "path": url,
            "raw_path": url.encode(),
            "root_path": "",
            "query_string": b"",
            "headers": headers,
            "client": ("127.0.0.1", 50000),
            "server": ("127.0.0.1", 80),
        }
        answer: dict[str, Any] = {}

        async def go() -> None:
            started = anyio.Event()
            requested = False

            async def receive() -> dict[str, Any]:
                nonlocal requested
                if not requested:
                    requested = True
                    return {"type": "http.request", "body": b"", "more_body": False}
                await started.wait()
                return {"type": "http.disconnect"}

            async def send(message: dict[str, Any]) -> None:
                if message["type"] == "http.response.start":
                    answer["status"] = message["status"]
                    answer["type"] = dict(message["headers"]).get(b"content-type", b"").decode()
                    started.set()

            with anyio.fail_after(20):
                await self.site.app(scope, receive, send)

        anyio.run(go)
        return answer["status"], answer["type"]


@pytest.fixture(scope="module", params=BACKENDS)
def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    folder = tmp_path_factory.mktemp("matrix")
    with fresh_database(request.param, folder) as url:
        c = build_container(folder / "data", url)
        try:
            yield World.build(Site(c), song(folder / "audio"))
        finally:
            c.close()


def test_every_route_has_a_row(world: World) -> None:
    served = served_routes(world.site)
    missing = sorted(served - set(TABLE))
    stale = sorted(set(TABLE) - served)
    assert not missing, f"routes with no row in TABLE (classify them): {missing}"
    assert not stale, f"rows for routes the app no longer serves: {stale}"


@pytest.mark.parametrize(("method", "path"), list(TABLE), ids=[f"{m} {p}" for m, p in TABLE])
def test_who_gets_what(world: World, method: str, path: str) -> None:
    row = TABLE[(method, path)]
    wrong = []
    for visibility in VISIBILITIES:
        for role, expected in zip(ROLES, row.expect[visibility], strict=True):
            client = world.caller(role, fresh=row.own_session)
            url = world.url(method, path, visibility, row)
            if row.stream:
                status, content_type = world.stream_status(client, url)
                text = ""
            else:
                response = client.request(method, url, **world.body(row, role, visibility))
                status, content_type = response.status_code, response.headers.get("content-type")
                text = response.text[:160]
            if row.own_session:
                world.restore(role)
            if status != expected:
                wrong.append(
                    f"{role:>9} / {visibility:<8}: expected {expected}, got {status} {text}"
                )
            elif expected >= 400 and method != "HEAD":
                assert content_type == "application/problem+json"
    assert not wrong, f"{method} {path}\n" + "\n".join(wrong)


def test_listings_show_each_person_what_they_may_see(world: World) -> None:
    """Others' lists hold only public tracks (unlisted ones are reached by link);
    moderators and admins list everything; ``mine`` is one's own."""
    owner_tracks = set(world.tracks.values())

    def listed(role: str, **params: Any) -> set[str]:
        page = world.people[role].browser.get("/api/tracks", params={"limit": 500, **params})
        assert page.status_code == 200, page.text
        return {t["id"] for t in page.json()["items"]} & owner_tracks

    assert listed("owner") == owner_tracks
    assert listed("member") == {world.tracks["public"]}
    assert listed("member", mine="true") == set()
    assert listed("moderator") == owner_tracks == listed("admin")
    editable = {
        t["id"]: t["editable"]
        for t in world.people["moderator"].browser.get("/api/tracks").json()["items"]
    }
    assert not any(editable[t] for t in owner_tracks)  # moderators see, not change


_fresh = itertools.count(1)


def fresh_wav() -> bytes:
    """A short WAV no one has sent yet: one's own bytes again would answer 200, not 201."""
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(struct.pack("<q", next(_fresh)) + bytes(2 * 12000 - 8))
    return out.getvalue()
