"""Artists, albums and genres as each viewer sees them, and their covers.

An artist or album exists for a viewer when at least one of its tracks is listed to
them (``TrackAccess.cataloged``: their own, public ones, every one for moderators; never
another person's unlisted or held-back track), and its counts are of those tracks only.
Two people who upload the same album share one album row, but each sees the tracks
they may see in it.

Lists are built in a fixed number of queries whatever the page size: one for the page,
one for the total, then one per kind of detail (counts, names, genres, covers, likes)
for the whole page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, distinct, exists, func, or_, select
from sqlalchemy.orm import Session

from tonearm.accounts.principal import Viewer
from tonearm.blobs import keys
from tonearm.blobs.images import ImageService
from tonearm.db.unit_of_work import UnitOfWork
from tonearm.errors import Forbidden, NotFound
from tonearm.library import schemas
from tonearm.library.catalog import match_key, split_genres
from tonearm.library.repository import TrackRepository
from tonearm.library.sampling import sample_ids
from tonearm.library.service import LibraryService
from tonearm.media.artwork import THUMBNAIL_EDGES
from tonearm.models import Album, Artist, Blob, Image, LikeKind, Scope, Track, TrackGenre
from tonearm.storage import BlobStore
from tonearm.types import AlbumId, ArtistId, ImageHash

_HAS_ART = case((or_(Blob.artwork_mime.is_not(None), Track.cover_image.is_not(None)), 1), else_=0)
"""1 for a track with a picture (embedded art, or one found beside it)."""
_TRACK_FACTS = (
    Track.id,
    Track.album_id,
    Track.artist_id,
    Track.blob_hash,
    Track.cover_image,
    Track.genre,
)
_ALBUM_ORDER = (func.coalesce(Track.disc_number, 1), func.coalesce(Track.track_number, 10000))


@dataclass(frozen=True)
class CoverFile:
    body: bytes
    media_type: str
    etag: str


@dataclass(frozen=True)
class ArtistEntry:
    """An artist in the whole A-Z list: no track count and no cover, which would cost a
    pass over every shown track and its blob (``describe_artists``)."""

    id: ArtistId
    name: str
    sort_key: str
    album_count: int


@dataclass(frozen=True)
class GenreTotal:
    name: str
    tracks: int
    albums: int


@dataclass(frozen=True)
class AlbumQuery:
    sort: str = "added"
    order: str = "desc"
    offset: int = 0
    limit: int = 100
    artist_id: str | None = None
    genre: str | None = None
    year_from: int | None = None
    """With ``year_to``: albums of these years only (both included)."""
    year_to: int | None = None


class CatalogService:
    def __init__(self, library: LibraryService, images: ImageService, store: BlobStore) -> None:
        self.library = library
        self._images = images
        self._store = store
        self.access = library.access

    # -- conditions -------------------------------------------------------------------

    def _shown(self, viewer: Viewer) -> ColumnElement[bool]:
        return self.access.cataloged(viewer)

    def album_visible(self, viewer: Viewer) -> ColumnElement[bool]:
        return exists().where(Track.album_id == Album.id, self._shown(viewer))

    def artist_visible(self, viewer: Viewer) -> ColumnElement[bool]:
        shown = self._shown(viewer)
        owned = (
            select(Track.id)
            .join(Album, Album.id == Track.album_id)
            .where(Album.artist_id == Artist.id, shown)
        )
        return or_(exists().where(Track.artist_id == Artist.id, shown), owned.exists())

    def album(self, session: Session, viewer: Viewer, album_id: AlbumId) -> Album:
        album = session.scalar(
            select(Album).where(Album.id == album_id, self.album_visible(viewer))
        )
        if album is None:
            raise NotFound("No such album.")
        return album

    def artist(self, session: Session, viewer: Viewer, artist_id: ArtistId) -> Artist:
        artist = session.scalar(
            select(Artist).where(Artist.id == artist_id, self.artist_visible(viewer))
        )
        if artist is None:
            raise NotFound("No such artist.")
        return artist

    def artist_named(self, session: Session, viewer: Viewer, name: str) -> Artist | None:
        """The artist called ``name`` (matched as the catalog matches tags), if shown."""
        return session.scalar(
            select(Artist).where(Artist.match_key == match_key(name), self.artist_visible(viewer))
        )

    # -- albums -----------------------------------------------------------------------

    def _album_where(self, viewer: Viewer, query: AlbumQuery) -> list[ColumnElement[bool]]:
        where: list[ColumnElement[bool]] = []
        if query.genre:
            key = match_key(query.genre)
            where.append(
                select(Track.id)
                .join(TrackGenre, TrackGenre.track_id == Track.id)
                .where(Track.album_id == Album.id, TrackGenre.genre_key == key, self._shown(viewer))
                .exists()
            )
        else:
            where.append(self.album_visible(viewer))
        if query.artist_id:
            where.append(Album.artist_id == query.artist_id)
        if query.year_from is not None and query.year_to is not None:
            where.append(Album.year.between(query.year_from, query.year_to))
        return where

    def album_rows(self, session: Session, viewer: Viewer, query: AlbumQuery) -> list[Album]:
        """One page of albums, without the total (what apps page by)."""
        where = self._album_where(viewer, query)
        if query.sort == "random":
            ids = sample_ids(session, Album.id, and_(*where), query.limit)
            found: dict[str, Album] = {
                a.id: a for a in session.scalars(select(Album).where(Album.id.in_(ids)))
            }
            return [found[i] for i in ids if i in found]
        desc = query.order == "desc"
        q = select(Album).where(*where)
        if query.sort == "name":
            q = q.order_by(_dir(Album.sort_key, desc), _dir(Album.id, desc))
        elif query.sort == "year":
            q = q.order_by(_dir(Album.year, desc).nulls_last(), Album.sort_key, Album.id)
        elif query.sort == "artist":
            q = q.join(Artist, Artist.id == Album.artist_id).order_by(
                _dir(Artist.sort_key, desc), Album.year, Album.sort_key, Album.id
            )
        else:
            q = q.order_by(_dir(Album.created_at, desc), _dir(Album.id, desc))
        return list(session.scalars(q.offset(query.offset).limit(query.limit)))

    def albums(self, session: Session, viewer: Viewer, query: AlbumQuery) -> schemas.AlbumPage:
        albums = self.album_rows(session, viewer, query)
        where = self._album_where(viewer, query)
        total = session.scalar(select(func.count()).select_from(Album).where(*where)) or 0
        return schemas.AlbumPage(items=self.describe_albums(session, viewer, albums), total=total)

    def album_detail(
        self, session: Session, viewer: Viewer, album_id: AlbumId
    ) -> schemas.AlbumDetail:
        album = self.album(session, viewer, album_id)
        tracks = list(
            session.scalars(
                select(Track)
                .where(Track.album_id == album.id, self._shown(viewer))
                .order_by(*_ALBUM_ORDER, Track.title, Track.id)
            )
        )
        out = self.describe_albums(session, viewer, [album])[0]
        return schemas.AlbumDetail(
            **out.model_dump(),
            tracks=self.library.describe(session, viewer, tracks),
            discs=max((t.disc_number or 1 for t in tracks), default=1),
            editable=self.can_edit_album(session, viewer, album),
        )

    def describe_albums(
        self, session: Session, viewer: Viewer, albums: Sequence[Album]
    ) -> list[schemas.AlbumOut]:
        if not albums:
            return []
        ids = [a.id for a in albums]
        # Shown tracks first, then their blobs by key: joined in one statement, PostgreSQL
        # hashed all of blobs and track_genres for a page of 100 albums (28 and 21 ms at
        # 100k tracks); by key it is an index lookup.
        shown_tracks = self._shown_tracks(session, viewer, Track.album_id, ids)
        facts = _blob_facts(session, {t.blob_hash for t in shown_tracks})
        stats: dict[str, tuple[int, float, bool]] = {}
        for t in shown_tracks:
            album_id = str(t.album_id)
            duration, blob_art = facts.get(t.blob_hash, (0.0, False))
            n, total, art = stats.get(album_id, (0, 0.0, False))
            stats[album_id] = (
                n + 1,
                total + duration,
                art or blob_art or t.cover_image is not None,
            )
        names: dict[str, str] = {
            str(i): str(n)
            for i, n in session.execute(
                select(Artist.id, Artist.name).where(Artist.id.in_({a.artist_id for a in albums}))
            )
        }
        # A track's genres are its genre tag split (``track_genres`` is the same split,
        # kept for filtering): no second query.
        found: dict[str, set[str]] = {}
        for t in shown_tracks:
            for _, name in split_genres(t.genre):
                found.setdefault(str(t.album_id), set()).add(name)
        genres = {album_id: sorted(names_) for album_id, names_ in found.items()}
        liked = self._liked(session, viewer, LikeKind.ALBUM, ids)
        out = []
        for a in albums:
            count, duration, art = stats.get(a.id, (0, 0.0, False))
            has_cover = a.cover_image is not None or art
            version = f"?v={a.cover_image[:12]}" if a.cover_image else ""
            out.append(
                schemas.AlbumOut(
                    id=a.id,
                    title=a.title,
                    artist_id=a.artist_id,
                    artist_name=names.get(a.artist_id, ""),
                    compilation=a.compilation,
                    year=a.year,
                    genres=genres.get(a.id, []),
                    track_count=count,
                    duration=round(duration, 3),
                    cover=_cover_urls(f"/api/albums/{a.id}/cover", version) if has_cover else None,
                    liked=a.id in liked,
                    created_at=a.created_at,
                )
            )
        return out

    # -- artists ----------------------------------------------------------------------

    def artists(
        self, session: Session, viewer: Viewer, *, sort: str, order: str, offset: int, limit: int
    ) -> schemas.ArtistPage:
        visible = self.artist_visible(viewer)
        desc = order == "desc"
        column = Artist.created_at if sort == "added" else Artist.sort_key
        artists = list(
            session.scalars(
                select(Artist)
                .where(visible)
                .order_by(_dir(column, desc), _dir(Artist.id, desc))
                .offset(offset)
                .limit(limit)
            )
        )
        total = session.scalar(select(func.count()).select_from(Artist).where(visible)) or 0
        return schemas.ArtistPage(
            items=self.describe_artists(session, viewer, artists), total=total
        )

    def artist_index(self, session: Session, viewer: Viewer) -> list[ArtistEntry]:
        """Every artist shown to ``viewer``, in sort order, with how many of its own
        albums show. Two statements whatever the size: at 100k tracks and 2,000 artists
        on SQLite, 20 + 48 ms, where ``describe_artists`` of all of them took 600+ ms."""
        counts: dict[str, int] = {
            str(artist_id): int(n)
            for artist_id, n in session.execute(
                select(Album.artist_id, func.count())
                .where(self.album_visible(viewer))
                .group_by(Album.artist_id)
            )
        }
        rows = session.execute(
            select(Artist.id, Artist.name, Artist.sort_key)
            .where(self.artist_visible(viewer))
            .order_by(Artist.sort_key, Artist.id)
        )
        return [
            ArtistEntry(ArtistId(i), str(name), str(key), counts.get(str(i), 0))
            for i, name, key in rows
        ]

    def last_added(self, session: Session) -> datetime | None:
        """When the newest track arrived (an index lookup; the newest change of any
        track would read them all)."""
        return session.scalar(select(func.max(Track.created_at)))

    def artist_detail(
        self, session: Session, viewer: Viewer, artist_id: ArtistId
    ) -> schemas.ArtistDetail:
        artist = self.artist(session, viewer, artist_id)
        visible = self.album_visible(viewer)
        order = (Album.year.asc().nulls_last(), Album.sort_key, Album.id)
        owned = session.scalars(
            select(Album).where(Album.artist_id == artist.id, visible).order_by(*order)
        ).all()
        shown = self._shown(viewer)
        # From the artist's tracks (an index on tracks.artist_id), not from every album.
        played = select(Track.album_id).where(Track.artist_id == artist.id, shown)
        appears = session.scalars(
            select(Album).where(Album.artist_id != artist.id, Album.id.in_(played)).order_by(*order)
        ).all()
        out = self.describe_artists(session, viewer, [artist])[0]
        return schemas.ArtistDetail(
            **out.model_dump(),
            albums=self.describe_albums(session, viewer, owned),
            appears_on=self.describe_albums(session, viewer, appears),
        )

    def describe_artists(
        self, session: Session, viewer: Viewer, artists: Sequence[Artist]
    ) -> list[schemas.ArtistOut]:
        if not artists:
            return []
        ids = [a.id for a in artists]
        shown = self._shown(viewer)
        tracks: dict[str, int] = {
            str(artist_id): int(n)
            for artist_id, n in session.execute(
                select(Track.artist_id, func.count())
                .where(Track.artist_id.in_(ids), shown)
                .group_by(Track.artist_id)
            )
        }
        # One pass over the artists' own albums and their shown tracks: how many albums
        # show, tracks played there by someone else (a compilation's), and any picture.
        albums: dict[str, int] = {}
        with_art: set[str] = set()
        for artist_id, n_albums, others, art, own_cover in session.execute(
            select(
                Album.artist_id,
                func.count(distinct(Album.id)),
                func.sum(
                    case(
                        (or_(Track.artist_id.is_(None), Track.artist_id != Album.artist_id), 1),
                        else_=0,
                    )
                ),
                func.max(_HAS_ART),
                func.max(case((Album.cover_image.is_not(None), 1), else_=0)),
            )
            .join(Track, Track.album_id == Album.id)
            .join(Blob, Blob.hash == Track.blob_hash)
            .where(Album.artist_id.in_(ids), shown)
            .group_by(Album.artist_id)
        ):
            key = str(artist_id)
            albums[key] = int(n_albums)
            tracks[key] = tracks.get(key, 0) + int(others or 0)
            if art or own_cover:
                with_art.add(key)
        liked = self._liked(session, viewer, LikeKind.ARTIST, ids)
        return [
            schemas.ArtistOut(
                id=a.id,
                name=a.name,
                album_count=albums.get(a.id, 0),
                track_count=tracks.get(a.id, 0),
                cover=_cover_urls(f"/api/artists/{a.id}/cover", "") if a.id in with_art else None,
                liked=a.id in liked,
                created_at=a.created_at,
            )
            for a in artists
        ]

    # -- genres -----------------------------------------------------------------------

    def genres(self, session: Session, viewer: Viewer) -> list[schemas.GenreOut]:
        rows = session.execute(
            select(TrackGenre.genre_key, func.min(TrackGenre.name), func.count())
            .join(Track, Track.id == TrackGenre.track_id)
            .where(self._shown(viewer))
            .group_by(TrackGenre.genre_key)
            .order_by(TrackGenre.genre_key)
        )
        return [schemas.GenreOut(name=name, track_count=n) for _, name, n in rows]

    def genre_totals(self, session: Session, viewer: Viewer) -> list[GenreTotal]:
        """Each genre with its shown tracks and the albums they are on, by name."""
        rows = session.execute(
            select(
                TrackGenre.genre_key,
                func.min(TrackGenre.name),
                func.count(),
                func.count(distinct(Track.album_id)),
            )
            .join(Track, Track.id == TrackGenre.track_id)
            .where(self._shown(viewer))
            .group_by(TrackGenre.genre_key)
            .order_by(TrackGenre.genre_key)
        )
        return [GenreTotal(str(name), int(n), int(a)) for _, name, n, a in rows]

    # -- covers -----------------------------------------------------------------------

    def can_edit_album(self, session: Session, viewer: Viewer, album: Album) -> bool:
        """Admins, and owners of one of its tracks (with the ``library`` scope)."""
        if viewer.is_admin:
            return True
        if not viewer.can(Scope.LIBRARY):
            return False
        owns = select(Track.id).where(Track.album_id == album.id, Track.owner_id == viewer.user_id)
        return session.scalar(owns.limit(1)) is not None

    def set_cover(
        self, uow: UnitOfWork, viewer: Viewer, album_id: AlbumId, data: bytes | None
    ) -> None:
        """Upload (``data``) or remove (None) the album's own cover."""
        album = self.album(uow.session, viewer, album_id)
        if not self.can_edit_album(uow.session, viewer, album):
            raise Forbidden("Only someone who owns a track of this album can change its cover.")
        album.cover_image = self._images.put(uow, data).hash if data is not None else None

    def album_cover(
        self, session: Session, viewer: Viewer, album_id: AlbumId, size: int | None
    ) -> CoverFile:
        album = self.album(session, viewer, album_id)
        cover = self._cover_of(session, viewer, album, size)
        if cover is None:
            raise NotFound("This album has no cover.")
        return cover

    def artist_cover(
        self, session: Session, viewer: Viewer, artist_id: ArtistId, size: int | None
    ) -> CoverFile:
        """The cover of the artist's first album that has one (own albums first)."""
        artist = self.artist(session, viewer, artist_id)
        visible = self.album_visible(viewer)
        shown = self._shown(viewer)
        played = select(Track.album_id).where(Track.artist_id == artist.id, shown)
        albums = session.scalars(
            select(Album)
            .where(visible, or_(Album.artist_id == artist.id, Album.id.in_(played)))
            .order_by((Album.artist_id != artist.id), Album.year.asc().nulls_last(), Album.sort_key)
            .limit(20)
        )
        for album in albums:
            cover = self._cover_of(session, viewer, album, size)
            if cover is not None:
                return cover
        raise NotFound("This artist has no cover.")

    def _cover_of(
        self, session: Session, viewer: Viewer, album: Album, size: int | None
    ) -> CoverFile | None:
        """The album's own cover, else the first of its tracks (disc and track order)
        with embedded art, else a picture found beside a track."""
        if album.cover_image is not None:
            return self._image(session, album.cover_image, size)
        shown = self._shown(viewer)
        row = session.execute(
            select(Blob.hash, Blob.artwork_mime, Blob.artwork_sizes)
            .join(Track, Track.blob_hash == Blob.hash)
            .where(Track.album_id == album.id, shown, Blob.artwork_mime.is_not(None))
            .order_by(*_ALBUM_ORDER, Track.id)
            .limit(1)
        ).first()
        if row is not None:
            blob_hash, mime, sizes = row
            edge = _edge(size, list(sizes or []))
            key = keys.artwork_key(blob_hash, edge)
            media_type = "image/webp" if edge is not None else str(mime)
            body = self._store.read_bytes(key)
            return CoverFile(body, media_type, f'"{blob_hash[:32]}-art-{edge or "original"}"')
        picture = session.scalar(
            select(Track.cover_image)
            .where(Track.album_id == album.id, shown, Track.cover_image.is_not(None))
            .order_by(*_ALBUM_ORDER, Track.id)
            .limit(1)
        )
        return self._image(session, ImageHash(picture), size) if picture else None

    def _image(self, session: Session, image_hash: ImageHash, size: int | None) -> CoverFile:
        image = session.get(Image, image_hash)
        if image is None:
            raise NotFound("This cover is missing.")
        body, media_type = self._images.read(image, size)
        return CoverFile(body, media_type, f'"{image.hash[:32]}-{size or "original"}"')

    def _shown_tracks(
        self, session: Session, viewer: Viewer, column: Any, keys: Sequence[str]
    ) -> list[Any]:
        """The tracks ``viewer`` is shown whose ``column`` is one of ``keys`` (the columns
        the catalog describes them by)."""
        shown = self._shown(viewer)
        rows: list[Any] = []
        for chunk in _chunks(list(keys)):
            rows.extend(session.execute(select(*_TRACK_FACTS).where(column.in_(chunk), shown)))
        return rows

    def _liked(
        self, session: Session, viewer: Viewer, kind: LikeKind, ids: Sequence[str]
    ) -> set[str]:
        if viewer.user_id is None:
            return set()
        return TrackRepository(session).liked(viewer.user_id, kind, ids)


def _dir(column: ColumnElement[object] | object, desc: bool) -> ColumnElement[object]:
    col: ColumnElement[object] = column  # type: ignore[assignment]
    return col.desc() if desc else col.asc()


def _edge(size: int | None, sizes: list[int]) -> int | None:
    """The stored thumbnail edge nearest at or above ``size`` (else the largest)."""
    if size is None or not sizes:
        return None
    fits = [s for s in sizes if s >= size]
    return min(fits) if fits else max(sizes)


def _cover_urls(base: str, version: str) -> dict[str, str]:
    return {str(edge): f"{base}/{edge}.webp{version}" for edge in THUMBNAIL_EDGES}


def _chunks(keys: list[str], size: int = 2000) -> list[list[str]]:
    """Bounded ``IN`` lists: SQLite refuses statements with too many parameters."""
    return [keys[i : i + size] for i in range(0, len(keys), size)]


def _blob_facts(session: Session, hashes: set[str]) -> dict[str, tuple[float, bool]]:
    """Duration and whether embedded art exists, per blob."""
    facts: dict[str, tuple[float, bool]] = {}
    for chunk in _chunks(sorted(hashes)):
        for blob_hash, duration, mime in session.execute(
            select(Blob.hash, Blob.duration, Blob.artwork_mime).where(Blob.hash.in_(chunk))
        ):
            facts[str(blob_hash)] = (float(duration or 0.0), mime is not None)
    return facts
