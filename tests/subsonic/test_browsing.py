"""Browsing methods against a real server, through py-opensonic and py-sonic: the
fixture's library as each person may see it, ids that round-trip between methods, XML
that says what JSON says, and the error codes for missing and unknown ids.

Who sees what (as the page's API shows it): the admin lists every track (bea's private
"Secret Song" too); bea lists the public album and her own, not the admin's unlisted
"Harbour Lights", which she may still fetch by id.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any
from xml.etree import ElementTree as ET

import httpx
import libopensonic
import pytest
from libopensonic.errors import DataNotFoundError as OpenNotFound
from libopensonic.media import MusicFolder
from libsonic.errors import DataNotFoundError, ParameterError

from tests.subsonic.conftest import PASSWORD, Account, Sonic

NS = "{http://subsonic.org/restapi}"
FIRST_LIGHT = ["Dawn", "Noon", "Dusk"]


@pytest.fixture(scope="module")
def cy(sonic: Sonic) -> Account:
    """A third member: owns nothing, so sees only the public album."""
    sonic.server.http.post(
        "/api/users", json={"username": "cy", "password": PASSWORD}
    ).raise_for_status()
    browser = httpx.Client(base_url=sonic.url, timeout=60)
    r = browser.post("/api/auth/login", json={"username": "cy", "password": PASSWORD})
    r.raise_for_status()
    browser.headers["X-CSRF-Token"] = r.json()["csrf_token"]
    made = browser.post("/api/me/subsonic-password")
    made.raise_for_status()
    return Account("cy", made.json()["password"], "", browser)


def play(sonic: Sonic, track_ids: list[str]) -> None:
    """One counted play of each (a track may come twice), reported as the page's player
    reports them: the tracks are shorter than the count threshold, so each counts once
    heard whole (a few seconds); sessions run side by side until counted."""
    browser = sonic.admin.browser
    open_: dict[str, dict[str, Any]] = {}
    for n, track_id in enumerate(track_ids):
        session = f"browse-top-{n}"
        r = browser.post(
            "/api/plays",
            json={"event": "start", "session": session, "track_id": track_id, "rung": "128k"},
        )
        r.raise_for_status()
        open_[session] = r.json()
    begun = time.monotonic()
    deadline = begun + 60
    while open_:
        assert time.monotonic() < deadline, f"plays never counted: {sorted(open_)}"
        time.sleep(1.1)
        for session, started in list(open_.items()):
            r = browser.post(
                "/api/plays",
                json={
                    "event": "progress",
                    "session": session,
                    "token": started["token"],
                    "played_ms": round((time.monotonic() - begun) * 1000),
                    "position_ms": 0,
                    "rung": "128k",
                },
            )
            if r.status_code == 200 and r.json()["counted"]:
                del open_[session]


@pytest.fixture
def osonic(sonic: Sonic) -> Iterator[libopensonic.Connection]:
    conn = sonic.opensonic()
    try:
        yield conn
    finally:
        conn.cleanup()


@pytest.fixture
def bea_osonic(sonic: Sonic) -> Iterator[libopensonic.Connection]:
    conn = sonic.opensonic(sonic.bea)
    try:
        yield conn
    finally:
        conn.cleanup()


def xml_root(sonic: Sonic, method: str, account: Account | None = None, **extra: Any) -> ET.Element:
    root = ET.fromstring(sonic.xml(method, account, **extra))  # noqa: S314 (our own server)
    assert root.attrib["status"] == "ok", ET.tostring(root)
    return root


def code_of(sonic: Sonic, method: str, account: Account | None = None, **extra: Any) -> int:
    body = sonic.call(method, account, **extra)
    assert body["status"] == "failed", body
    return int(body["error"]["code"])


def artist_ids(sonic: Sonic, account: Account | None = None) -> dict[str, str]:
    body = sonic.ok("getArtists", account)
    return {a["name"]: a["id"] for i in body["artists"]["index"] for a in i["artist"]}


def album_ids(sonic: Sonic, account: Account | None = None) -> dict[str, str]:
    out: dict[str, str] = {}
    for artist in artist_ids(sonic, account).values():
        for album in sonic.ok("getArtist", account, id=artist)["artist"].get("album", []):
            out[album["name"]] = album["id"]
    return out


# ---- the folder, the indexes, directories ---------------------------------------------


def test_one_music_folder(sonic: Sonic) -> None:
    folders = sonic.pysonic().getMusicFolders()["musicFolders"]["musicFolder"]
    assert folders == [{"id": 1, "name": "Music"}]
    # py-opensonic 10.4's get_music_folders() walks the ``musicFolders`` object itself
    # instead of its ``musicFolder`` list (it fails on every server that follows the
    # spec), so its own model reads the entries here.
    (folder,) = [MusicFolder.from_dict(f) for f in folders]
    assert (folder.id, folder.name) == (1, "Music")
    root = xml_root(sonic, "getMusicFolders")
    (folder,) = root.iter(f"{NS}musicFolder")
    assert folder.attrib == {"id": "1", "name": "Music"}


def test_indexes_and_directories_walk_down_to_songs(
    sonic: Sonic, osonic: libopensonic.Connection
) -> None:
    indexes = osonic.get_indexes()
    assert indexes.ignored_articles == "The"
    assert indexes.last_modified > 0
    letters = {i.name: [a.name for a in i.artist or []] for i in indexes.index or []}
    assert letters == {"A": ["Ana Ray"], "B": ["Bo Tide"]}
    ana = indexes.index[0].artist[0]  # type: ignore[index]
    artist_dir = osonic.get_music_directory(ana.id)
    assert artist_dir.name == "Ana Ray"
    assert artist_dir.parent == "1"
    (album,) = artist_dir.child or []
    assert album.is_dir is True and album.title == "First Light"
    album_dir = osonic.get_music_directory(album.id)
    assert album_dir.parent == ana.id
    assert [c.title for c in album_dir.child or []] == FIRST_LIGHT
    assert [c.is_dir for c in album_dir.child or []] == [False] * 3
    assert [c.id for c in album_dir.child or []] == [sonic.tracks[t] for t in FIRST_LIGHT]

    # py-sonic sees the same tree.
    py = sonic.pysonic()
    found = py.getIndexes()["indexes"]
    assert [i["name"] for i in found["index"]] == ["A", "B"]
    songs = py.getMusicDirectory(album.id)["directory"]["child"]
    assert [s["title"] for s in songs] == FIRST_LIGHT
    assert [s["track"] for s in songs] == [1, 2, 3]


def test_the_music_folder_and_a_song_are_not_directories(sonic: Sonic) -> None:
    assert code_of(sonic, "getMusicDirectory", id="1") == 70
    assert code_of(sonic, "getMusicDirectory", id=sonic.tracks["Dawn"]) == 70
    assert code_of(sonic, "getMusicDirectory") == 10
    with pytest.raises(DataNotFoundError):
        sonic.pysonic().getMusicDirectory("ar-nothinghere")


def test_bea_sees_her_own_album_and_the_public_one(sonic: Sonic) -> None:
    bo = artist_ids(sonic, sonic.bea)["Bo Tide"]
    albums = sonic.ok("getMusicDirectory", sonic.bea, id=bo)["directory"]["child"]
    assert [a["title"] for a in albums] == ["Hidden"]
    admin_albums = sonic.ok("getMusicDirectory", id=bo)["directory"]["child"]
    assert [a["title"] for a in admin_albums] == ["Harbour", "Hidden"]


# ---- genres -------------------------------------------------------------------------------


def test_genres_count_songs_and_albums_per_viewer(
    sonic: Sonic, osonic: libopensonic.Connection, bea_osonic: libopensonic.Connection
) -> None:
    admin = {g.value: (g.song_count, g.album_count) for g in osonic.get_genres()}
    assert admin == {"Ambient": (3, 1), "Jazz": (2, 2)}
    bea = {g.value: (g.song_count, g.album_count) for g in bea_osonic.get_genres()}
    assert bea == {"Ambient": (3, 1), "Jazz": (1, 1)}
    py = sonic.pysonic().getGenres()["genres"]["genre"]
    assert {g["value"]: g["songCount"] for g in py} == {"Ambient": 3, "Jazz": 2}
    xml = xml_root(sonic, "getGenres")
    assert {g.text: int(g.attrib["albumCount"]) for g in xml.iter(f"{NS}genre")} == {
        "Ambient": 1,
        "Jazz": 2,
    }


# ---- ID3: artists, albums, songs ----------------------------------------------------------


def test_artists_albums_and_songs_round_trip(sonic: Sonic, osonic: libopensonic.Connection) -> None:
    artists = osonic.get_artists()
    assert artists.ignored_articles == "The"
    named = {a.name: a for i in artists.index or [] for a in i.artist or []}
    assert sorted(named) == ["Ana Ray", "Bo Tide"]
    assert named["Ana Ray"].album_count == 1
    assert named["Bo Tide"].album_count == 2
    ana = osonic.get_artist(named["Ana Ray"].id)
    assert ana.name == "Ana Ray"
    (album_ref,) = ana.album or []
    assert (album_ref.name, album_ref.year, album_ref.song_count) == ("First Light", 2021, 3)
    album = osonic.get_album(album_ref.id)
    assert album.id == album_ref.id
    assert album.artist_id == ana.id
    assert [s.title for s in album.song or []] == FIRST_LIGHT
    assert [s.track for s in album.song or []] == [1, 2, 3]
    assert album.song_count == 3
    assert album.duration == sum(s.duration or 0 for s in album.song or [])
    song = osonic.get_song(sonic.tracks["Noon"])
    assert (song.title, song.album, song.artist) == ("Noon", "First Light", "Ana Ray")
    assert song.album_id == album.id and song.artist_id == ana.id
    assert song.genre == "Ambient" and song.year == 2021

    bo = osonic.get_artist(named["Bo Tide"].id)
    assert [a.name for a in bo.album or []] == ["Harbour", "Hidden"]  # by year


def test_py_sonic_reads_the_same_artists_albums_and_songs(sonic: Sonic) -> None:
    py = sonic.pysonic()
    index = py.getArtists()["artists"]["index"]
    names = [a["name"] for i in index for a in i["artist"]]
    assert names == ["Ana Ray", "Bo Tide"]
    ana = py.getArtist(index[0]["artist"][0]["id"])["artist"]
    album = py.getAlbum(ana["album"][0]["id"])["album"]
    assert [s["title"] for s in album["song"]] == FIRST_LIGHT
    assert album["songCount"] == 3
    song = py.getSong(album["song"][0]["id"])["song"]
    assert song["title"] == "Dawn" and song["albumId"] == album["id"]


def test_xml_says_what_json_says(sonic: Sonic) -> None:
    artists = artist_ids(sonic)
    xml = xml_root(sonic, "getArtists")
    assert {a.attrib["name"]: a.attrib["id"] for a in xml.iter(f"{NS}artist")} == artists
    albums = album_ids(sonic)
    json_album = sonic.ok("getAlbum", id=albums["First Light"])["album"]
    (xml_album,) = xml_root(sonic, "getAlbum", id=albums["First Light"]).iter(f"{NS}album")
    for key in ("id", "name", "artist", "artistId", "songCount", "duration", "year"):
        assert xml_album.attrib[key] == str(json_album[key]), key
    xml_songs = list(xml_album.iter(f"{NS}song"))
    assert [s.attrib["title"] for s in xml_songs] == [s["title"] for s in json_album["song"]]
    assert [s.attrib["id"] for s in xml_songs] == [s["id"] for s in json_album["song"]]
    json_song = sonic.ok("getSong", id=sonic.tracks["Dusk"])["song"]
    (xml_song,) = xml_root(sonic, "getSong", id=sonic.tracks["Dusk"]).iter(f"{NS}song")
    for key in ("id", "title", "album", "artist", "track", "duration", "suffix", "albumId"):
        assert xml_song.attrib[key] == str(json_song[key]), key
    assert xml_song.attrib["isDir"] == "false"


def _scalar(value: object) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def same(json: dict[str, Any], element: ET.Element, path: str) -> None:
    """``element`` holds exactly what ``json`` holds, by the wire format's rules: scalars
    are attributes, objects child elements, arrays repeated elements, ``value`` text."""
    attributes = {}
    for key, value in json.items():
        where = f"{path}.{key}"
        if key == "value" and not isinstance(value, dict | list):
            assert (element.text or "") == _scalar(value), where
        elif isinstance(value, dict):
            (child,) = element.findall(NS + key)
            same(value, child, where)
        elif isinstance(value, list):
            children = element.findall(NS + key)
            assert len(children) == len(value), where
            for n, (item, child) in enumerate(zip(value, children, strict=True)):
                if isinstance(item, dict):
                    same(item, child, f"{where}[{n}]")
                else:
                    assert child.text == _scalar(item), f"{where}[{n}]"
        else:
            attributes[key] = _scalar(value)
    assert dict(element.attrib) == attributes, path
    named = {k for k, v in json.items() if isinstance(v, dict | list)}
    assert {child.tag.removeprefix(NS) for child in element} <= named, path


def test_every_method_says_the_same_in_xml_and_json(sonic: Sonic) -> None:
    artists = artist_ids(sonic)
    albums = album_ids(sonic)
    calls: list[tuple[str, dict[str, Any]]] = [
        ("getMusicFolders", {}),
        ("getIndexes", {}),
        ("getMusicDirectory", {"id": artists["Bo Tide"]}),
        ("getMusicDirectory", {"id": albums["First Light"]}),
        ("getGenres", {}),
        ("getArtists", {}),
        ("getArtist", {"id": artists["Ana Ray"]}),
        ("getAlbum", {"id": albums["First Light"]}),
        ("getSong", {"id": sonic.tracks["Noon"]}),
        ("getArtistInfo2", {"id": artists["Ana Ray"]}),
        ("getAlbumInfo2", {"id": albums["Harbour"]}),
        ("getSimilarSongs2", {"id": sonic.tracks["Dawn"], "count": 3}),
        ("getTopSongs", {"artist": "Ana Ray"}),
        ("getLyrics", {"artist": "Ana Ray", "title": "Noon"}),
        ("getLyricsBySongId", {"id": sonic.tracks["Noon"]}),
        ("getArtist", {"id": "ar-0000000000000000"}),  # an error too
    ]
    for method, params in calls:
        body = sonic.call(method, **params)
        root = ET.fromstring(sonic.xml(method, **params))  # noqa: S314 (our own server)
        assert root.tag == f"{NS}subsonic-response"
        same(body, root, method)


def test_bea_never_lists_the_unlisted_track_but_may_open_it(
    sonic: Sonic, bea_osonic: libopensonic.Connection
) -> None:
    named = {a.name: a for i in bea_osonic.get_artists().index or [] for a in i.artist or []}
    assert named["Bo Tide"].album_count == 1
    bo = bea_osonic.get_artist(named["Bo Tide"].id)
    assert [a.name for a in bo.album or []] == ["Hidden"]
    hidden = bea_osonic.get_album((bo.album or [])[0].id)
    assert [s.title for s in hidden.song or []] == ["Secret Song"]
    # Unlisted: not listed, but the link (the id) works, as on the page.
    harbour = bea_osonic.get_song(sonic.tracks["Harbour Lights"])
    assert harbour.title == "Harbour Lights"
    harbour_album = album_ids(sonic)["Harbour"]
    with pytest.raises(OpenNotFound):
        bea_osonic.get_album(harbour_album)
    assert code_of(sonic, "getMusicDirectory", sonic.bea, id=harbour_album) == 70


def test_the_admin_sees_beas_private_song_as_the_page_shows_it(sonic: Sonic) -> None:
    secret = sonic.tracks["Secret Song"]
    page = sonic.admin.browser.get("/api/tracks", params={"limit": 50}).json()
    assert secret in [t["id"] for t in page["items"]]  # the page lists it to an admin
    assert sonic.ok("getSong", id=secret)["song"]["title"] == "Secret Song"
    hidden = album_ids(sonic)["Hidden"]
    songs = sonic.ok("getAlbum", id=hidden)["album"]["song"]
    assert [s["title"] for s in songs] == ["Secret Song"]


def test_another_member_never_reaches_beas_private_song(sonic: Sonic, cy: Account) -> None:
    secret = sonic.tracks["Secret Song"]
    hidden = album_ids(sonic)["Hidden"]
    for method, params in [
        ("getSong", {"id": secret}),
        ("getLyricsBySongId", {"id": secret}),
        ("getSimilarSongs2", {"id": secret}),
        ("getAlbum", {"id": hidden}),
        ("getMusicDirectory", {"id": hidden}),
        ("getAlbumInfo2", {"id": hidden}),
        ("getSimilarSongs2", {"id": hidden}),
    ]:
        assert code_of(sonic, method, cy, **params) == 70, method
    # Cy lists only the public album: Bo Tide has nothing Cy may see.
    assert list(artist_ids(sonic, cy)) == ["Ana Ray"]
    seen = [
        sonic.ok("getIndexes", cy),
        sonic.ok("getGenres", cy),
        sonic.ok("getTopSongs", cy, artist="Bo Tide"),
        sonic.ok("getSimilarSongs2", cy, id=sonic.tracks["Dawn"]),
        sonic.ok("getArtistInfo2", cy, id=artist_ids(sonic)["Ana Ray"]),
        sonic.ok("getLyrics", cy, title="Secret Song"),
    ]
    text = str(seen)
    assert "Secret Song" not in text and secret not in text and "Hidden" not in text
    assert "Harbour" not in text and "Bo Tide" not in text
    assert code_of(sonic, "getArtist", cy, id=artist_ids(sonic)["Bo Tide"]) == 70


@pytest.mark.parametrize(
    ("method", "params", "code"),
    [
        ("getArtist", {}, 10),
        ("getAlbum", {}, 10),
        ("getSong", {}, 10),
        ("getArtist", {"id": "ar-0000000000000000"}, 70),
        ("getAlbum", {"id": "al-0000000000000000"}, 70),
        ("getSong", {"id": "0000000000000000"}, 70),
        ("getArtistInfo2", {}, 10),
        ("getArtistInfo2", {"id": "ar-0000000000000000"}, 70),
        ("getAlbumInfo2", {"id": "al-0000000000000000"}, 70),
        ("getSimilarSongs2", {}, 10),
        ("getSimilarSongs2", {"id": "pl-00000000"}, 70),
        ("getTopSongs", {}, 10),
        ("getLyricsBySongId", {}, 10),
        ("getLyricsBySongId", {"id": "al-1234"}, 70),
        ("getSong", {"id": "../../etc/passwd"}, 70),
        ("getArtist", {"id": "x" * 500}, 70),
    ],
)
def test_missing_and_unknown_ids(
    sonic: Sonic, method: str, params: dict[str, str], code: int
) -> None:
    assert code_of(sonic, method, **params) == code


def test_an_id_of_the_wrong_kind_is_not_found(sonic: Sonic) -> None:
    albums = album_ids(sonic)
    artists = artist_ids(sonic)
    assert code_of(sonic, "getArtist", id=albums["First Light"]) == 70
    assert code_of(sonic, "getAlbum", id=artists["Ana Ray"]) == 70
    assert code_of(sonic, "getSong", id=albums["First Light"]) == 70
    assert code_of(sonic, "getAlbum", id=sonic.tracks["Dawn"]) == 70
    with pytest.raises(DataNotFoundError):
        sonic.pysonic().getAlbum(artists["Ana Ray"])
    with pytest.raises(ParameterError):
        sonic.pysonic().getTopSongs("")


# ---- info, similar, top, lyrics -------------------------------------------------------------


def test_artist_info_names_similar_artists_by_sound(
    sonic: Sonic, osonic: libopensonic.Connection
) -> None:
    artists = artist_ids(sonic)
    info = osonic.get_artist_info2(artists["Ana Ray"], count=5)
    assert [a.name for a in info.similar_artist or []] == ["Bo Tide"]
    assert (info.similar_artist or [])[0].id == artists["Bo Tide"]
    none = osonic.get_artist_info2(artists["Ana Ray"], count=0)
    assert not none.similar_artist
    py = sonic.pysonic().getArtistInfo2(artists["Bo Tide"])["artistInfo2"]
    assert [a["name"] for a in py["similarArtist"]] == ["Ana Ray"]
    album = album_ids(sonic)["First Light"]
    assert osonic.get_album_info2(album).notes is None
    assert sonic.pysonic().getAlbumInfo2(album)["albumInfo"] == {}


def test_similar_songs_by_sound_from_a_song_an_album_or_an_artist(
    sonic: Sonic, osonic: libopensonic.Connection
) -> None:
    dawn = sonic.tracks["Dawn"]
    songs = osonic.get_similar_songs2(dawn, count=10)
    titles = [s.title for s in songs]
    assert "Dawn" not in titles
    assert sorted(titles) == ["Dusk", "Harbour Lights", "Noon", "Secret Song"]
    assert [s.title for s in osonic.get_similar_songs2(dawn, count=2)] == titles[:2]
    # The page's "similar" API gives the same order (one state, every client).
    page = sonic.admin.browser.get(f"/api/tracks/{dawn}/similar", params={"limit": 10}).json()
    assert [t["title"] for t in page["tracks"]] == titles
    album = album_ids(sonic)["First Light"]
    from_album = [s.title for s in osonic.get_similar_songs2(album)]
    assert sorted(from_album) == ["Harbour Lights", "Secret Song"]
    artist = artist_ids(sonic)["Bo Tide"]
    from_artist = sonic.pysonic().getSimilarSongs2(artist)["similarSongs2"]["song"]
    assert sorted(s["title"] for s in from_artist) == sorted(FIRST_LIGHT)


def test_similar_songs_for_bea_leave_the_unlisted_song_out(sonic: Sonic) -> None:
    songs = sonic.ok("getSimilarSongs2", sonic.bea, id=sonic.tracks["Dawn"], count=10)
    titles = sorted(s["title"] for s in songs["similarSongs2"]["song"])
    assert titles == ["Dusk", "Noon", "Secret Song"]


def test_top_songs_follow_the_plays(sonic: Sonic, osonic: libopensonic.Connection) -> None:
    play(sonic, [sonic.tracks["Dusk"], sonic.tracks["Dusk"], sonic.tracks["Noon"]])
    top = [s.title for s in osonic.get_top_songs("Ana Ray", count=10)]
    assert top == ["Dusk", "Noon", "Dawn"]
    assert [s.title for s in osonic.get_top_songs("ana ray", count=1)] == ["Dusk"]
    assert osonic.get_top_songs("Nobody At All") == []
    py = sonic.pysonic().getTopSongs("Bo Tide")["topSongs"]["song"]
    assert sorted(s["title"] for s in py) == ["Harbour Lights", "Secret Song"]
    bea = sonic.ok("getTopSongs", sonic.bea, artist="Bo Tide")["topSongs"]["song"]
    assert [s["title"] for s in bea] == ["Secret Song"]


def test_lyrics_by_artist_and_title_and_by_song(
    sonic: Sonic, osonic: libopensonic.Connection
) -> None:
    words = osonic.get_lyrics(artist="Ana Ray", title="Noon")
    assert words.value == "first line of noon\nsecond line of noon"
    assert (words.artist, words.title) == ("Ana Ray", "Noon")
    py = sonic.pysonic().getLyrics(artist="ana ray", title="noon")["lyrics"]
    assert py["value"] == words.value
    assert osonic.get_lyrics(artist="Ana Ray", title="Dawn").value == ""
    xml = xml_root(sonic, "getLyrics", artist="Ana Ray", title="Noon")
    (element,) = xml.iter(f"{NS}lyrics")
    assert element.text == words.value

    (found,) = osonic.get_lyrics_by_song_id(sonic.tracks["Noon"])
    assert found.synced is True
    assert found.lang == "xxx"
    assert (found.display_artist, found.display_title) == ("Ana Ray", "Noon")
    assert [(line.start, line.value) for line in found.line] == [
        (1000, "first line of noon"),
        (4500, "second line of noon"),
    ]
    assert osonic.get_lyrics_by_song_id(sonic.tracks["Dawn"]) == []
    xml = xml_root(sonic, "getLyricsBySongId", id=sonic.tracks["Noon"])
    lines = list(xml.iter(f"{NS}line"))
    assert [(int(x.attrib["start"]), x.text) for x in lines] == [
        (1000, "first line of noon"),
        (4500, "second line of noon"),
    ]


def test_counts_are_clamped(sonic: Sonic) -> None:
    dawn = sonic.tracks["Dawn"]
    huge = sonic.ok("getSimilarSongs2", id=dawn, count=10**9)["similarSongs2"]["song"]
    assert len(huge) == 4
    none = sonic.ok("getSimilarSongs2", id=dawn, count=-5)["similarSongs2"]
    assert none.get("song", []) == []
    assert code_of(sonic, "getTopSongs", artist="Ana Ray", count="many") == 10
