"""Album and song lists, now playing, stars and search: what an app's home screen and
search box ask for.

Every list is the services' own (already filtered for the viewer), renamed by
``mapping``; songs are the playable ones only (an app cannot play the rest).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tonearm.accounts.principal import Viewer
from tonearm.container import Container
from tonearm.library.browse import AlbumQuery
from tonearm.library.repository import TrackRepository
from tonearm.library.schemas import AlbumOut, ArtistOut, TrackOut
from tonearm.library.song_lists import SongFilter, SongLists
from tonearm.listening.album_ranks import AlbumRanks
from tonearm.models import LikeKind, Track, User, Visibility
from tonearm.subsonic import mapping
from tonearm.subsonic.protocol import Call, Code, Handler, Params, Payload, SubsonicError

ALBUM_LISTS = (
    "random",
    "newest",
    "highest",
    "frequent",
    "recent",
    "alphabeticalByName",
    "alphabeticalByArtist",
    "starred",
    "byYear",
    "byGenre",
)
MAX_OFFSET = 1_000_000_000
_QUOTES = "\"' \t"
"""An empty search as some apps send it (Symfonium: ``query=""``) lists everything."""


def playable(tracks: Sequence[TrackOut]) -> list[TrackOut]:
    return [t for t in tracks if t.playable]


class Lists:
    def __init__(self, c: Container) -> None:
        self._uows = c.infra.uows
        self._catalog = c.catalog.service
        self._likes = c.catalog.likes
        self._ranks = AlbumRanks(c.catalog.service)
        self._songs = SongLists(c.library)
        self._search = c.search.service
        self._plays = c.listening.plays
        self._library = c.library
        self._max = c.settings.subsonic.max_list_size

    def _size(self, p: Params, name: str, default: int) -> int:
        return p.integer(name, min(default, self._max), lo=0, hi=self._max)

    @staticmethod
    def _offset(p: Params, name: str = "offset") -> int:
        return p.integer(name, 0, lo=0, hi=MAX_OFFSET)

    # -- albums ---------------------------------------------------------------------------

    def album_list2(self, call: Call) -> Payload:
        p = call.params
        kind = p.required("type")
        if kind not in ALBUM_LISTS:
            raise SubsonicError(
                Code.MISSING_PARAMETER,
                f"Unknown album list type {kind[:40]!r}; use one of {', '.join(ALBUM_LISTS)}.",
            )
        size = self._size(p, "size", 10)
        offset = self._offset(p)
        with self._uows.read() as session:
            items = self._albums(session, call, kind, size, offset)
            return {"albumList2": {"album": mapping.albums(session, call.user_id, items)}}

    def _albums(
        self, session: Session, call: Call, kind: str, size: int, offset: int
    ) -> list[AlbumOut]:
        p, viewer = call.params, call.viewer
        page = {"offset": offset, "limit": size}
        if kind == "starred":
            liked = self._likes.page(session, viewer, LikeKind.ALBUM, **page).items
            return [a for a in liked if isinstance(a, AlbumOut)]
        if kind == "highest":
            return self._ranks.highest_rated(session, viewer, **page)
        if kind == "frequent":
            return self._ranks.most_played(session, viewer, **page)
        if kind == "recent":
            return self._ranks.recently_played(session, viewer, **page)
        query = AlbumQuery(offset=offset, limit=size)
        if kind == "random":
            query = replace(query, sort="random", offset=0)
        elif kind == "newest":
            query = replace(query, sort="added", order="desc")
        elif kind == "alphabeticalByName":
            query = replace(query, sort="name", order="asc")
        elif kind == "alphabeticalByArtist":
            query = replace(query, sort="artist", order="asc")
        elif kind == "byYear":
            first, last = p.required_int("fromYear"), p.required_int("toYear")
            order = "desc" if first > last else "asc"
            lo, hi = min(first, last), max(first, last)
            query = replace(query, sort="year", order=order, year_from=lo, year_to=hi)
        else:  # byGenre
            query = replace(query, sort="name", order="asc", genre=p.required("genre")[:200])
        rows = self._catalog.album_rows(session, viewer, query)
        return self._catalog.describe_albums(session, viewer, rows)

    # -- songs ----------------------------------------------------------------------------

    def random_songs(self, call: Call) -> Payload:
        p = call.params
        size = self._size(p, "size", 10)
        where = SongFilter(
            genre=(p.get("genre") or "")[:200] or None,
            year_from=p.optional_int("fromYear"),
            year_to=p.optional_int("toYear"),
        )
        with self._uows.read() as session:
            tracks = self._songs.random(session, call.viewer, size, where) if size else []
            return {"randomSongs": {"song": mapping.songs(session, call.user_id, tracks)}}

    def songs_by_genre(self, call: Call) -> Payload:
        p = call.params
        genre = p.required("genre")[:200]
        count = self._size(p, "count", 10)
        offset = self._offset(p)
        with self._uows.read() as session:
            tracks = (
                self._songs.page(
                    session, call.viewer, offset=offset, limit=count, where=SongFilter(genre=genre)
                )
                if count
                else []
            )
            return {"songsByGenre": {"song": mapping.songs(session, call.user_id, tracks)}}

    def now_playing(self, call: Call) -> Payload:
        entries = self._plays.now_playing.entries()[: self._max]
        now = time.time()
        with self._uows.read() as session:
            found = TrackRepository(session).many([e.track_id for e in entries])
            viewer = call.viewer
            access = self._library.access
            tracks = {t.id: t for t in found if access.can_view(viewer, t)}
            # As the live board lists tracks: another person's unlisted track (reached by
            # its link) is not announced; one's own plays always show.
            listed = {t.id for t in tracks.values() if self._listed(viewer, t)}
            described = {
                t.id: t
                for t in playable(self._library.describe(session, viewer, list(tracks.values())))
            }
            names = _usernames(session, {e.user_id for e in entries})
            shown = [
                e
                for e in entries
                if e.track_id in described
                and e.user_id in names
                and (e.track_id in listed or e.user_id == viewer.user_id)
            ]
            songs = mapping.songs(session, call.user_id, [described[e.track_id] for e in shown])
        rows = [
            {
                **song,
                "username": names[e.user_id],
                "minutesAgo": max(0, int((now - e.since) // 60)),
                "playerId": e.player_id,
                "playerName": e.player or "tonearm",
            }
            for song, e in zip(songs, shown, strict=True)
        ]
        return {"nowPlaying": {"entry": rows}}

    @staticmethod
    def _listed(viewer: Viewer, track: Track) -> bool:
        return (
            viewer.is_moderator
            or track.owner_id == viewer.user_id
            or track.visibility == Visibility.PUBLIC
        )

    # -- stars ----------------------------------------------------------------------------

    def starred2(self, call: Call) -> Payload:
        viewer, page = call.viewer, {"offset": 0, "limit": self._max}
        with self._uows.read() as session:
            artists = self._likes.page(session, viewer, LikeKind.ARTIST, **page).items
            albums = self._likes.page(session, viewer, LikeKind.ALBUM, **page).items
            tracks = self._likes.page(session, viewer, LikeKind.TRACK, **page).items
            user = call.user_id
            return {
                "starred2": {
                    "artist": mapping.artists(
                        session, user, [a for a in artists if isinstance(a, ArtistOut)]
                    ),
                    "album": mapping.albums(
                        session, user, [a for a in albums if isinstance(a, AlbumOut)]
                    ),
                    "song": mapping.songs(
                        session, user, playable([t for t in tracks if isinstance(t, TrackOut)])
                    ),
                }
            }

    # -- search ---------------------------------------------------------------------------

    def search3(self, call: Call) -> Payload:
        p = call.params
        query = p.get("query")
        if query is None:
            raise SubsonicError(Code.MISSING_PARAMETER, "Required parameter 'query' is missing.")
        counts = {k: self._size(p, f"{k}Count", 20) for k in ("artist", "album", "song")}
        offsets = {k: self._offset(p, f"{k}Offset") for k in ("artist", "album", "song")}
        text = query.strip(_QUOTES)
        with self._uows.read() as session:
            if text:
                artists, albums, tracks = self._found(session, call, text, counts, offsets)
            else:
                artists, albums, tracks = self._everything(session, call, counts, offsets)
            user = call.user_id
            return {
                "searchResult3": {
                    "artist": mapping.artists(session, user, artists),
                    "album": mapping.albums(session, user, albums),
                    "song": mapping.songs(session, user, tracks),
                }
            }

    def _found(
        self,
        session: Session,
        call: Call,
        text: str,
        counts: dict[str, int],
        offsets: dict[str, int],
    ) -> tuple[list[ArtistOut], list[AlbumOut], list[TrackOut]]:
        """The forgiving search (typos, prefixes), ranked; a page is a slice of the
        ranking, which the search reads up to ``max_list_size`` deep."""
        named = (("artists", "artist"), ("albums", "album"), ("tracks", "song"))
        kinds = [kind for kind, name in named if counts[name]]
        if not kinds:
            return [], [], []
        deepest = max(offsets[n] + counts[n] for n in ("artist", "album", "song") if counts[n])
        found = self._search.search(session, call.viewer, text, kinds, min(deepest, self._max))

        def cut(items: list[Any], name: str) -> list[Any]:
            return items[offsets[name] : offsets[name] + counts[name]]

        return (
            cut(found.artists, "artist"),
            cut(found.albums, "album"),
            cut(playable(found.tracks), "song"),
        )

    def _everything(
        self, session: Session, call: Call, counts: dict[str, int], offsets: dict[str, int]
    ) -> tuple[list[ArtistOut], list[AlbumOut], list[TrackOut]]:
        """The whole library in a stable order, page by page (how apps sync)."""
        viewer = call.viewer
        artists = (
            self._catalog.artists(
                session,
                viewer,
                sort="name",
                order="asc",
                offset=offsets["artist"],
                limit=counts["artist"],
            ).items
            if counts["artist"]
            else []
        )
        by_name = AlbumQuery(
            sort="name", order="asc", offset=offsets["album"], limit=counts["album"]
        )
        albums = (
            self._catalog.describe_albums(
                session, viewer, self._catalog.album_rows(session, viewer, by_name)
            )
            if counts["album"]
            else []
        )
        tracks = (
            self._songs.page(session, viewer, offset=offsets["song"], limit=counts["song"])
            if counts["song"]
            else []
        )
        return artists, albums, tracks


def _usernames(session: Session, user_ids: set[str]) -> dict[str, str]:
    if not user_ids:
        return {}
    rows = session.execute(select(User.id, User.username).where(User.id.in_(user_ids)))
    return {str(i): str(name) for i, name in rows}


def methods(c: Container) -> dict[str, Handler]:
    lists = Lists(c)
    return {
        "getAlbumList2": lists.album_list2,
        "getRandomSongs": lists.random_songs,
        "getSongsByGenre": lists.songs_by_genre,
        "getNowPlaying": lists.now_playing,
        "getStarred2": lists.starred2,
        "search3": lists.search3,
    }
