"""tonearm's library as Subsonic sees it: ids on the wire, songs, albums, artists.

The services describe tracks, albums and artists for the page (``TrackOut``,
``AlbumOut``, ``ArtistOut``, already filtered for the viewer); this module renames them
into Subsonic's ``Child``, ``AlbumID3`` and ``ArtistID3`` with the OpenSubsonic fields,
and adds the viewer's own marks (starred = liked, with its time; rating; play count),
loaded for a whole page at once.

Ids: songs go bare (the common case, and what apps cache); the other kinds carry a
prefix so one id names one thing whatever method it is passed to.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from tonearm.blobs.keys import MIME_BY_EXT, original_ext
from tonearm.library.browse import ArtistEntry
from tonearm.library.catalog import sort_key
from tonearm.library.schemas import AlbumOut, ArtistOut, TrackOut
from tonearm.models import Like, LikeKind, ListenerTrack, Rating
from tonearm.subsonic.protocol import Code, SubsonicError, iso

Kind = Literal["song", "album", "artist", "playlist", "share"]
PREFIX: dict[Kind, str] = {
    "song": "",
    "album": "al-",
    "artist": "ar-",
    "playlist": "pl-",
    "share": "sh-",
}
COVER_PREFIX = {"song": "tr-", "album": "al-", "artist": "ar-", "playlist": "pl-"}
MUSIC_FOLDER_ID = 1
MAX_ID = 64


def wire_id(kind: Kind, internal: str) -> str:
    return PREFIX[kind] + internal


def song_id(track_id: str) -> str:
    return track_id


def album_id(internal: str) -> str:
    return "al-" + internal


def artist_id(internal: str) -> str:
    return "ar-" + internal


def playlist_id(internal: str) -> str:
    return "pl-" + internal


def cover_id(kind: Literal["song", "album", "artist", "playlist"], internal: str) -> str:
    return COVER_PREFIX[kind] + internal


def parse(wire: str, kind: Kind) -> str:
    """The internal id behind ``wire``; error 70 when it names another kind (or nothing)."""
    prefix = PREFIX[kind]
    body = wire[len(prefix) :] if wire.startswith(prefix) else None
    if kind == "song" and "-" in wire[:3]:
        body = None  # another kind's prefixed id, never a track
    if not body or len(body) > MAX_ID or not body.isalnum():
        raise SubsonicError(Code.NOT_FOUND, f"No {kind} has the id {wire[:MAX_ID]!r}.")
    return body


def kind_of(wire: str) -> Kind:
    """Which kind a wire id names (for methods such as ``star`` or ``getCoverArt``)."""
    for kind, prefix in PREFIX.items():
        if prefix and wire.startswith(prefix):
            return kind
    return "song"


# ---- the viewer's marks ------------------------------------------------------------


@dataclass
class Marks:
    """One viewer's stars (with their time), ratings and play counts for a set of ids."""

    starred: dict[str, datetime] = field(default_factory=dict)
    ratings: dict[str, int] = field(default_factory=dict)
    plays: dict[str, tuple[int, datetime | None]] = field(default_factory=dict)

    @classmethod
    def load(
        cls, session: Session, user_id: str | None, kind: LikeKind, ids: Iterable[str]
    ) -> Marks:
        keys = list(dict.fromkeys(ids))
        marks = cls()
        if user_id is None or not keys:
            return marks
        for chunk in _chunks(keys):
            marks.starred.update(
                session.execute(
                    select(Like.subject_id, Like.created_at).where(
                        Like.user_id == user_id, Like.kind == kind, Like.subject_id.in_(chunk)
                    )
                ).all()
            )
            marks.ratings.update(
                session.execute(
                    select(Rating.subject_id, Rating.rating).where(
                        Rating.user_id == user_id,
                        Rating.kind == kind,
                        Rating.subject_id.in_(chunk),
                    )
                ).all()
            )
            if kind == LikeKind.TRACK:
                for track_id, n, last in session.execute(
                    select(
                        ListenerTrack.track_id, ListenerTrack.plays, ListenerTrack.last_played_at
                    ).where(ListenerTrack.user_id == user_id, ListenerTrack.track_id.in_(chunk))
                ):
                    marks.plays[str(track_id)] = (int(n), last)
        return marks


def _chunks(keys: list[str], size: int = 900) -> Iterable[list[str]]:
    for start in range(0, len(keys), size):
        yield keys[start : start + size]


# ---- songs ---------------------------------------------------------------------------


def songs(
    session: Session, user_id: str | None, tracks: Sequence[TrackOut]
) -> list[dict[str, Any]]:
    """``Child`` entries (songs) for tracks the services described for this viewer."""
    marks = Marks.load(session, user_id, LikeKind.TRACK, (t.id for t in tracks))
    return [song(t, marks) for t in tracks]


def song(t: TrackOut, marks: Marks) -> dict[str, Any]:
    ext = original_ext(t.source.format, t.source.codec)
    title = t.title or t.filename.rsplit(".", 1)[0]
    artist = t.artist or t.album_artist or ""
    plays, played = marks.plays.get(t.id, (0, None))
    rating = marks.ratings.get(t.id)
    gain = t.loudness.replaygain_track_gain_db if t.loudness else None
    peak = t.loudness.sample_peak if t.loudness else None
    return {
        "id": song_id(t.id),
        "parent": album_id(t.album_id) if t.album_id else None,
        "isDir": False,
        "title": title,
        "album": t.album,
        "artist": artist or None,
        "track": t.track_number,
        "year": t.year,
        "genre": t.genre,
        "coverArt": cover_id("song", t.id),
        "size": t.source.size,
        "contentType": MIME_BY_EXT.get(ext, "application/octet-stream"),
        "suffix": ext,
        # What ``stream`` sends under a bit rate ceiling: a stored AAC rung as one MP4.
        "transcodedContentType": "audio/mp4",
        "transcodedSuffix": "m4a",
        "duration": round(t.duration),
        "bitRate": round(t.source.bit_rate / 1000) if t.source.bit_rate else None,
        "path": _path(t, title, ext),
        "isVideo": False,
        "playCount": plays,
        "played": iso(played),
        "discNumber": t.disc_number,
        "created": iso(t.created_at),
        "albumId": album_id(t.album_id) if t.album_id else None,
        "artistId": artist_id(t.artist_id) if t.artist_id else None,
        "type": "music",
        "mediaType": "song",
        "starred": iso(marks.starred.get(t.id)),
        "userRating": rating,
        "bitDepth": t.source.bits_per_sample,
        "samplingRate": t.source.sample_rate,
        "channelCount": t.source.channels,
        "genres": [{"name": g} for g in t.genres],
        "artists": [{"id": artist_id(t.artist_id), "name": artist}] if t.artist_id else [],
        "displayArtist": artist,
        "albumArtists": [],
        "displayAlbumArtist": t.album_artist or artist,
        "replayGain": {"trackGain": gain, "trackPeak": peak} if gain is not None else None,
        "musicBrainzId": None,
    }


def _path(t: TrackOut, title: str, ext: str) -> str:
    """A path as a folder-based server would show it (apps group downloads by it)."""
    parts = [t.album_artist or t.artist or "Unknown Artist", t.album or "Unknown Album"]
    number = f"{t.track_number:02d} - " if t.track_number else ""
    clean = [p.replace("/", "_") for p in parts]
    return "/".join([*clean, f"{number}{title}.{ext}".replace("/", "_")])


# ---- albums and artists --------------------------------------------------------------


def albums(
    session: Session, user_id: str | None, items: Sequence[AlbumOut]
) -> list[dict[str, Any]]:
    marks = Marks.load(session, user_id, LikeKind.ALBUM, (a.id for a in items))
    return [album(a, marks) for a in items]


def album(a: AlbumOut, marks: Marks) -> dict[str, Any]:
    return {
        "id": album_id(a.id),
        "name": a.title,
        "title": a.title,
        "album": a.title,
        "artist": a.artist_name,
        "artistId": artist_id(a.artist_id),
        "coverArt": cover_id("album", a.id) if a.cover else None,
        "songCount": a.track_count,
        "duration": round(a.duration),
        "created": iso(a.created_at),
        "starred": iso(marks.starred.get(a.id)),
        "userRating": marks.ratings.get(a.id),
        "year": a.year,
        "genre": a.genres[0] if a.genres else None,
        "genres": [{"name": g} for g in a.genres],
        "isCompilation": a.compilation,
        "isDir": True,
        "artists": [{"id": artist_id(a.artist_id), "name": a.artist_name}],
        "displayArtist": a.artist_name,
        "sortName": a.title.casefold(),
        "musicBrainzId": None,
    }


def album_child(a: AlbumOut, marks: Marks) -> dict[str, Any]:
    """An album as a folder-based ``Child`` (``getMusicDirectory``): a directory whose
    parent is its artist's directory."""
    return {
        **album(a, marks),
        "parent": artist_id(a.artist_id),
        "isDir": True,
        "mediaType": "album",
        "isVideo": False,
    }


def artists(
    session: Session, user_id: str | None, items: Sequence[ArtistOut]
) -> list[dict[str, Any]]:
    marks = Marks.load(session, user_id, LikeKind.ARTIST, (a.id for a in items))
    return [artist(a, marks) for a in items]


def artist(a: ArtistOut, marks: Marks) -> dict[str, Any]:
    return _artist_id3(a.id, a.name, a.album_count, sort_key(a.name), bool(a.cover), marks)


def _artist_id3(
    internal: str, name: str, album_count: int, sort_name: str, cover: bool, marks: Marks
) -> dict[str, Any]:
    return {
        "id": artist_id(internal),
        "name": name,
        "coverArt": cover_id("artist", internal) if cover else None,
        "albumCount": album_count,
        "starred": iso(marks.starred.get(internal)),
        "userRating": marks.ratings.get(internal),
        "sortName": sort_name,
        "musicBrainzId": None,
    }


def index_artists(
    session: Session, user_id: str | None, entries: Sequence[ArtistEntry]
) -> list[dict[str, Any]]:
    """``ArtistID3`` entries of the whole A-Z list (``getArtists``, ``getIndexes``)."""
    marks = Marks.load(session, user_id, LikeKind.ARTIST, (a.id for a in entries))
    # A cover is named for every artist with an album, unchecked: whether one of its
    # albums has a picture costs a pass over every track (``artist_index``).
    return [
        _artist_id3(a.id, a.name, a.album_count, a.sort_key, a.album_count > 0, marks)
        for a in entries
    ]


IGNORED_ARTICLES = "The"
"""The articles ``sort_key`` moves to the end (``library/catalog.py``), as apps want them."""


def letter(sort_name: str) -> str:
    """The index an artist is listed under: the first letter of its sort name
    (``sort_key``), ``#`` for anything else."""
    first = sort_name[:1].upper()
    return first if first.isalpha() else "#"
