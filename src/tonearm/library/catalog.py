"""Artists, albums and genres from a track's tags: how names are matched, and the resolver.

Matching rules (the keys below are pure functions; ``CatalogResolver`` applies them):

* a name's ``match_key`` is its NFKC form, whitespace collapsed, case-folded, with a
  trailing ", The" moved to the front: "The Beatles", "the  beatles" and "Beatles, The"
  are one artist. Accents stay: "Beyoncé" and "Beyonce" are two artists, because
  folding them would also merge names that differ only by an accent in languages where
  that is a different word; a MusicBrainz id joins them when the tags carry one.
* a MusicBrainz id from the tags wins over the name: a row with that id is used
  whatever it is called. A different artist with a name already taken by another
  MusicBrainz id gets a row of its own (its key carries the id).
* the album belongs to the album artist, else the artist. A compilation (the tag's
  compilation flag, or an album artist such as "Various Artists", "VA", "V/A") belongs
  to the one "Various Artists" artist and is marked ``compilation``; each track keeps
  its own performing artist.
* an album is found by its MusicBrainz id, else by (album artist, folded title).
* genres are split on ``; / , |`` and NUL ("Rock; Pop" is two); "&" is kept
  ("Drum & Bass" is one) and each genre is matched by its folded name.

Two processes resolving the same new artist at once insert under a SAVEPOINT: the
loser's insert hits the unique ``match_key`` and it reads the winner's row, on SQLite
and PostgreSQL alike.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from collections.abc import Callable, Iterable
from typing import TypeVar

from sqlalchemy import delete, exists, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tonearm.models import Album, Artist, Track, TrackGenre
from tonearm.types import AlbumId, ArtistId

VARIOUS_ARTISTS = "Various Artists"
_VARIOUS_KEYS = frozenset(
    {"various artists", "various artist", "various", "va", "v.a.", "v/a", "v. a.", "varios"}
)
_GENRE_SPLIT = re.compile(r"[;/,|\x00]")
_ARTICLES = ("the ",)
NAME_MAX = 500
GENRE_MAX = 200

T = TypeVar("T", Artist, Album)


def tidy(name: str | None) -> str | None:
    """NFKC, whitespace collapsed and stripped; None for nothing left."""
    if name is None:
        return None
    text = " ".join(unicodedata.normalize("NFKC", name).split())
    return text[:NAME_MAX] or None


def match_key(name: str) -> str:
    """How names are compared: tidy, case-folded, "beatles, the" -> "the beatles"."""
    key = (tidy(name) or "").casefold()
    if key.endswith(", the"):
        key = "the " + key[: -len(", the")].rstrip()
    return key[:NAME_MAX]


def sort_key(name: str) -> str:
    """For A-Z lists: folded, accents dropped, a leading "the" moved to the end."""
    key = match_key(name)
    key = "".join(c for c in unicodedata.normalize("NFKD", key) if not unicodedata.combining(c))
    for article in _ARTICLES:
        if key.startswith(article) and len(key) > len(article):
            key = f"{key[len(article) :]}, {article.strip()}"
    return key[:NAME_MAX]


def is_various(name: str | None) -> bool:
    return name is not None and match_key(name) in _VARIOUS_KEYS


def split_genres(text: str | None) -> list[tuple[str, str]]:
    """(key, name) of each genre in a tag value, first spelling kept, duplicates dropped."""
    out: dict[str, str] = {}
    for part in _GENRE_SPLIT.split(text or ""):
        name = tidy(part)
        if name:
            name = name[:GENRE_MAX]
            out.setdefault(match_key(name)[:GENRE_MAX], name)
    return list(out.items())


def album_key(artist_id: str, title: str) -> str:
    return f"{artist_id}/{match_key(title)}"


def _new_id() -> str:
    return secrets.token_hex(8)


class CatalogResolver:
    """Links tracks to their artist and album rows (made when missing) and genres."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def assign(self, track: Track) -> None:
        """Point ``track`` at the artist and album its tags name; rewrite its genres.

        Rows that lose their last track are the caller's to ``prune``.
        """
        artist_name = tidy(track.artist)
        album_artist_name = tidy(track.album_artist)
        various = bool(track.compilation) or is_various(album_artist_name)
        artist = (
            self.artist(artist_name, track.mb_artist_id)
            if artist_name and not is_various(artist_name)
            else None
        )
        album_title = tidy(track.album)
        album: Album | None = None
        if album_title:
            owner: Artist | None
            if various:
                owner = self.artist(VARIOUS_ARTISTS, None)
            elif album_artist_name:
                owner = self.artist(album_artist_name, track.mb_album_artist_id)
            else:
                owner = artist
            if owner is None:  # an album with no artist at all
                owner = self.artist("Unknown Artist", None)
            album = self.album(album_title, owner, track.mb_album_id, various, track.year)
        track.artist_id = artist.id if artist else None
        track.album_id = album.id if album else None
        self.set_genres(track)

    def set_genres(self, track: Track) -> None:
        self.session.execute(delete(TrackGenre).where(TrackGenre.track_id == track.id))
        for key, name in split_genres(track.genre):
            self.session.add(TrackGenre(track_id=track.id, genre_key=key, name=name))

    def artist(self, name: str, mbid: str | None) -> Artist:
        if mbid:
            found = self.session.scalar(select(Artist).where(Artist.mbid == mbid))
            if found is not None:
                return found
        key = match_key(name)
        found = self.session.scalar(select(Artist).where(Artist.match_key == key))
        if found is not None:
            if mbid is None or found.mbid == mbid:
                return found
            if found.mbid is None:
                found.mbid = mbid  # the first tags that identify it
                return found
            key = f"{key} [mbid:{mbid}]"  # another artist of the same name
        return self._insert(
            Artist,
            lambda: Artist(
                id=ArtistId(_new_id()), name=name, match_key=key, sort_key=sort_key(name), mbid=mbid
            ),
            key,
            mbid,
        )

    def album(
        self, title: str, owner: Artist, mbid: str | None, compilation: bool, year: int | None
    ) -> Album:
        found: Album | None = None
        if mbid:
            found = self.session.scalar(select(Album).where(Album.mbid == mbid))
        key = album_key(owner.id, title)
        if found is None:
            found = self.session.scalar(select(Album).where(Album.match_key == key))
            if found is not None and mbid:
                if found.mbid is None:
                    found.mbid = mbid
                elif found.mbid != mbid:
                    found, key = None, f"mbid:{mbid}"
        if found is None:
            found = self._insert(
                Album,
                lambda: Album(
                    id=AlbumId(_new_id()),
                    title=title,
                    artist_id=owner.id,
                    match_key=key,
                    sort_key=sort_key(title),
                    compilation=compilation,
                    year=year,
                    mbid=mbid,
                ),
                key,
                mbid,
            )
        if compilation and not found.compilation:
            found.compilation = True
        if found.year is None and year is not None:
            found.year = year
        return found

    def _insert(self, table: type[T], make: Callable[[], T], key: str, mbid: str | None) -> T:
        """Insert in a SAVEPOINT; if another transaction inserted it first, read theirs."""
        row = make()
        try:
            with self.session.begin_nested():
                self.session.add(row)
        except IntegrityError:
            cond = table.match_key == key
            if mbid:
                cond = or_(cond, table.mbid == mbid)
            winner = self.session.scalar(select(table).where(cond))
            if winner is None:
                raise
            return winner
        return row

    def prune(self, artist_ids: Iterable[str | None], album_ids: Iterable[str | None]) -> None:
        """Delete albums with no track left, then artists with no album and no track."""
        artists = {a for a in artist_ids if a}
        self.session.flush()
        for album_id in {a for a in album_ids if a}:
            used = self.session.scalar(select(exists().where(Track.album_id == album_id)))
            album = self.session.get(Album, album_id)
            if not used and album is not None:
                artists.add(album.artist_id)
                self.session.delete(album)
        self.session.flush()
        for artist_id in artists:
            used = self.session.scalar(
                select(
                    exists().where(Track.artist_id == artist_id)
                    | exists().where(Album.artist_id == artist_id)
                )
            )
            artist = self.session.get(Artist, artist_id)
            if not used and artist is not None:
                self.session.delete(artist)
        self.session.flush()
