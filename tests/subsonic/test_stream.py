"""stream, download, hls.m3u8 and getCoverArt against a real ``tonearm serve``.

One long FLAC (150 s, stereo, with a cover) uploaded to the shared ``sonic`` server:
its full ladder (64k, 128k, 256k AAC), the MP3 fallback and the original are what
the methods answer; results are decoded with ffmpeg and compared byte for byte with
the files the page's API serves.
"""

from __future__ import annotations

import asyncio
import io
import json
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx
import pytest
from mutagen.flac import FLAC, Picture
from PIL import Image

from tests.fixtures.audio import decoded_duration, image_bytes, make_audio
from tests.subsonic.conftest import Sonic

SECONDS = 150.0
SEGMENT_S = 6.0  # the server's default segment length
AAC_FRAME_S = 1024 / 44100
AAC_SLACK_S = 2 * AAC_FRAME_S
"""ffmpeg ignores the edit list of a fragmented MP4, so it also decodes the encoder's
priming frame (first packet at -0.023 s), and the last frame is padded: measured
150.024 s for 150 s. Players that honour the edit list skip the priming."""
MP3_FRAME_S = 1152 / 44100


@dataclass
class Long:
    id: str
    path: Path
    track: dict[str, Any]


@pytest.fixture(scope="module")
def long(sonic: Sonic, tmp_path_factory: pytest.TempPathFactory) -> Long:
    path = make_audio(
        tmp_path_factory.mktemp("long") / "long.flac",
        seconds=SECONDS,
        source="noise",
        extra=[
            *("-metadata", "title=Long Noise"),
            *("-metadata", "artist=Noise Maker"),
            *("-metadata", "album=Long Album"),
        ],
    )
    flac = FLAC(path)
    picture = Picture()
    picture.type, picture.mime = 3, "image/png"
    picture.data = image_bytes((800, 600), color="green")
    flac.add_picture(picture)
    flac.save()
    with path.open("rb") as fh:
        r = sonic.admin.browser.post("/api/tracks", files={"file": (path.name, fh)})
    r.raise_for_status()
    track_id = str(r.json()["id"])
    track = sonic.server.wait_ready(track_id, timeout=300)
    return Long(track_id, path, track)


def url(sonic: Sonic, method: str, **params: Any) -> str:
    return f"{sonic.url}/rest/{method}?{urlencode(sonic.params(**params))}"


def get(sonic: Sonic, method: str, headers: dict[str, str] | None = None, **params: Any) -> bytes:
    r = httpx.get(url(sonic, method, **params), headers=headers, timeout=120)
    assert r.status_code in (200, 206), r.text
    assert not r.headers["content-type"].startswith(("application/json", "application/xml")), r.text
    return r.content


def error(sonic: Sonic, method: str, **params: Any) -> dict[str, Any]:
    r = httpx.get(url(sonic, method, f="json", **params), timeout=60)
    assert r.status_code == 200
    body: dict[str, Any] = r.json()["subsonic-response"]
    assert body["status"] == "failed", body
    return dict(body["error"])


def page(sonic: Sonic, path: str) -> bytes:
    """A file as the page's API serves it (the admin's token)."""
    r = sonic.server.http.get(path)
    r.raise_for_status()
    return r.content


def joined_rung(sonic: Sonic, track_id: str, rung: str) -> tuple[bytes, list[int]]:
    """The rung's init section and segments as the page's player fetches them, joined,
    and where each segment starts in the joined bytes."""
    playlist = page(sonic, f"/api/tracks/{track_id}/hls/{rung}.m3u8").decode()
    init = playlist.split('#EXT-X-MAP:URI="', 1)[1].split('"', 1)[0]
    parts = [page(sonic, init)]
    parts += [page(sonic, line) for line in playlist.splitlines() if line.startswith("/s/")]
    starts, at = [], 0
    for part in parts:
        starts.append(at)
        at += len(part)
    return b"".join(parts), starts


def first_pts(path: Path) -> float:
    out = subprocess.run(
        [
            *("ffprobe", "-v", "error", "-select_streams", "a:0"),
            *("-show_entries", "packet=pts_time", "-read_intervals", "%+#1", "-of", "json"),
            str(path),
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return float(json.loads(out)["packets"][0]["pts_time"])


def codec(path: Path) -> str:
    out = subprocess.run(
        [
            *("ffprobe", "-v", "error", "-select_streams", "a:0"),
            *("-show_entries", "stream=codec_name", "-of", "csv=p=0", str(path)),
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return out.strip()


def save(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


# ---- stored renditions -----------------------------------------------------------------


def test_aac_stream_is_the_rung_joined_and_decodes_to_the_whole_track(
    sonic: Sonic, long: Long, tmp_path: Path
) -> None:
    r = httpx.get(url(sonic, "stream", id=long.id, maxBitRate=128), timeout=120)
    assert r.status_code == 200
    assert r.headers["content-type"] == "audio/mp4"
    assert r.headers["accept-ranges"] == "bytes"
    assert int(r.headers["content-length"]) == len(r.content)
    joined, _ = joined_rung(sonic, long.id, "128k")
    assert r.content == joined  # the stored 128k rung, not a re-encode
    # The whole track, from the URL as a player reads it, and from the bytes.
    full = decoded_duration(url(sonic, "stream", id=long.id, maxBitRate=128))
    assert abs(full - SECONDS) <= AAC_SLACK_S
    assert abs(decoded_duration(str(save(tmp_path, "a.mp4", r.content))) - SECONDS) <= AAC_SLACK_S
    # AAC without a ceiling: the top rung; a low one: the 64k rung.
    assert get(sonic, "stream", id=long.id, format="aac") == joined_rung(sonic, long.id, "256k")[0]
    assert (
        get(sonic, "stream", id=long.id, maxBitRate=96, format="aac")
        == (joined_rung(sonic, long.id, "64k")[0])
    )


def test_ranges_over_the_joined_file_are_byte_exact(sonic: Sonic, long: Long) -> None:
    address = url(sonic, "stream", id=long.id, maxBitRate=128)
    whole, starts = joined_rung(sonic, long.id, "128k")
    size = len(whole)
    boundary = starts[3]  # a range across the end of one stored segment and into the next
    ranges = {
        "bytes=0-99": (0, 99),
        "bytes=1000-5000": (1000, 5000),
        f"bytes={boundary - 10}-{boundary + 10}": (boundary - 10, boundary + 10),
        f"bytes={starts[1] - 1}-{starts[5]}": (starts[1] - 1, starts[5]),
        "bytes=-500": (size - 500, size - 1),
        f"bytes=-{size + 10}": (0, size - 1),
        f"bytes={size - 7}-": (size - 7, size - 1),
        f"bytes=12345-{size + 999}": (12345, size - 1),
    }
    for header, (first, last) in ranges.items():
        r = httpx.get(address, headers={"Range": header}, timeout=60)
        assert r.status_code == 206, header
        assert r.headers["content-range"] == f"bytes {first}-{last}/{size}", header
        assert r.content == whole[first : last + 1], header
    several = httpx.get(address, headers={"Range": "bytes=0-1,5-9"}, timeout=60)
    assert (several.status_code, several.content) == (200, whole)
    past = httpx.get(address, headers={"Range": f"bytes={size}-"}, timeout=60)
    assert past.status_code == 416
    head = httpx.head(address, timeout=60)
    assert (head.status_code, head.content) == (200, b"")
    assert int(head.headers["content-length"]) == size
    etag = head.headers["etag"]
    assert httpx.get(address, headers={"If-None-Match": etag}, timeout=60).status_code == 304


@pytest.mark.parametrize("name", ["timeOffset", "transcodeOffset"])
def test_time_offset_starts_at_the_segment_holding_it(
    sonic: Sonic, long: Long, tmp_path: Path, name: str
) -> None:
    body = get(sonic, "stream", id=long.id, maxBitRate=128, **{name: 60})
    path = save(tmp_path, "from60.mp4", body)
    start = first_pts(path)
    assert 60 - SEGMENT_S - AAC_FRAME_S <= start <= 60 + AAC_FRAME_S
    left = decoded_duration(str(path))
    assert abs(left - (SECONDS - start)) <= AAC_SLACK_S
    assert SECONDS - 60 - AAC_FRAME_S <= left <= SECONDS - 60 + SEGMENT_S + AAC_FRAME_S
    # Still a stored file: exact length, ranges.
    r = httpx.get(
        url(sonic, "stream", id=long.id, maxBitRate=128, **{name: 60}),
        headers={"Range": "bytes=-100"},
        timeout=60,
    )
    assert (r.status_code, r.content) == (206, body[-100:])


def test_mp3_is_the_stored_fallback_and_cuts_at_a_frame(
    sonic: Sonic, long: Long, tmp_path: Path
) -> None:
    stored = page(sonic, f"/api/tracks/{long.id}/stream.mp3")
    assert get(sonic, "stream", id=long.id, format="mp3") == stored
    cut = get(sonic, "stream", id=long.id, format="mp3", timeOffset=60)
    assert stored.endswith(cut)
    assert len(cut) < len(stored) * 0.65
    left = decoded_duration(str(save(tmp_path, "cut.mp3", cut)))
    # The cut is at the frame holding 60 s; without the Info header the decoder keeps
    # the encoder's delay and padding (about a frame each): measured 90.070 s.
    assert abs(left - (SECONDS - 60)) <= 3 * MP3_FRAME_S


def test_raw_and_download_are_the_original(sonic: Sonic, long: Long) -> None:
    original = long.path.read_bytes()
    assert get(sonic, "stream", id=long.id, format="raw") == original
    assert get(sonic, "stream", id=long.id, format="flac") == original  # its own format
    assert get(sonic, "stream", id=long.id) == original  # no preference, no ceiling
    r = httpx.get(url(sonic, "download", id=long.id), timeout=60)
    assert r.content == original
    assert r.headers["content-disposition"].startswith('attachment; filename="long.flac"')
    part = httpx.get(url(sonic, "download", id=long.id), headers={"Range": "bytes=-64"})
    assert (part.status_code, part.content) == (206, original[-64:])


# ---- transcodes --------------------------------------------------------------------------


def test_a_format_not_stored_is_transcoded(sonic: Sonic, long: Long, tmp_path: Path) -> None:
    r = httpx.get(url(sonic, "stream", id=long.id, format="opus", maxBitRate=96), timeout=120)
    assert r.status_code == 200
    assert r.headers["content-type"] == "audio/ogg"
    assert "content-length" not in r.headers
    head = httpx.head(url(sonic, "stream", id=long.id, format="opus"), timeout=60)
    assert (head.status_code, head.headers["content-type"], head.content) == (
        200,
        "audio/ogg",
        b"",
    )
    path = save(tmp_path, "t.opus", r.content)
    assert codec(path) == "opus"
    assert abs(decoded_duration(str(path)) - SECONDS) <= 0.05
    later = save(
        tmp_path, "t100.opus", get(sonic, "stream", id=long.id, format="opus", timeOffset=100)
    )
    assert abs(decoded_duration(str(later)) - (SECONDS - 100)) <= 0.05
    low = save(tmp_path, "low.mp3", get(sonic, "stream", id=long.id, format="mp3", maxBitRate=64))
    assert codec(low) == "mp3"
    assert len(low.read_bytes()) < SECONDS * 64 * 1000 / 8 * 1.05  # 64 kbps, not the stored 192


def hold(address: str) -> socket.socket:
    """A GET whose answer is read no further than its status line, on a socket with a
    small receive buffer (loopback autotuning would otherwise take in megabytes)."""
    parts = urlsplit(address)
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.settimeout(60)
    sock.connect((parts.hostname or "", parts.port or 80))
    target = f"{parts.path}?{parts.query}"
    sock.sendall(f"GET {target} HTTP/1.1\r\nHost: {parts.netloc}\r\n\r\n".encode())
    assert sock.recv(12) == b"HTTP/1.1 200"
    return sock


@pytest.fixture
def transcodes() -> Iterator[list[socket.socket]]:
    """Players that started a transcode and stopped reading it."""
    held: list[socket.socket] = []
    try:
        yield held
    finally:
        for sock in held:
            sock.close()


def test_transcodes_past_the_limit_get_an_error_not_a_wait(
    sonic: Sonic, long: Long, transcodes: list[socket.socket]
) -> None:
    limit = 2  # the server's default max_transcodes
    for _ in range(limit):
        # WAV: 26 MB, far more than the socket buffers hold, so ffmpeg stays busy.
        transcodes.append(hold(url(sonic, "stream", id=long.id, format="wav")))
    refused = error(sonic, "stream", id=long.id, format="ogg")
    assert refused["code"] == 0
    assert "transcoding 2 streams" in refused["message"]
    # Stored formats are never limited.
    assert get(sonic, "stream", id=long.id, format="mp3", timeOffset=140)
    for sock in transcodes:
        sock.close()
    transcodes.clear()
    # The slots come back when the players leave.
    deadline = time.monotonic() + 30
    while True:
        r = httpx.get(url(sonic, "stream", id=long.id, format="ogg", timeOffset=145), timeout=60)
        if r.headers["content-type"] == "audio/ogg":
            break
        assert time.monotonic() < deadline, r.text
        time.sleep(0.2)


# ---- HLS ----------------------------------------------------------------------------------


def test_hls_master_and_variants_play_without_other_credentials(sonic: Sonic, long: Long) -> None:
    master = get(sonic, "hls.m3u8", id=long.id).decode()
    variants = [line for line in master.splitlines() if line.startswith("hls.m3u8?")]
    assert [v.rsplit("bitRate=", 1)[1] for v in variants] == ["256", "128", "64"]
    # ffmpeg follows the master's links (credentials carried) and the signed segments.
    assert abs(decoded_duration(url(sonic, "hls.m3u8", id=long.id)) - SECONDS) <= AAC_SLACK_S
    variant = get(sonic, "hls.m3u8", id=long.id, bitRate=128).decode()
    assert "#EXT-X-ENDLIST" in variant
    segments = [line for line in variant.splitlines() if line.startswith("/s/")]
    joined, starts = joined_rung(sonic, long.id, "128k")
    assert len(segments) == len(starts) - 1
    # A segment link needs no credentials: apps fetch them bare.
    bare = httpx.get(sonic.url + segments[0], timeout=60)
    assert bare.status_code == 200
    assert bare.content == joined[starts[1] : starts[2]]
    assert "/128k/" in get(sonic, "hls.m3u8", id=long.id, bitRate=200).decode()
    assert "/64k/" in get(sonic, "hls.m3u8", id=long.id, bitRate=10).decode()


# ---- covers ------------------------------------------------------------------------------


def picture(data: bytes) -> tuple[str, tuple[int, int]]:
    image = Image.open(io.BytesIO(data))
    return str(image.format), image.size


def test_cover_art_of_a_track_album_and_artist(sonic: Sonic, long: Long) -> None:
    assert picture(get(sonic, "getCoverArt", id=f"tr-{long.id}")) == ("PNG", (800, 600))
    assert picture(get(sonic, "getCoverArt", id=long.id, size=100)) == ("WEBP", (128, 96))
    assert picture(get(sonic, "getCoverArt", id=f"tr-{long.id}", size=300)) == ("WEBP", (512, 384))
    assert picture(get(sonic, "getCoverArt", id=long.id, size=5000)) == ("WEBP", (512, 384))
    album, artist = long.track["album_id"], long.track["artist_id"]
    assert picture(get(sonic, "getCoverArt", id=f"al-{album}", size=128)) == ("WEBP", (128, 96))
    assert picture(get(sonic, "getCoverArt", id=f"ar-{artist}")) == ("PNG", (800, 600))


def test_cover_art_of_a_playlist_is_its_collage(sonic: Sonic, long: Long) -> None:
    browser = sonic.admin.browser
    made = browser.post("/api/playlists", json={"name": "With a cover"})
    made.raise_for_status()
    playlist_id = made.json()["id"]
    try:
        browser.post(
            f"/api/playlists/{playlist_id}/items", json={"track_ids": [long.id]}
        ).raise_for_status()
        deadline = time.monotonic() + 60
        while browser.get(f"/api/playlists/{playlist_id}").json()["cover"] is None:
            assert time.monotonic() < deadline, "no collage"
            time.sleep(0.2)
        kind, edges = picture(get(sonic, "getCoverArt", id=f"pl-{playlist_id}", size=100))
        assert (kind, max(edges)) == ("WEBP", 128)
        assert error(sonic, "getCoverArt", account=sonic.bea, id=f"pl-{playlist_id}")["code"] == 70
    finally:
        browser.delete(f"/api/playlists/{playlist_id}").raise_for_status()


# ---- errors and access -------------------------------------------------------------------


def test_errors_and_access(sonic: Sonic, long: Long) -> None:
    for method in ("stream", "download", "hls.m3u8", "getCoverArt"):
        assert error(sonic, method)["code"] == 10
        assert error(sonic, method, id="0" * 32)["code"] == 70
        # The admin's private track: another member cannot tell it exists.
        assert error(sonic, method, account=sonic.bea, id=long.id)["code"] == 70
    assert error(sonic, "stream", id=f"al-{long.track['album_id']}")["code"] == 70
    assert error(sonic, "getCoverArt", id="al-" + "0" * 32)["code"] == 70
    # A track without pictures, on an album without any: not found.
    assert error(sonic, "getCoverArt", id=sonic.tracks["Dawn"])["code"] == 70
    assert error(sonic, "stream", id=long.id, maxBitRate="fast")["code"] == 10
    # XML errors too, never HTML or a 500.
    r = httpx.get(url(sonic, "stream", id="0" * 32), timeout=60)
    assert r.headers["content-type"].startswith("application/xml")
    assert b'code="70"' in r.content


# ---- real clients ------------------------------------------------------------------------


def test_py_opensonic(sonic: Sonic, long: Long) -> None:
    conn = sonic.opensonic()

    def read(response: Any) -> bytes:
        data: bytes = asyncio.run_coroutine_threadsafe(response.read(), conn._loop).result()
        return data

    try:
        aac = read(conn.stream(long.id, max_bit_rate=128))
        assert aac == joined_rung(sonic, long.id, "128k")[0]
        ranged = read(conn.stream(long.id, max_bit_rate=128, byte_range="bytes=-1000"))
        assert ranged == aac[-1000:]
        assert read(conn.stream(long.id, tformat="raw")) == long.path.read_bytes()
        assert read(conn.download(long.id)) == long.path.read_bytes()
        assert picture(read(conn.get_cover_art(f"tr-{long.id}", size=128)))[1] == (128, 96)
        # Its ``hls`` hands back the unread body (aiohttp's StreamReader).
        assert b"bitRate=128" in read(conn.hls(long.id))
        assert b"#EXT-X-ENDLIST" in read(conn.hls(long.id, bitrate=64))
    finally:
        conn.cleanup()


def test_py_sonic(sonic: Sonic, long: Long) -> None:
    conn = sonic.pysonic()
    assert conn.stream(long.id, maxBitRate=128).read() == joined_rung(sonic, long.id, "128k")[0]
    assert conn.stream(long.id, tformat="mp3").read() == page(
        sonic, f"/api/tracks/{long.id}/stream.mp3"
    )
    assert conn.download(long.id).read() == long.path.read_bytes()
    assert picture(conn.getCoverArt(long.id, size=512).read())[1] == (512, 384)
    assert b"bitRate=256" in conn.hls(long.id)
    assert b"/s/" in conn.hls(long.id, bitrate=256)
