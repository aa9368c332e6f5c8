"""Embeds: a track, album or playlist shown in a small player on another site.

Only what its owner shared can be embedded: a public or unlisted track; an album
with public tracks (only those show); a public or unlisted playlist (its public
tracks and its owner's unlisted ones). Anything else does not exist here (404),
whoever asks. Showing the title is not playing it: the audio links are the media
routes, which check access, so a visitor who is not signed in plays only where
anonymous listening is on, and is otherwise asked to sign in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from tonearm.accounts.principal import ANONYMOUS, Viewer
from tonearm.accounts.repository import AccountRepository
from tonearm.errors import NotFound
from tonearm.library.schemas import TrackOut
from tonearm.library.service import LibraryService
from tonearm.models import Album, Artist, Playlist, PlaylistItem, Track, Visibility

KINDS = ("track", "album", "playlist")
SHARED = (Visibility.PUBLIC, Visibility.UNLISTED)
SIZES = {"track": (480, 140), "album": (480, 400), "playlist": (480, 400)}
"""Default iframe sizes (width, height) in CSS pixels."""

_PAGE = re.compile(r"^/(tracks|albums|playlists)/([A-Za-z0-9_-]{1,32})/?$")
_EMBED = re.compile(r"^/embed/(track|album|playlist)/([A-Za-z0-9_-]{1,32})/?$")


@dataclass(frozen=True)
class EmbedTrack:
    id: str
    title: str
    artist: str | None
    duration: float
    src: str | None
    """What the <audio> plays; None when the viewer may not play it."""
    artwork: str | None


@dataclass(frozen=True)
class Embed:
    kind: str
    id: str
    title: str
    byline: str | None
    tracks: list[EmbedTrack]

    @property
    def artwork(self) -> str | None:
        return next((t.artwork for t in self.tracks if t.artwork), None)

    @property
    def page(self) -> str:
        """The subject's page in the web player (relative to the site)."""
        return f"/#/{self.kind}s/{self.id}"


def parse_url(url: str) -> tuple[str, str]:
    """(kind, id) of a link to a page of ours (``…/#/tracks/<id>``) or an embed
    (``…/embed/track/<id>``); ``NotFound`` for anything else."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https"):
        raise NotFound("That is not a link to a track, album or playlist here.")
    found = _PAGE.match(parts.fragment) if parts.fragment else _EMBED.match(parts.path)
    if found is None:
        raise NotFound("That is not a link to a track, album or playlist here.")
    kind, subject = found.groups()
    return kind.rstrip("s"), subject


class EmbedService:
    def __init__(self, library: LibraryService) -> None:
        self._library = library

    def find(self, session: Session, viewer: Viewer, kind: str, subject_id: str) -> Embed:
        """The embed of a shared subject, its audio for ``viewer``; ``NotFound`` otherwise."""
        if kind == "track":
            track = session.get(Track, subject_id)
            if track is None or track.visibility not in SHARED:
                raise NotFound("No such track.")
            items = self._tracks(session, viewer, [track])
            return Embed("track", track.id, items[0].title, items[0].artist, items)
        if kind == "album":
            return self._album(session, viewer, subject_id)
        if kind == "playlist":
            return self._playlist(session, viewer, subject_id)
        raise NotFound("Only tracks, albums and playlists can be embedded.")

    def thumbnail(self, session: Session, embed: Embed) -> str | None:
        """Artwork anyone may fetch (a visitor who is not signed in), or None."""
        first = embed.tracks[0]
        track = session.get(Track, first.id)
        if track is None or not self._library.access.can_view(ANONYMOUS, track):
            return None
        return first.artwork

    def _album(self, session: Session, viewer: Viewer, album_id: str) -> Embed:
        album = session.get(Album, album_id)
        tracks: list[Track] = []
        if album is not None:
            q = (
                select(Track)
                .where(Track.album_id == album.id, Track.visibility == Visibility.PUBLIC)
                .order_by(Track.disc_number, Track.track_number, Track.title, Track.id)
            )
            tracks = list(session.scalars(q))
        if album is None or not tracks:
            raise NotFound("No such album.")
        artist = session.get(Artist, album.artist_id)
        items = self._tracks(session, viewer, tracks)
        return Embed("album", album.id, album.title, artist.name if artist else None, items)

    def _playlist(self, session: Session, viewer: Viewer, playlist_id: str) -> Embed:
        playlist = session.get(Playlist, playlist_id)
        if playlist is None or playlist.visibility not in SHARED:
            raise NotFound("No such playlist.")
        q = (
            select(Track)
            .join(PlaylistItem, PlaylistItem.track_id == Track.id)
            .where(PlaylistItem.playlist_id == playlist.id)
            .where(
                (Track.visibility == Visibility.PUBLIC)
                | (
                    (Track.visibility == Visibility.UNLISTED)
                    & (Track.owner_id == playlist.owner_id)
                )
            )
            .order_by(PlaylistItem.position)
            .limit(500)
        )
        tracks = list(session.scalars(q))
        owner = AccountRepository(session).names({playlist.owner_id}).get(playlist.owner_id)
        items = self._tracks(session, viewer, tracks) if tracks else []
        return Embed("playlist", playlist.id, playlist.name, owner, items)

    def _tracks(self, session: Session, viewer: Viewer, tracks: list[Track]) -> list[EmbedTrack]:
        described = self._library.describe(session, viewer, tracks)
        return [
            _embed_track(out, self._library.access.can_view(viewer, track))
            for track, out in zip(tracks, described, strict=True)
        ]


def _embed_track(out: TrackOut, playable: bool) -> EmbedTrack:
    art = out.urls.artwork
    sizes = sorted((int(k) for k in art if k.isdigit()), key=lambda s: (s < 256, s))
    return EmbedTrack(
        id=out.id,
        title=out.title or out.filename,
        artist=out.artist or out.owner_name,
        duration=out.duration,
        src=(out.urls.mp3 or out.urls.original) if playable else None,
        artwork=(art[str(sizes[0])] if sizes else None) if playable else None,
    )
