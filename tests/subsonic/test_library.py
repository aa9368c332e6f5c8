"""Playlists, bookmarks, the play queue, shares and users through real clients
(py-opensonic and py-sonic) against a real server; each test undoes what it changed.

Both clients spell ``updateShare``'s ``expires`` as a variable, not the parameter's
name (py-opensonic then fails before sending anything), so ``updateShare`` goes
through py-sonic without an expiry, and an expiry change as plain HTTP.
"""

from __future__ import annotations

import io
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from xml.etree import ElementTree as ET

import httpx
import pytest
from PIL import Image

from tests.fixtures.audio import decoded_duration
from tests.listening.streams import HttpStream
from tests.subsonic.conftest import Sonic

NS = "{http://subsonic.org/restapi}"


def _code(body: dict[str, Any]) -> int:
    assert body["status"] == "failed", body
    return int(body["error"]["code"])


@contextmanager
def _private(sonic: Sonic, title: str, was: str) -> Iterator[str]:
    """The admin's track ``title`` made private for a while (bea may not see it)."""
    track = sonic.tracks[title]
    sonic.admin.browser.patch(
        f"/api/tracks/{track}", json={"visibility": "private"}
    ).raise_for_status()
    try:
        yield track
    finally:
        sonic.admin.browser.patch(
            f"/api/tracks/{track}", json={"visibility": was}
        ).raise_for_status()


def _titles(entries: list[Any] | None) -> list[str]:
    return [e.title for e in entries or []]


# ---- playlists -------------------------------------------------------------------------


def test_playlists_with_py_opensonic(sonic: Sonic) -> None:
    t = sonic.tracks
    conn = sonic.opensonic()
    pid = None
    try:
        assert conn.create_playlist(name="Morning", song_ids=[t["Dawn"], t["Noon"]]) is True
        listed = [p for p in conn.get_playlists() if p.name == "Morning"]
        assert len(listed) == 1
        pid = listed[0].id
        assert pid.startswith("pl-")
        assert listed[0].song_count == 2 and listed[0].owner == "admin"
        assert listed[0].public is False and listed[0].readonly is False
        playlist = conn.get_playlist(pid)
        assert _titles(playlist.entry) == ["Dawn", "Noon"]
        assert playlist.duration == sum(e.duration for e in playlist.entry or [])
        assert conn.update_playlist(
            pid,
            name="Morning light",
            comment="before work",
            song_ids_to_add=[t["Dusk"]],
            song_indices_to_remove=[0],
        )
        playlist = conn.get_playlist(pid)
        assert playlist.name == "Morning light" and playlist.comment == "before work"
        assert _titles(playlist.entry) == ["Noon", "Dusk"]
        assert sonic.ok("updatePlaylist", playlistId=pid, public="true")
        assert conn.get_playlist(pid).public is True
        # createPlaylist with an id replaces the songs.
        assert conn.create_playlist(playlist_id=pid, song_ids=[t["Harbour Lights"]])
        assert _titles(conn.get_playlist(pid).entry) == ["Harbour Lights"]
        # The page sees the same playlist.
        page = sonic.admin.browser.get(f"/api/playlists/{pid[3:]}").json()
        assert page["name"] == "Morning light" and page["visibility"] == "public"
        assert conn.delete_playlist(pid) is True
        pid = None
    finally:
        if pid is not None:
            conn.delete_playlist(pid)
        conn.cleanup()


def test_playlists_with_py_sonic(sonic: Sonic) -> None:
    t = sonic.tracks
    conn = sonic.pysonic()
    made = conn.createPlaylist(name="Evening", songIds=[t["Dusk"], t["Harbour Lights"]])
    pid = made["playlist"]["id"]
    try:
        listed = conn.getPlaylists()["playlists"]["playlist"]
        assert pid in [p["id"] for p in listed]
        entries = conn.getPlaylist(pid)["playlist"]["entry"]
        assert [e["title"] for e in entries] == ["Dusk", "Harbour Lights"]
        conn.updatePlaylist(pid, name="Late", songIdsToAdd=[t["Dawn"]], songIndexesToRemove=[1])
        playlist = conn.getPlaylist(pid)["playlist"]
        assert playlist["name"] == "Late"
        assert [e["title"] for e in playlist["entry"]] == ["Dusk", "Dawn"]
        # Admins may list another person's playlists; bea has none.
        assert conn.getPlaylists(username="bea")["playlists"].get("playlist", []) == []
    finally:
        conn.deletePlaylist(pid)
    assert _code(sonic.call("getPlaylist", id=pid)) == 70


def test_another_member_cannot_read_or_change_a_playlist(sonic: Sonic) -> None:
    made = sonic.ok("createPlaylist", name="Mine", songId=sonic.tracks["Dawn"])
    pid = made["playlist"]["id"]
    bea = sonic.bea
    try:
        # Private: it does not exist for bea.
        assert pid not in [
            p["id"] for p in sonic.ok("getPlaylists", bea)["playlists"].get("playlist", [])
        ]
        assert _code(sonic.call("getPlaylist", bea, id=pid)) == 70
        assert _code(sonic.call("deletePlaylist", bea, id=pid)) == 70
        assert _code(sonic.call("updatePlaylist", bea, playlistId=pid, name="x")) == 70
        # Public: she reads it, read-only, and still may not change or delete it.
        sonic.ok("updatePlaylist", playlistId=pid, public="true")
        seen = sonic.ok("getPlaylist", bea, id=pid)["playlist"]
        assert seen["readonly"] is True and seen["owner"] == "admin"
        assert _code(sonic.call("updatePlaylist", bea, playlistId=pid, name="x")) == 50
        assert _code(sonic.call("createPlaylist", bea, playlistId=pid, songId="x")) == 50
        assert _code(sonic.call("deletePlaylist", bea, id=pid)) == 50
        assert _code(sonic.call("getPlaylists", bea, username="admin")) == 50
        # A song she may not see cannot go into her own playlist.
        with _private(sonic, "Harbour Lights", "unlisted") as hidden:
            assert _code(sonic.call("createPlaylist", bea, name="Hers", songId=hidden)) == 70
    finally:
        sonic.ok("deletePlaylist", id=pid)
    assert "Hers" not in [
        p["name"] for p in sonic.ok("getPlaylists", bea)["playlists"].get("playlist", [])
    ]


def test_a_smart_playlist_is_read_only_here(sonic: Sonic) -> None:
    made = sonic.admin.browser.post(
        "/api/playlists",
        json={
            "name": "Ambient",
            "rules": {"rules": [{"field": "genre", "op": "is", "value": "Ambient"}]},
        },
    )
    made.raise_for_status()
    pid = "pl-" + made.json()["id"]
    try:
        playlist = sonic.ok("getPlaylist", id=pid)["playlist"]
        assert playlist["readonly"] is True
        assert sorted(e["title"] for e in playlist["entry"]) == ["Dawn", "Dusk", "Noon"]
        assert _code(sonic.call("updatePlaylist", playlistId=pid, name="x")) == 50
        assert (
            _code(sonic.call("createPlaylist", playlistId=pid, songId=sonic.tracks["Dawn"])) == 50
        )
    finally:
        sonic.ok("deletePlaylist", id=pid)


# ---- bookmarks -------------------------------------------------------------------------


def test_bookmarks_with_both_clients(sonic: Sonic) -> None:
    t = sonic.tracks
    conn = sonic.opensonic()
    try:
        assert conn.create_bookmark(t["Dawn"], 1500, "half way") is True
        marks = conn.get_bookmarks()
        assert [(b.entry.id, b.position, b.comment, b.username) for b in marks] == [
            (t["Dawn"], 1500, "half way", "admin")
        ]
        assert conn.create_bookmark(t["Dawn"], 2500) is True  # moves it
        assert [b.position for b in conn.get_bookmarks()] == [2500]
    finally:
        conn.cleanup()
    py = sonic.pysonic()
    py.createBookmark(t["Noon"], 700, comment="noon")
    marks = py.getBookmarks()["bookmarks"]["bookmark"]
    assert {(b["entry"]["title"], b["position"]) for b in marks} == {("Dawn", 2500), ("Noon", 700)}
    # bea sees none of them and cannot delete them.
    assert sonic.ok("getBookmarks", sonic.bea)["bookmarks"].get("bookmark", []) == []
    assert _code(sonic.call("deleteBookmark", sonic.bea, id=t["Dawn"])) == 70
    with _private(sonic, "Harbour Lights", "unlisted") as hidden:
        assert _code(sonic.call("createBookmark", sonic.bea, id=hidden, position=5)) == 70
    py.deleteBookmark(t["Dawn"])
    py.deleteBookmark(t["Noon"])
    assert sonic.ok("getBookmarks")["bookmarks"].get("bookmark", []) == []


# ---- the play queue --------------------------------------------------------------------


@pytest.fixture
def kept_queue(sonic: Sonic) -> Iterator[dict[str, Any]]:
    """The admin's queue as the page has it; put back afterwards."""
    before = sonic.admin.browser.get("/api/queue").json()
    yield before
    sonic.admin.browser.put(
        "/api/queue",
        json={
            "track_ids": before["track_ids"],
            "current_index": before["current_index"],
            "position_s": before["position_s"],
            "repeat": before["repeat"],
        },
    ).raise_for_status()


def test_a_queue_saved_by_an_app_is_the_page_queue(
    sonic: Sonic, kept_queue: dict[str, Any]
) -> None:
    t = sonic.tracks
    ids = [t["Dawn"], t["Noon"], t["Dusk"]]
    events = HttpStream(sonic.url, {"Authorization": f"Bearer {sonic.admin.api_key}"})
    conn = sonic.opensonic()
    try:
        assert conn.save_play_queue(ids, current=t["Noon"], position=2500) is True
        page = sonic.admin.browser.get("/api/queue").json()
        assert page["track_ids"] == ids
        assert page["current_index"] == 1 and page["position_s"] == 2.5
        assert page["device"] == "py-opensonic"
        assert page["version"] > kept_queue["version"]
        # An open page hears of it as of a save from another page.
        events.wait_for(("queue", {"version": page["version"], "device": "py-opensonic"}))
        queue = conn.get_play_queue()
        assert [e.id for e in queue.entry or []] == ids
        assert (queue.current, queue.position, queue.changed_by) == (
            t["Noon"],
            2500,
            "py-opensonic",
        )
        assert queue.username == "admin"
        assert conn.save_play_queue_by_index(ids[::-1], current_index=2, position=100) is True
        by_index = conn.get_play_queue_by_index()
        assert [e.id for e in by_index.entry or []] == ids[::-1]
        assert (by_index.current_index, by_index.position) == (2, 100)
        assert sonic.admin.browser.get("/api/queue").json()["current_index"] == 2
    finally:
        conn.cleanup()
    py = sonic.pysonic()
    py.savePlayQueue([t["Harbour Lights"], t["Dawn"]], current=t["Dawn"], position=900)
    queue = py.getPlayQueue()["playQueue"]
    assert [e["title"] for e in queue["entry"]] == ["Harbour Lights", "Dawn"]
    assert (queue["current"], queue["position"], queue["changedBy"]) == (t["Dawn"], 900, "tests")
    page = sonic.admin.browser.get("/api/queue").json()
    assert (page["track_ids"], page["current_index"], page["position_s"]) == (
        [t["Harbour Lights"], t["Dawn"]],
        1,
        0.9,
    )
    # No ids: the queue is cleared, on the page too.
    sonic.ok("savePlayQueue")
    assert sonic.admin.browser.get("/api/queue").json()["track_ids"] == []
    assert _code(sonic.call("savePlayQueue", id=t["Dawn"], current=t["Noon"])) == 10
    assert _code(sonic.call("savePlayQueueByIndex", id=t["Dawn"], currentIndex=3)) == 10


def test_the_queue_is_each_person_own(sonic: Sonic, kept_queue: dict[str, Any]) -> None:
    sonic.ok("savePlayQueue", id=sonic.tracks["Dawn"])
    theirs = sonic.ok("getPlayQueue", sonic.bea)["playQueue"]
    assert sonic.tracks["Dawn"] not in [e["id"] for e in theirs.get("entry", [])]


# ---- shares ----------------------------------------------------------------------------


def _audio_links(html: str) -> list[str]:
    return [src.replace("&amp;", "&") for src in re.findall(r'<audio[^>]* src="([^"]+)"', html)]


def test_a_share_plays_for_anyone_until_it_is_deleted(sonic: Sonic) -> None:
    t = sonic.tracks
    conn = sonic.opensonic()
    shid = None
    try:
        share = conn.create_share(
            [t["Dawn"], t["Noon"]], description="for you", expires=time.time() + 3600
        )
        shid = share.id
        assert shid.startswith("sh-") and share.username == "admin"
        assert _titles(share.entry) == ["Dawn", "Noon"] and share.visit_count == 0
        # Opened with no account at all: a page of players whose audio plays.
        page = httpx.get(share.url, timeout=30)
        assert page.status_code == 200 and "for you" in page.text
        assert "<script" not in page.text
        links = _audio_links(page.text)
        assert len(links) == 2
        # Decoded to the end by ffmpeg, with no credentials: the whole track plays.
        assert [round(decoded_duration(sonic.url + link)) for link in links] == [6, 7]
        for link in links:
            audio = httpx.get(sonic.url + link, timeout=30)
            assert audio.status_code == 200 and audio.headers["content-type"] == "audio/mpeg"
            assert audio.content[:3] == b"ID3" or audio.content[0] == 0xFF
            ranged = httpx.get(sonic.url + link, headers={"Range": "bytes=0-9"}, timeout=30)
            assert ranged.status_code == 206 and ranged.content == audio.content[:10]
        # A changed link is no link.
        assert httpx.get(sonic.url + links[0][:-3] + "AAA", timeout=30).status_code == 404
        shares = conn.get_shares()
        assert [(s.id, s.visit_count) for s in shares] == [(shid, 1)]
        assert shares[0].last_visited is not None
        # py-opensonic's update_share cannot be sent (see the module's docstring).
        sonic.pysonic().updateShare(shid, description="for you two")
        assert [s.description for s in conn.get_shares()] == ["for you two"]
        # Only its owner sees or changes it.
        assert sonic.ok("getShares", sonic.bea)["shares"].get("share", []) == []
        assert _code(sonic.call("updateShare", sonic.bea, id=shid, description="x")) == 70
        assert _code(sonic.call("deleteShare", sonic.bea, id=shid)) == 70
        assert conn.delete_share(shid) is True
        shid = None
        assert httpx.get(share.url, timeout=30).status_code == 404
        assert httpx.get(sonic.url + links[0], timeout=30).status_code == 404
    finally:
        if shid is not None:
            conn.delete_share(shid)
        conn.cleanup()


def test_a_share_of_an_album_expires(sonic: Sonic) -> None:
    py = sonic.pysonic()
    # The album's id as the song names it.
    entry = sonic.ok("createPlaylist", name="probe", songId=sonic.tracks["Dawn"])["playlist"]
    sonic.ok("deletePlaylist", id=entry["id"])
    album_id = entry["entry"][0]["albumId"]
    made = py.createShare(shids=[album_id], description="the album")["shares"]["share"][0]
    try:
        assert [e["title"] for e in made["entry"]] == ["Dawn", "Noon", "Dusk"]
        assert httpx.get(made["url"], timeout=30).status_code == 200
        listed = py.getShares()["shares"]["share"]
        assert [s["visitCount"] for s in listed if s["id"] == made["id"]] == [1]
        soon = int((time.time() + 2) * 1000)
        sonic.ok("updateShare", id=made["id"], expires=soon)
        deadline = time.monotonic() + 30
        while httpx.get(made["url"], timeout=30).status_code != 404:
            assert time.monotonic() < deadline, "the share never expired"
            time.sleep(0.2)
        # A playlist is shared as its songs, in its order.
        t = sonic.tracks
        made_pl = sonic.ok("createPlaylist", name="pick", songId=[t["Noon"], t["Harbour Lights"]])
        pid = made_pl["playlist"]["id"]
        of_list = sonic.ok("createShare", id=pid)["shares"]["share"][0]
        sonic.ok("deletePlaylist", id=pid)
        sonic.ok("deleteShare", id=of_list["id"])
        assert [e["title"] for e in of_list["entry"]] == ["Noon", "Harbour Lights"]
        # A share cannot be made to expire in the past, nor of what one may not see.
        assert _code(sonic.call("createShare", id=sonic.tracks["Dawn"], expires=1000)) == 10
        with _private(sonic, "Harbour Lights", "unlisted") as hidden:
            assert _code(sonic.call("createShare", sonic.bea, id=hidden)) == 70
    finally:
        py.deleteShare(made["id"])
    assert sonic.ok("getShares")["shares"].get("share", []) == []


# ---- users -----------------------------------------------------------------------------


def test_users_with_both_clients(sonic: Sonic) -> None:
    conn = sonic.opensonic()
    try:
        me = conn.get_user("admin")
        assert me.username == "admin" and me.admin_role is True and me.folder == [1]
        assert (me.stream_role, me.share_role, me.cover_art_role, me.jukebox_role) == (
            True,
            True,
            False,
            False,
        )
        assert sorted(u.username for u in conn.get_users()) == ["admin", "bea"]
    finally:
        conn.cleanup()
    py = sonic.pysonic(sonic.bea)
    bea = py.getUser("bea")["user"]
    assert bea["adminRole"] is False and bea["scrobblingEnabled"] is True
    assert _code(sonic.call("getUser", sonic.bea, username="admin")) == 50
    assert _code(sonic.call("getUsers", sonic.bea)) == 50
    assert _code(sonic.call("getUser", username="nobody")) == 70
    first = py.getAvatar("admin").read()
    again = sonic.pysonic().getAvatar("admin").read()
    assert first == again and first[:8] == b"\x89PNG\r\n\x1a\n"
    assert Image.open(io.BytesIO(first)).size == (160, 160)
    assert py.getAvatar("bea").read() != first


def test_xml_and_json_agree(sonic: Sonic) -> None:
    body = sonic.ok("getUser", username="admin")["user"]
    root = ET.fromstring(sonic.xml("getUser", username="admin"))  # noqa: S314
    user = root.find(f"{NS}user")
    assert user is not None
    assert user.attrib == {
        k: str(v).lower() if isinstance(v, bool) else str(v)
        for k, v in body.items()
        if k != "folder"
    }
    assert [f.text for f in user.findall(f"{NS}folder")] == [str(f) for f in body["folder"]]


@pytest.mark.parametrize(
    ("method", "params"),
    [
        ("getPlaylist", {}),
        ("createPlaylist", {}),
        ("updatePlaylist", {"name": "x"}),
        ("deletePlaylist", {}),
        ("createBookmark", {"position": "1"}),
        ("createBookmark", {"id": "abc"}),
        ("deleteBookmark", {}),
        ("savePlayQueueByIndex", {"id": "abc"}),
        ("createShare", {}),
        ("updateShare", {}),
        ("deleteShare", {}),
        ("getUser", {}),
        ("getAvatar", {}),
    ],
)
def test_missing_parameters_are_10(sonic: Sonic, method: str, params: dict[str, str]) -> None:
    assert _code(sonic.call(method, **params)) == 10


@pytest.mark.parametrize(
    ("method", "params"),
    [
        ("getPlaylist", {"id": "pl-nothere"}),
        ("getPlaylist", {"id": "al-nothere"}),
        ("deletePlaylist", {"id": "pl-nothere"}),
        ("deleteBookmark", {"id": "nothere"}),
        ("createBookmark", {"id": "nothere", "position": "1"}),
        ("createShare", {"id": "nothere"}),
        ("createShare", {"id": "al-nothere"}),
        ("deleteShare", {"id": "sh-nothere"}),
        ("getAvatar", {"username": "nobody"}),
    ],
)
def test_unknown_ids_are_70(sonic: Sonic, method: str, params: dict[str, str]) -> None:
    assert _code(sonic.call(method, **params)) == 70


def test_a_playlist_reads_the_same_in_xml_and_json(sonic: Sonic) -> None:
    t = sonic.tracks
    made = sonic.ok("createPlaylist", name="Both", songId=[t["Dawn"], t["Dusk"]])
    pid = made["playlist"]["id"]
    try:
        body = sonic.ok("getPlaylist", id=pid)["playlist"]
        root = ET.fromstring(sonic.xml("getPlaylist", id=pid))  # noqa: S314
        playlist = root.find(f"{NS}playlist")
        assert playlist is not None
        assert playlist.attrib["name"] == body["name"] == "Both"
        assert playlist.attrib["songCount"] == str(body["songCount"]) == "2"
        assert playlist.attrib["public"] == "false" and body["public"] is False
        entries = playlist.findall(f"{NS}entry")
        assert [e.attrib["id"] for e in entries] == [e["id"] for e in body["entry"]]
        assert [e.attrib["title"] for e in entries] == ["Dawn", "Dusk"]
        assert [e.attrib["duration"] for e in entries] == [
            str(e["duration"]) for e in body["entry"]
        ]
    finally:
        sonic.ok("deletePlaylist", id=pid)
