"""RFC 9110 and RFC 8216 behaviour of a real server on a processed track: every file
route ignores a bad Range, compares entity tags weakly, playlists revalidate, and
ffmpeg still reads the playlists (master, media, and a growing EVENT one)."""

from __future__ import annotations

import contextlib
import functools
import http.server
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures.audio import decoded_duration, image_bytes, make_audio
from tests.fixtures.database import fresh_database
from tests.fixtures.server import Server

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """HTTP behaviour does not depend on the database: SQLite only."""
    data = tmp_path_factory.mktemp("semantics")
    with fresh_database("sqlite", data) as url:
        server = Server(data, url)
        yield server
        server.stop()


@pytest.fixture(scope="module")
def track(api: Server, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("audio")
    cover = folder / "cover.png"
    cover.write_bytes(image_bytes((300, 300)))
    plain = make_audio(folder / "plain.flac", seconds=13.0)
    tagged = folder / "tagged.flac"
    subprocess.run(
        [
            *("ffmpeg", "-v", "error", "-i", str(plain), "-i", str(cover), "-map", "0:a"),
            *("-map", "1:v", "-c:a", "copy", "-c:v", "png", "-disposition:v", "attached_pic"),
            str(tagged),
        ],
        check=True,
    )
    response = api.upload(tagged)
    assert response.status_code == 201, response.text
    return api.wait_ready(response.json()["id"])


def _file_urls(track: dict[str, Any]) -> list[str]:
    urls = track["urls"]
    return [urls["mp3"], urls["original"], urls["waveform"], urls["artwork"]["original"]] + [
        urls["artwork"][size] for size in urls["artwork"] if size != "original"
    ]


def test_every_file_route_ignores_bad_ranges(api: Server, track: dict[str, Any]) -> None:
    for url in _file_urls(track):
        whole = api.http.get(url)
        assert whole.status_code == 200, url
        for header in ("bytes=5-2", "items=0-5", "bytes=x-y", "bytes=0-1,3-4"):
            ignored = api.http.get(url, headers={"range": header})
            assert ignored.status_code == 200, (url, header, ignored.text[:200])
            assert ignored.content == whole.content
        part = api.http.get(url, headers={"range": "bytes=1-4"})
        assert part.status_code == 206 and part.content == whole.content[1:5]
        beyond = api.http.get(url, headers={"range": f"bytes={len(whole.content)}-"})
        assert beyond.status_code == 416
        assert beyond.headers["content-type"] == "application/problem+json"
        etag = whole.headers["etag"]
        weak = api.http.get(url, headers={"if-none-match": f'W/{etag}, "x"'})
        assert weak.status_code == 304, url


def test_the_original_answers_if_modified_since(api: Server, track: dict[str, Any]) -> None:
    url = track["urls"]["original"]
    modified = api.http.get(url).headers["last-modified"]
    assert api.http.get(url, headers={"if-modified-since": modified}).status_code == 304
    early = "Thu, 01 Jan 1970 00:00:01 GMT"
    assert api.http.get(url, headers={"if-modified-since": early}).status_code == 200


def test_playlists_revalidate(api: Server, track: dict[str, Any]) -> None:
    master_url = track["urls"]["hls"]
    variant_url = master_url.rsplit("/", 1)[0] + "/128k.m3u8"
    for url in (master_url, variant_url):
        first = api.http.get(url)
        assert first.status_code == 200
        assert "#EXT-X-START:TIME-OFFSET=0" in first.text.splitlines()
        etag = first.headers["etag"]
        again = api.http.get(url, headers={"if-none-match": etag})
        assert again.status_code == 304 and again.content == b""
        assert api.http.get(url, headers={"if-none-match": f"W/{etag}"}).status_code == 304
        head = api.http.head(url)
        assert head.status_code == 200 and head.content == b""
        assert head.headers["content-length"] == str(len(first.content))


def test_ffmpeg_reads_our_playlists(api: Server, track: dict[str, Any], tmp_path: Path) -> None:
    master_url = api.url + track["urls"]["hls"]
    played = decoded_duration(master_url, extra_input_args=api.ffmpeg_auth())
    assert abs(played - track["duration"]) < 0.1
    # The same variant as it looks while the track is still being encoded: EVENT, no
    # ENDLIST. ffprobe must still open it and find the AAC stream.
    variant = api.http.get(track["urls"]["hls"].rsplit("/", 1)[0] + "/64k.m3u8").text
    growing = variant.replace("#EXT-X-PLAYLIST-TYPE:VOD", "#EXT-X-PLAYLIST-TYPE:EVENT")
    growing = growing.replace("#EXT-X-ENDLIST\n", "").replace('URI="/s/', f'URI="{api.url}/s/')
    growing = "\n".join(
        f"{api.url}{line}" if line.startswith("/s/") else line for line in growing.splitlines()
    )
    assert "#EXT-X-START:TIME-OFFSET=0" in growing and "#EXT-X-ENDLIST" not in growing
    (tmp_path / "growing.m3u8").write_text(growing + "\n")
    # The segment links are signed for this token, so ffprobe must send it with every
    # segment; it passes its HTTP headers on only from a playlist it read over HTTP.
    with _serving(tmp_path) as base:
        probe = subprocess.run(
            [
                *("ffprobe", "-v", "error", *api.ffmpeg_auth()),
                *("-show_entries", "stream=codec_name", "-of", "csv=p=0"),
                f"{base}/growing.m3u8",
            ],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
    assert set(probe.stdout.split()) == {"aac"}, probe.stderr  # listed per program too


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextlib.contextmanager
def _serving(folder: Path) -> Iterator[str]:
    """``folder`` over HTTP on 127.0.0.1, for as long as the block runs."""
    handler = functools.partial(_Quiet, directory=str(folder))
    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler) as httpd:
        thread = threading.Thread(target=httpd.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{httpd.server_address[1]}"
        finally:
            httpd.shutdown()
            thread.join(timeout=10)
