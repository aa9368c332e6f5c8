"""The lists music apps ask for, in process on SQLite and PostgreSQL: albums by rating,
plays and recent plays (``AlbumRanks``), random and paged playable songs
(``SongLists``), and ratings (``RatingService``); each only over what the viewer sees."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.listening.world import World
from tonearm.accounts.principal import ALL_SCOPES, Viewer
from tonearm.errors import Invalid, NotFound
from tonearm.library.catalog import match_key
from tonearm.library.ratings import RatingService
from tonearm.library.song_lists import SongFilter, SongLists
from tonearm.listening.album_ranks import AlbumRanks
from tonearm.models import Blob, LikeKind, Rating, Role, Track, TrackGenre, utcnow
from tonearm.types import UserId


def _viewer(user_id: str, role: Role = Role.MEMBER) -> Viewer:
    return Viewer(user_id=UserId(user_id), role=role, scopes=ALL_SCOPES, via="session")


def _tag(world: World, track_id: str, genres: list[str], year: int) -> None:
    """Tags as the library writes them (the genre tag split into ``track_genres``)."""
    with world.c.infra.uows() as uow:
        track = uow.session.get(Track, track_id)
        assert track is not None
        track.genre, track.year = "; ".join(genres), year
        for name in genres:
            uow.session.add(TrackGenre(track_id=track_id, genre_key=match_key(name), name=name))


def _albums(world: World) -> dict[str, str]:
    """Three albums: "Alpha" (owner's public), "Beta" (owner's public), "Gamma" (owner's
    private track only), one track each, a second public one in Alpha."""
    artist = world.artist("Someone")
    ids = {t: world.album(t, artist) for t in ("Alpha", "Beta", "Gamma")}
    for title, album in (("a1", "Alpha"), ("a2", "Alpha"), ("b1", "Beta")):
        ids[title] = world.track(world.owner, title, album_id=ids[album], artist_id=artist)
    ids["g1"] = world.track(
        world.owner, "g1", album_id=ids["Gamma"], artist_id=artist, visibility="private"
    )
    return ids


def _titles(items: list) -> list[str]:  # type: ignore[type-arg]
    return [a.title for a in items]


def test_most_played_albums_count_only_what_the_viewer_sees(world: World) -> None:
    ids = _albums(world)
    world.plays(ids["a1"], 2)
    world.plays(ids["a2"], 2)
    world.plays(ids["b1"], 3)
    world.plays(ids["g1"], 9)
    ranks = AlbumRanks(world.c.catalog.service)
    with world.c.infra.uows.read() as s:
        other = ranks.most_played(s, _viewer(world.other.user_id), offset=0, limit=10)
        owner = ranks.most_played(s, _viewer(world.owner.user_id), offset=0, limit=10)
        paged = ranks.most_played(s, _viewer(world.owner.user_id), offset=1, limit=1)
    assert _titles(other) == ["Alpha", "Beta"]  # 4 plays over two tracks beat 3
    assert _titles(owner) == ["Gamma", "Alpha", "Beta"]
    assert _titles(paged) == ["Alpha"]
    assert other[0].track_count == 2


def test_recent_albums_are_the_viewers_own_plays(world: World) -> None:
    ids = _albums(world)
    now = utcnow()
    world.play(ids["b1"], now - timedelta(hours=3), user=world.other)
    world.play(ids["a1"], now - timedelta(hours=2), user=world.other)
    world.play(ids["b1"], now - timedelta(hours=1), user=world.owner)
    world.play(ids["g1"], now, user=world.owner)
    ranks = AlbumRanks(world.c.catalog.service)
    with world.c.infra.uows.read() as s:
        other = ranks.recently_played(s, _viewer(world.other.user_id), offset=0, limit=10)
        owner = ranks.recently_played(s, _viewer(world.owner.user_id), offset=0, limit=10)
    assert _titles(other) == ["Alpha", "Beta"]
    assert _titles(owner) == ["Gamma", "Beta"]


def test_highest_rated_albums_and_ratings(world: World) -> None:
    ids = _albums(world)
    ratings = RatingService(world.c.catalog.service)
    other = _viewer(world.other.user_id)
    with world.c.infra.uows() as uow:
        ratings.rate(uow, other, LikeKind.ALBUM, ids["Beta"], 2)
        ratings.rate(uow, other, LikeKind.ALBUM, ids["Alpha"], 5)
        ratings.rate(uow, other, LikeKind.TRACK, ids["a1"], 1)
    with world.c.infra.uows() as uow:
        ratings.rate(uow, other, LikeKind.ALBUM, ids["Beta"], 4)  # changed, not added
    ranks = AlbumRanks(world.c.catalog.service)
    with world.c.infra.uows.read() as s:
        assert _titles(ranks.highest_rated(s, other, offset=0, limit=10)) == ["Alpha", "Beta"]
        owner = _viewer(world.owner.user_id)
        assert ranks.highest_rated(s, owner, offset=0, limit=10) == []
    with world.c.infra.uows() as uow:
        ratings.rate(uow, other, LikeKind.ALBUM, ids["Alpha"], 0)
        ratings.rate(uow, other, LikeKind.ALBUM, ids["Alpha"], 0)  # none: nothing to do
    with world.c.infra.uows.read() as s:
        assert _titles(ranks.highest_rated(s, other, offset=0, limit=10)) == ["Beta"]
        rows = s.execute(select(Rating.kind, Rating.rating).where(Rating.user_id == other.user_id))
        assert sorted((k, r) for k, r in rows) == [("album", 4), ("track", 1)]
    # What the viewer may not see cannot be rated, and ratings are 0 to 5.
    with pytest.raises(NotFound), world.c.infra.uows() as uow:
        ratings.rate(uow, other, LikeKind.ALBUM, ids["Gamma"], 3)
    with pytest.raises(NotFound), world.c.infra.uows() as uow:
        ratings.rate(uow, other, LikeKind.TRACK, ids["g1"], 3)
    with pytest.raises(Invalid), world.c.infra.uows() as uow:
        ratings.rate(uow, other, LikeKind.TRACK, ids["a1"], 6)


def test_random_songs_filter_and_skip_what_cannot_play(world: World) -> None:
    ids = _albums(world)
    _tag(world, ids["a1"], ["Jazz"], 1999)
    _tag(world, ids["a2"], ["Jazz", "Soul"], 2005)
    _tag(world, ids["b1"], ["Rock"], 2001)
    lists = SongLists(world.c.library)
    other = _viewer(world.other.user_id)
    with world.c.infra.uows.read() as s:
        assert {t.title for t in lists.random(s, other, 10)} == {"a1", "a2", "b1"}
        jazz = lists.random(s, other, 10, SongFilter(genre="jazz"))
        assert {t.title for t in jazz} == {"a1", "a2"}
        years = lists.random(s, other, 10, SongFilter(year_from=2006, year_to=2000))
        assert {t.title for t in years} == {"a2", "b1"}
        assert len(lists.random(s, other, 2)) == 2
        owner = lists.random(s, _viewer(world.owner.user_id), 10)
        assert {t.title for t in owner} == {"a1", "a2", "b1", "g1"}
    with world.c.infra.uows() as uow:  # still processing: not offered to apps
        track = uow.session.get(Track, ids["a2"])
        assert track is not None
        blob = uow.session.get(Blob, track.blob_hash)
        assert blob is not None
        blob.playable = False
    with world.c.infra.uows.read() as s:
        assert {t.title for t in lists.random(s, other, 10)} == {"a1", "b1"}


def test_song_pages_walk_everything_once_in_a_stable_order(world: World) -> None:
    ids = _albums(world)
    for n in range(7):
        world.track(world.owner, f"loose {n % 3}")  # equal titles: the id breaks ties
    lists = SongLists(world.c.library)
    other = _viewer(world.other.user_id)
    seen: list[str] = []
    with world.c.infra.uows.read() as s:
        for offset in range(0, 12, 4):
            seen += [t.id for t in lists.page(s, other, offset=offset, limit=4)]
        whole = [t.id for t in lists.page(s, other, offset=0, limit=100)]
    assert seen == whole
    assert len(whole) == 10 and len(set(whole)) == 10
    assert ids["g1"] not in whole
