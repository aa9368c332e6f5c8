"""Artists, albums and genres resolved from tags, through the services, on both databases.

Tracks are real uploads (short distinct tones); their tags are handed to the library as
the processing job would (``apply_tags``), so each case states exactly the tags it is
about. One case runs the whole processing job on a file tagged by ffmpeg.
"""

from __future__ import annotations

import subprocess
import threading
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.fixtures.accounts import drain, member_viewer
from tests.fixtures.audio import MakeAudio
from tests.service.conftest import upload
from tonearm.accounts.principal import Viewer
from tonearm.container import Container
from tonearm.errors import NotFound
from tonearm.library.browse import AlbumQuery
from tonearm.library.catalog import CatalogResolver, match_key, sort_key, split_genres
from tonearm.library.schemas import TrackPatch
from tonearm.library.service import TrackQuery
from tonearm.models import Album, Artist, LikeKind, Role, Track, TrackGenre, Visibility
from tonearm.types import AlbumId, ArtistId, TrackId

_freq = iter(range(200, 20000, 23))


def tagged(
    app: Container,
    viewer: Viewer,
    audio: MakeAudio,
    tags: dict[str, Any],
    visibility: Visibility = Visibility.PRIVATE,
) -> TrackId:
    """A new upload of ``viewer``'s given ``tags`` as processing would."""
    n = next(_freq)
    accepted = upload(
        app, viewer, audio(f"t{n}.flac", seconds=1.5, frequency=float(n)), visibility=visibility
    )
    with app.infra.uows() as uow:
        track = uow.session.get(Track, accepted.track_id)
        assert track is not None
        app.library.apply_tags(uow, track.blob_hash, tags)
    return accepted.track_id


def row(app: Container, track_id: TrackId) -> Track:
    with app.infra.uows.read() as s:
        track = s.get(Track, track_id)
        assert track is not None
        s.expunge(track)
        return track


def counts(app: Container) -> tuple[int, int]:
    with app.infra.uows.read() as s:
        artists = s.scalar(select(func.count()).select_from(Artist)) or 0
        albums = s.scalar(select(func.count()).select_from(Album)) or 0
        return artists, albums


def test_keys() -> None:
    assert match_key("The  Beatles") == match_key("beatles, the") == "the beatles"
    assert match_key("Beyoncé") != match_key("Beyonce")
    assert match_key("ＡＢＢＡ") == match_key("abba")  # NFKC: full-width letters
    assert sort_key("The Beatles") == "beatles, the"
    assert sort_key("Émilie") == "emilie"
    assert [n for _, n in split_genres("Rock; Pop/Drum & Bass, rock|Jazz\x00Soul")] == [
        "Rock",
        "Pop",
        "Drum & Bass",
        "Jazz",
        "Soul",
    ]


def test_a_compilation_is_one_album_under_various_artists(
    app: Container, viewer: Viewer, audio: MakeAudio
) -> None:
    ids = [
        tagged(app, viewer, audio, {"artist": "Alpha", "album": "Hits 1", "compilation": True}),
        tagged(app, viewer, audio, {"artist": "Beta", "album": "Hits 1", "compilation": True}),
        tagged(app, viewer, audio, {"artist": "Gamma", "album": "hits 1", "album_artist": "VA"}),
    ]
    tracks = [row(app, t) for t in ids]
    assert len({t.album_id for t in tracks}) == 1
    assert len({t.artist_id for t in tracks}) == 3
    with app.infra.uows.read() as s:
        album = app.catalog.service.album_detail(s, viewer, AlbumId(str(tracks[0].album_id)))
        assert album.artist_name == "Various Artists"
        assert album.compilation and album.track_count == 3
        alpha = app.catalog.service.artist_detail(s, viewer, ArtistId(str(tracks[0].artist_id)))
        assert alpha.albums == [] and [a.id for a in alpha.appears_on] == [album.id]
        assert alpha.track_count == 1
        various = app.catalog.service.artist_detail(s, viewer, ArtistId(album.artist_id))
        assert various.album_count == 1 and various.track_count == 3


def test_names_merge_by_case_and_article_but_keep_accents(
    app: Container, viewer: Viewer, audio: MakeAudio
) -> None:
    beatles = [
        tagged(app, viewer, audio, {"artist": name, "album": "Abbey Road"})
        for name in ("The Beatles", "Beatles, The", "the  BEATLES")
    ]
    assert len({row(app, t).artist_id for t in beatles}) == 1
    assert len({row(app, t).album_id for t in beatles}) == 1
    b1 = tagged(app, viewer, audio, {"artist": "Beyoncé"})
    b2 = tagged(app, viewer, audio, {"artist": "Beyonce"})
    assert row(app, b1).artist_id != row(app, b2).artist_id
    with app.infra.uows.read() as s:
        names = [
            a.name
            for a in app.catalog.service.artists(
                s, viewer, sort="name", order="asc", offset=0, limit=10
            ).items
        ]
    assert names[0] == "The Beatles" and sorted(names[1:]) == ["Beyonce", "Beyoncé"]


def test_musicbrainz_ids_win_over_differing_names(
    app: Container, viewer: Viewer, audio: MakeAudio
) -> None:
    mbid = "5e2f7f1a-3b6c-4a53-9f0e-1c1d2b3a4e5f"
    album_mbid = "0f4e3d2c-1b0a-4f9e-8d7c-6b5a4f3e2d1c"
    a = tagged(
        app,
        viewer,
        audio,
        {"artist": "Prince", "album": "1999", "mb_artist_id": mbid, "mb_album_id": album_mbid},
    )
    b = tagged(
        app,
        viewer,
        audio,
        {
            "artist": "The Artist Formerly Known as Prince",
            "album": "1999 (Remastered)",
            "mb_artist_id": mbid,
            "mb_album_id": album_mbid,
        },
    )
    assert row(app, a).artist_id == row(app, b).artist_id
    assert row(app, a).album_id == row(app, b).album_id
    # The same name with another MusicBrainz id is another artist.
    other = tagged(
        app, viewer, audio, {"artist": "Prince", "mb_artist_id": mbid.replace("5e", "7a", 1)}
    )
    assert row(app, other).artist_id != row(app, a).artist_id


def test_a_multi_disc_album_lists_in_disc_then_track_order(
    app: Container, viewer: Viewer, audio: MakeAudio
) -> None:
    order = [(2, 1), (1, 2), (2, 2), (1, 1)]
    ids = {
        pos: tagged(
            app,
            viewer,
            audio,
            {
                "artist": "Band",
                "album": "Double",
                "disc_number": pos[0],
                "track_number": pos[1],
                "year": 2001,
                "genre": "Rock; Pop",
            },
        )
        for pos in order
    }
    album_id = AlbumId(str(row(app, ids[(1, 1)]).album_id))
    with app.infra.uows.read() as s:
        album = app.catalog.service.album_detail(s, viewer, album_id)
    assert [t.id for t in album.tracks] == [ids[p] for p in sorted(order)]
    assert album.discs == 2 and album.year == 2001 and album.genres == ["Pop", "Rock"]
    assert album.tracks[0].genres == ["Pop", "Rock"]


def test_a_tag_edit_that_empties_an_album_removes_it(
    app: Container, viewer: Viewer, audio: MakeAudio
) -> None:
    t = tagged(app, viewer, audio, {"artist": "Solo", "album": "Only"})
    before = row(app, t)
    with app.infra.uows() as uow:
        app.library.update(uow, viewer, t, TrackPatch(artist="Duo", album="Second"))
    after = row(app, t)
    assert after.album_id != before.album_id and after.artist_id != before.artist_id
    assert set(after.edited) >= {"artist", "album"}
    with app.infra.uows.read() as s:
        assert s.get(Album, before.album_id) is None
        assert s.get(Artist, before.artist_id) is None  # no album and no track left
    assert counts(app) == (1, 1)
    # Clearing the album leaves the track on its artist only.
    with app.infra.uows() as uow:
        app.library.update(uow, viewer, t, TrackPatch.model_validate({"album": None}))
    assert row(app, t).album_id is None
    assert counts(app) == (1, 0)


def test_edits_survive_reprocessing(app: Container, viewer: Viewer, audio: MakeAudio) -> None:
    tags = {"title": "Original", "artist": "A", "album": "Old", "year": 1990}
    t = tagged(app, viewer, audio, tags)
    with app.infra.uows() as uow:
        app.library.update(uow, viewer, t, TrackPatch(title="Mine", album="New"))
    retag = {**tags, "year": 1991, "genre": "Jazz"}
    with app.infra.uows() as uow:
        app.library.apply_tags(uow, row(app, t).blob_hash, retag)
    track = row(app, t)
    assert (track.title, track.album, track.year, track.genre) == ("Mine", "New", 1991, "Jazz")
    with app.infra.uows.read() as s:
        assert s.scalar(select(Album.title).where(Album.id == track.album_id)) == "New"
        assert s.scalars(select(TrackGenre.name).where(TrackGenre.track_id == t)).all() == ["Jazz"]


def test_album_and_artist_lists_follow_what_each_viewer_may_see(
    app: Container, viewer: Viewer, audio: MakeAudio
) -> None:
    bob = member_viewer(app, "bob")
    mod = member_viewer(app, "mod", role=Role.MODERATOR)
    shared = {"artist": "Shared", "album": "Common"}
    tagged(app, viewer, audio, {"artist": "Hidden", "album": "Secret"})
    tagged(app, viewer, audio, shared, Visibility.PUBLIC)
    tagged(app, viewer, audio, shared)  # private: counts for the owner only
    tagged(app, viewer, audio, {**shared, "title": "link"}, Visibility.UNLISTED)
    tagged(app, bob, audio, shared, Visibility.PRIVATE)

    def albums(v: Viewer) -> dict[str, int]:
        with app.infra.uows.read() as s:
            page = app.catalog.service.albums(s, v, AlbumQuery(sort="name", order="asc"))
            assert page.total == len(page.items)
            return {a.title: a.track_count for a in page.items}

    def artists(v: Viewer) -> set[str]:
        with app.infra.uows.read() as s:
            page = app.catalog.service.artists(s, v, sort="name", order="asc", offset=0, limit=50)
            return {a.name for a in page.items}

    assert albums(viewer) == {"Common": 3, "Secret": 1}
    assert albums(bob) == {"Common": 2}
    assert albums(mod) == {"Common": 4, "Secret": 1}
    assert artists(bob) == {"Shared"}
    assert artists(viewer) == {"Shared", "Hidden"}
    secret = row(app, tagged(app, viewer, audio, {"artist": "Hidden", "album": "Secret"}))
    with app.infra.uows.read() as s:
        with pytest.raises(NotFound):
            app.catalog.service.album_detail(s, bob, AlbumId(str(secret.album_id)))
        with pytest.raises(NotFound):
            app.catalog.service.artist_detail(s, bob, ArtistId(str(secret.artist_id)))


def test_sorted_and_filtered_track_pages(app: Container, viewer: Viewer, audio: MakeAudio) -> None:
    titles = ["delta", "alpha", "charlie", "bravo", "echo"]
    ids = {
        title: tagged(
            app,
            viewer,
            audio,
            {
                "title": title,
                "artist": "Sorter",
                "album": "Letters" if title < "d" else "Late",
                "genre": "Jazz" if title in ("alpha", "echo") else "Rock",
                "year": 2000 + len(title),
            },
        )
        for title in titles
    }

    def page(limit: int = 2, **query: Any) -> tuple[list[str], int]:
        with app.infra.uows.read() as s:
            got = app.library.page(s, viewer, limit=limit, cursor=None, query=TrackQuery(**query))
            return [t.title or "" for t in got.items], got.total

    assert page(sort="title", order="asc") == (["alpha", "bravo"], 5)
    assert page(sort="title", order="asc", offset=2) == (["charlie", "delta"], 5)
    assert page(sort="title", order="desc", offset=4) == (["alpha"], 5)
    assert page(limit=5, sort="title", order="asc", genre="jazz") == (["alpha", "echo"], 2)
    album = AlbumId(str(row(app, ids["alpha"]).album_id))
    assert page(limit=5, sort="title", order="asc", album_id=album) == (
        ["alpha", "bravo", "charlie"],
        3,
    )
    artist = str(row(app, ids["alpha"]).artist_id)
    assert page(limit=9, sort="title", artist_id=artist)[1] == 5
    with app.infra.uows() as uow:
        app.catalog.likes.like(uow, viewer, LikeKind.TRACK, ids["echo"])
    assert page(limit=5, liked=True) == (["echo"], 1)
    with app.infra.uows.read() as s:
        genres = app.catalog.service.genres(s, viewer)
    assert [(g.name, g.track_count) for g in genres] == [("Jazz", 2), ("Rock", 3)]


def test_a_held_back_track_shows_no_album_to_its_uploader(
    app: Container, viewer: Viewer, audio: MakeAudio
) -> None:
    """Bytes someone else stored and processed: the new owner's track looks like a fresh
    upload, so it must not show the tags the other upload found."""
    song = audio("held.flac", seconds=1.5, frequency=777.0)
    first = upload(app, viewer, song, visibility=Visibility.PUBLIC)
    drain(app)
    with app.infra.uows() as uow:
        blob = row(app, first.track_id).blob_hash
        app.library.apply_tags(uow, blob, {"artist": "Known", "album": "Famous"})
    bob = member_viewer(app, "bob")
    second = upload(app, bob, song)
    with app.infra.uows.read() as s:
        out = app.library.get(s, bob, second.track_id)
        assert out.album_id is None and out.artist_id is None and out.album is None
        page = app.catalog.service.albums(s, bob, AlbumQuery())
        assert [(a.title, a.track_count) for a in page.items] == [("Famous", 1)]  # alice's


def test_a_racing_insert_reads_the_winners_row(app: Container) -> None:
    """Two transactions resolving the same new artist: the second insert hits the unique
    key inside its SAVEPOINT and returns the first one's row; its transaction goes on."""
    started = threading.Barrier(2)
    results: list[str] = []
    errors: list[BaseException] = []

    def resolve() -> None:
        try:
            with app.infra.uows() as uow:
                started.wait(timeout=10)
                results.append(CatalogResolver(uow.session).artist("Racer", None).id)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=resolve) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert not errors, errors
    assert len(set(results)) == 1
    assert counts(app)[0] == 1
    # And the fallback itself, deterministically: the row exists, the insert conflicts.
    with app.infra.uows() as uow:
        resolver = CatalogResolver(uow.session)
        twin = resolver._insert(
            Artist,
            lambda: Artist(id=ArtistId("x" * 16), name="Racer", match_key="racer", sort_key="r"),
            "racer",
            None,
        )
        assert twin.id == results[0]
        assert resolver.artist("Another", None).name == "Another"  # the transaction lives on


def test_processed_file_tags_make_the_album(
    app: Container, viewer: Viewer, audio: MakeAudio, tmp_path: Path
) -> None:
    plain = audio("plain.flac", seconds=1.5, frequency=555.0)
    tagged_file = tmp_path / "tagged.flac"
    meta = {
        "title": "Song",
        "artist": "Performer",
        "album": "Sampler",
        "album_artist": "Various Artists",
        "compilation": "1",
        "MUSICBRAINZ_ALBUMID": "11111111-2222-3333-4444-555555555555",
        "genre": "Drum & Bass;Jungle",
        "track": "4/10",
        "disc": "2/2",
        "date": "1996",
        "lyrics": "line one\nline two",
    }
    args = [a for k, v in meta.items() for a in ("-metadata", f"{k}={v}")]
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-i", str(plain), "-c", "copy", *args, str(tagged_file)],
        check=True,
    )
    accepted = upload(app, viewer, tagged_file)
    drain(app)
    track = row(app, accepted.track_id)
    assert (track.compilation, track.mb_album_id) == (True, meta["MUSICBRAINZ_ALBUMID"])
    assert (track.track_number, track.disc_number, track.year) == (4, 2, 1996)
    assert track.lyrics == "line one\nline two"
    with app.infra.uows.read() as s:
        album = app.catalog.service.album_detail(s, viewer, AlbumId(str(track.album_id)))
    assert (album.title, album.artist_name, album.compilation) == (
        "Sampler",
        "Various Artists",
        True,
    )
    assert album.genres == ["Drum & Bass", "Jungle"]
