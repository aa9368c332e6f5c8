"""Browsing: the music folder, artists by letter, directories, artists, albums, songs
and genres, as the catalog shows them to the caller.

Everything comes from the services the page uses (``CatalogService``,
``LibraryService``), so what an app lists is what the page lists to the same person:
their own tracks and public ones (every track for moderators), never another person's
unlisted or private track, which ``getSong`` still answers by id where the page would.
Songs an app could not play yet (still processing, held back as fresh uploads, failed)
are left out of every song list; album and artist counts are the catalog's.

There is one music folder (id 1): a folder-based app browses it through ``getIndexes``
(artists) and ``getMusicDirectory`` (an artist's albums, then an album's songs).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC
from typing import Any

from sqlalchemy.orm import Session

from tonearm.accounts.principal import Viewer
from tonearm.container import Container
from tonearm.library.schemas import TrackOut
from tonearm.models import LikeKind, Scope
from tonearm.subsonic import mapping
from tonearm.subsonic.protocol import Call, Code, Handler, Payload, SubsonicError, iso
from tonearm.types import AlbumId, ArtistId, TrackId

MUSIC_FOLDER = {"id": mapping.MUSIC_FOLDER_ID, "name": "Music"}


def reader(call: Call) -> Viewer:
    """The caller, who must be allowed to read (an API key without ``read`` may not)."""
    viewer = call.viewer
    if viewer.via == "token" and Scope.READ not in viewer.scopes:
        raise SubsonicError(Code.NOT_AUTHORIZED, "This API key lacks the 'read' scope.")
    return viewer


def playable(tracks: Sequence[TrackOut]) -> list[TrackOut]:
    """The tracks an app can play now (``TrackOut.playable`` is False for a held-back
    upload, whatever its audio)."""
    return [t for t in tracks if t.playable]


def by_letter(entries: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """``index`` entries: artists (in sort order) grouped by the letter they sort under."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for entry in entries:
        groups.setdefault(mapping.letter(entry["sortName"]), []).append(entry)
    return [{"name": name, "artist": artists} for name, artists in groups.items()]


class Browsing:
    def __init__(self, c: Container) -> None:
        self._uows = c.infra.uows
        self._library = c.library
        self._catalog = c.catalog.service

    # -- the folder and its indexes ---------------------------------------------------

    def music_folders(self, call: Call) -> Payload:
        reader(call)
        return {"musicFolders": {"musicFolder": [MUSIC_FOLDER]}}

    def indexes(self, call: Call) -> Payload:
        """Artists by letter for folder-based apps. ``ifModifiedSince`` is answered with
        the whole index all the same: a deleted track leaves no time behind to compare."""
        viewer = reader(call)
        with self._uows.read() as session:
            entries = mapping.index_artists(
                session, viewer.user_id, self._catalog.artist_index(session, viewer)
            )
            changed = self._catalog.last_added(session)
        modified = 0
        if changed is not None:
            moment = changed if changed.tzinfo else changed.replace(tzinfo=UTC)
            modified = int(moment.timestamp() * 1000)
        return {
            "indexes": {
                "lastModified": modified,
                "ignoredArticles": mapping.IGNORED_ARTICLES,
                "index": by_letter(entries),
            }
        }

    def artists(self, call: Call) -> Payload:
        viewer = reader(call)
        with self._uows.read() as session:
            entries = mapping.index_artists(
                session, viewer.user_id, self._catalog.artist_index(session, viewer)
            )
        return {
            "artists": {"ignoredArticles": mapping.IGNORED_ARTICLES, "index": by_letter(entries)}
        }

    def music_directory(self, call: Call) -> Payload:
        """An artist's albums (directories) or an album's songs."""
        viewer = reader(call)
        wire = call.params.required("id")
        kind = mapping.kind_of(wire)
        if kind not in ("artist", "album"):
            raise SubsonicError(Code.NOT_FOUND, f"No directory has the id {wire[:64]!r}.")
        with self._uows.read() as session:
            if kind == "artist":
                artist_id = ArtistId(mapping.parse(wire, "artist"))
                return {"directory": self._artist_directory(session, viewer, artist_id)}
            album_id = AlbumId(mapping.parse(wire, "album"))
            return {"directory": self._album_directory(session, viewer, album_id)}

    def _artist_directory(
        self, session: Session, viewer: Viewer, artist_id: ArtistId
    ) -> dict[str, Any]:
        artist = self._catalog.artist_detail(session, viewer, artist_id)
        marks = mapping.Marks.load(session, viewer.user_id, LikeKind.ARTIST, [artist.id])
        album_marks = mapping.Marks.load(
            session, viewer.user_id, LikeKind.ALBUM, (a.id for a in artist.albums)
        )
        return {
            "id": mapping.artist_id(artist.id),
            "parent": str(mapping.MUSIC_FOLDER_ID),
            "name": artist.name,
            "starred": iso(marks.starred.get(artist.id)),
            "userRating": marks.ratings.get(artist.id),
            "child": [mapping.album_child(a, album_marks) for a in artist.albums],
        }

    def _album_directory(
        self, session: Session, viewer: Viewer, album_id: AlbumId
    ) -> dict[str, Any]:
        album = self._catalog.album_detail(session, viewer, album_id)
        marks = mapping.Marks.load(session, viewer.user_id, LikeKind.ALBUM, [album.id])
        return {
            "id": mapping.album_id(album.id),
            "parent": mapping.artist_id(album.artist_id),
            "name": album.title,
            "starred": iso(marks.starred.get(album.id)),
            "userRating": marks.ratings.get(album.id),
            "child": mapping.songs(session, viewer.user_id, playable(album.tracks)),
        }

    # -- genres -----------------------------------------------------------------------

    def genres(self, call: Call) -> Payload:
        viewer = reader(call)
        with self._uows.read() as session:
            totals = self._catalog.genre_totals(session, viewer)
        return {
            "genres": {
                "genre": [
                    {"songCount": g.tracks, "albumCount": g.albums, "value": g.name} for g in totals
                ]
            }
        }

    # -- ID3: artists, albums, songs --------------------------------------------------

    def artist(self, call: Call) -> Payload:
        viewer = reader(call)
        artist_id = ArtistId(mapping.parse(call.params.required("id"), "artist"))
        with self._uows.read() as session:
            detail = self._catalog.artist_detail(session, viewer, artist_id)
            out = mapping.artists(session, viewer.user_id, [detail])[0]
            albums = mapping.albums(session, viewer.user_id, detail.albums)
        return {"artist": {**out, "album": albums}}

    def album(self, call: Call) -> Payload:
        viewer = reader(call)
        album_id = AlbumId(mapping.parse(call.params.required("id"), "album"))
        with self._uows.read() as session:
            detail = self._catalog.album_detail(session, viewer, album_id)
            out = mapping.albums(session, viewer.user_id, [detail])[0]
            tracks = playable(detail.tracks)
            songs = mapping.songs(session, viewer.user_id, tracks)
        # Counted from the songs listed, so an app's "3 songs" matches what it shows.
        duration = round(sum(t.duration for t in tracks))
        return {"album": {**out, "songCount": len(songs), "duration": duration, "song": songs}}

    def song(self, call: Call) -> Payload:
        viewer = reader(call)
        track_id = TrackId(mapping.parse(call.params.required("id"), "song"))
        with self._uows.read() as session:
            track = self._library.get(session, viewer, track_id)
            return {"song": mapping.songs(session, viewer.user_id, [track])[0]}

    def album_info(self, call: Call) -> Payload:
        """No notes (tonearm asks no outside service); answers for a visible album."""
        viewer = reader(call)
        wire = call.params.required("id")
        with self._uows.read() as session:
            if mapping.kind_of(wire) == "song":
                track = self._library.get(session, viewer, TrackId(mapping.parse(wire, "song")))
                if not track.album_id:
                    raise SubsonicError(Code.NOT_FOUND, "This song is on no album.")
                self._catalog.album(session, viewer, AlbumId(track.album_id))
            else:
                self._catalog.album(session, viewer, AlbumId(mapping.parse(wire, "album")))
        return {"albumInfo": {}}


def methods(c: Container) -> dict[str, Handler]:
    b = Browsing(c)
    return {
        "getMusicFolders": b.music_folders,
        "getIndexes": b.indexes,
        "getMusicDirectory": b.music_directory,
        "getGenres": b.genres,
        "getArtists": b.artists,
        "getArtist": b.artist,
        "getAlbum": b.album,
        "getSong": b.song,
        "getAlbumInfo2": b.album_info,
    }
