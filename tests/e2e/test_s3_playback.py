"""Playback end to end with every blob in an S3 bucket (moto's server), none on local disk.

One bucket and one SQLite database for the module. A first ``tonearm serve`` proxies
everything (the default delivery); a second, on the same database and bucket, sends
clients to presigned store URLs (``file_delivery=redirect``, ``segment_delivery=store``).
"""

from __future__ import annotations

import hashlib
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from tests.fixtures.audio import decoded_duration, ffprobe_duration, image_bytes, make_audio
from tests.fixtures.s3 import ACCESS_KEY_ID, REGION, SECRET_ACCESS_KEY, s3_client
from tests.fixtures.server import Server

pytestmark = pytest.mark.e2e

PREFIX = "library"
MEDIA_SUFFIXES = {".flac", ".wav", ".mp3", ".m4s", ".mp4", ".json", ".webp", ".png"}
CASES = [
    ("stereo.flac", {"seconds": 9.0, "rate": 44100, "channels": 2, "source": "noise"}),
    ("mono-8k.wav", {"seconds": 7.0, "rate": 8000, "channels": 1}),
    ("song.mp3", {"seconds": 8.0}),
]


@dataclass(frozen=True)
class Uploaded:
    source: Path
    sha256: str
    duration: float
    track: dict[str, Any]


@dataclass(frozen=True)
class Bucket:
    endpoint: str
    name: str

    def keys(self, under: str = "") -> set[str]:
        """Every object key below the store's prefix (and ``under`` in it), prefix cut off."""
        client = s3_client(self.endpoint)
        found: set[str] = set()
        for page in client.get_paginator("list_objects_v2").paginate(
            Bucket=self.name, Prefix=f"{PREFIX}/{under}"
        ):
            found.update(
                item["Key"].removeprefix(f"{PREFIX}/") for item in page.get("Contents", [])
            )
        return found

    def read(self, key: str) -> bytes:
        """One object's bytes, ``key`` below the store's prefix."""
        answer = s3_client(self.endpoint).get_object(Bucket=self.name, Key=f"{PREFIX}/{key}")
        data: bytes = answer["Body"].read()
        return data

    def blob_keys(self, sha256: str) -> set[str]:
        return (
            self.keys(f"originals/{sha256[:2]}/{sha256}.")
            | self.keys(f"hls/{sha256}/")
            | self.keys(f"derived/{sha256}/")
        )


@pytest.fixture(scope="module")
def bucket(s3_endpoint: str) -> Bucket:
    # The store never creates its bucket: it must exist before the server starts.
    name = f"tonearm-play-{uuid.uuid4().hex[:12]}"
    s3_client(s3_endpoint).create_bucket(Bucket=name)
    return Bucket(s3_endpoint, name)


def s3_env(bucket: Bucket, **streaming: str) -> dict[str, str]:
    return {
        "TONEARM_STORAGE_URL": f"s3://{bucket.name}/{PREFIX}",
        "TONEARM_STORAGE_S3_ENDPOINT_URL": bucket.endpoint,
        "TONEARM_STORAGE_S3_REGION": REGION,
        "TONEARM_STORAGE_S3_ACCESS_KEY_ID": ACCESS_KEY_ID,
        "TONEARM_STORAGE_S3_SECRET_ACCESS_KEY": SECRET_ACCESS_KEY,
        "TONEARM_STORAGE_S3_PATH_STYLE": "true",
        **{f"TONEARM_STREAMING_{k.upper()}": v for k, v in streaming.items()},
    }


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("s3play")


@pytest.fixture(scope="module")
def proxy(bucket: Bucket, data_dir: Path) -> Iterator[Server]:
    """Default delivery: files proxied with Range, segments from the fast path."""
    srv = Server(
        data_dir / "data",
        f"sqlite:///{data_dir / 'tonearm.db'}",
        env=s3_env(bucket, file_delivery="proxy", segment_delivery="app"),
    )
    yield srv
    srv.stop()


def with_cover(source: Path, work: Path) -> Path:
    """``source`` with a PNG cover attached, written over it (the FLAC case has artwork)."""
    cover = work / "cover.png"
    cover.write_bytes(image_bytes((600, 600), color="blue"))
    tagged = work / f"covered-{source.name}"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(source), "-i", str(cover), "-map", "0:a", "-map",
         "1:v", "-c:a", "copy", "-c:v", "png", "-disposition:v", "attached_pic", str(tagged)],
        check=True,
    )  # fmt: skip
    tagged.replace(source)
    return source


@pytest.fixture(scope="module")
def uploaded(proxy: Server, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Uploaded]:
    inputs = tmp_path_factory.mktemp("s3play-inputs")
    sources = {name: make_audio(inputs / name, **kwargs) for name, kwargs in CASES}  # type: ignore[arg-type]
    with_cover(sources["stereo.flac"], inputs)
    ids = {}
    for name, source in sources.items():
        response = proxy.upload(source)
        assert response.status_code == 201, response.text
        ids[name] = response.json()["id"]
    return {
        name: Uploaded(
            source,
            hashlib.sha256(source.read_bytes()).hexdigest(),
            ffprobe_duration(str(source)),
            proxy.wait_ready(ids[name]),
        )
        for name, source in sources.items()
    }


@pytest.fixture(scope="module")
def redirect(
    bucket: Bucket, data_dir: Path, proxy: Server, uploaded: dict[str, Uploaded]
) -> Iterator[Server]:
    """Same database and bucket, clients sent to presigned store URLs."""
    srv = Server(
        data_dir / "data",
        proxy.database_url,
        workers=0,
        env=s3_env(bucket, file_delivery="redirect", segment_delivery="store"),
    )
    yield srv
    srv.stop()


def variant_urls(server: Server, track: dict[str, Any]) -> tuple[str, list[str]]:
    master_url = server.url + track["urls"]["hls"]
    master = httpx.get(master_url, headers=server.auth, timeout=30)
    assert master.status_code == 200, master.text
    base = master_url.rsplit("/", 1)[0]
    rungs = [ln for ln in master.text.splitlines() if ln and not ln.startswith("#")]
    assert rungs
    return master_url, [f"{base}/{rung}" for rung in rungs]


def playlist_media(text: str) -> list[str]:
    """The init section and segment URIs of a variant playlist, in order."""
    uris = []
    for line in text.splitlines():
        if line.startswith("#EXT-X-MAP:URI="):
            uris.append(line.split('"')[1])
        elif line and not line.startswith("#"):
            uris.append(line)
    return uris


@pytest.mark.parametrize("name", [c[0] for c in CASES])
def test_master_and_every_variant_decode_to_the_end(
    proxy: Server, uploaded: dict[str, Uploaded], name: str
) -> None:
    up = uploaded[name]
    assert abs(up.track["duration"] - up.duration) < 0.1
    master_url, variants = variant_urls(proxy, up.track)
    auth = proxy.ffmpeg_auth()
    for url in variants:
        assert abs(decoded_duration(url, extra_input_args=auth) - up.duration) < 0.1, url
    assert abs(decoded_duration(master_url, extra_input_args=auth) - up.duration) < 0.1


def test_range_through_the_proxy_is_byte_exact(
    proxy: Server, uploaded: dict[str, Uploaded], bucket: Bucket
) -> None:
    up = uploaded["stereo.flac"]
    original = up.source.read_bytes()
    stored_mp3 = bucket.read(f"derived/{up.sha256}/audio.mp3")
    mp3 = proxy.http.get(up.track["urls"]["mp3"])
    assert mp3.status_code == 200 and mp3.headers["content-type"] == "audio/mpeg"
    mp3_url = proxy.url + up.track["urls"]["mp3"]
    assert abs(ffprobe_duration(mp3_url, proxy.ffmpeg_auth()) - up.duration) < 0.1
    for url, body in (
        (up.track["urls"]["original"], original),
        (up.track["urls"]["mp3"], stored_mp3),
    ):
        full = proxy.http.get(url)
        assert full.status_code == 200 and full.content == body
        size = len(body)
        etag = full.headers["etag"]
        assert int(full.headers["content-length"]) == size
        # The middle range spans several of the proxy's 256 KiB reads from the store.
        middle = size // 3
        for start, end in ((0, 99), (middle, 2 * middle), (size - 10, size - 1)):
            part = proxy.http.get(url, headers={"range": f"bytes={start}-{end}"})
            assert part.status_code == 206, (url, start, end)
            assert part.headers["content-range"] == f"bytes {start}-{end}/{size}"
            assert part.content == body[start : end + 1]
        open_ended = proxy.http.get(url, headers={"range": f"bytes={middle}-"})
        assert open_ended.status_code == 206 and open_ended.content == body[middle:]
        suffix = proxy.http.get(url, headers={"range": "bytes=-777"})
        assert suffix.status_code == 206 and suffix.content == body[-777:]
        assert suffix.headers["content-range"] == f"bytes {size - 777}-{size - 1}/{size}"
        past = proxy.http.get(url, headers={"range": f"bytes={size}-"})
        assert past.status_code == 416
        assert past.headers["content-range"] == f"bytes */{size}"
        kept = proxy.http.get(url, headers={"range": "bytes=5-14", "if-range": etag})
        assert kept.status_code == 206 and kept.content == body[5:15]
        stale = proxy.http.get(url, headers={"range": "bytes=5-14", "if-range": '"stale"'})
        assert stale.status_code == 200 and stale.content == body
        unchanged = proxy.http.get(url, headers={"if-none-match": etag})
        assert unchanged.status_code == 304 and unchanged.content == b""
        head = proxy.http.head(url)
        assert head.status_code == 200 and int(head.headers["content-length"]) == size


def test_every_blob_lives_in_the_bucket_and_none_on_disk(
    proxy: Server, uploaded: dict[str, Uploaded], bucket: Bucket
) -> None:
    local = proxy.data_dir / "blobs"
    assert not local.exists() or [p for p in local.rglob("*") if p.is_file()] == []
    # Nor anywhere else in the data directory: no media file, no copy of an original.
    hashes = {up.sha256 for up in uploaded.values()}
    for path in proxy.data_dir.rglob("*"):
        if path.is_file():
            assert path.suffix not in MEDIA_SUFFIXES, path
            assert hashlib.sha256(path.read_bytes()).hexdigest() not in hashes, path
    for name, up in uploaded.items():
        assert up.track["source"]["sha256"] == up.sha256
        keys = bucket.blob_keys(up.sha256)
        originals = [k for k in keys if k.startswith("originals/")]
        assert len(originals) == 1, (name, originals)
        assert bucket.read(originals[0]) == up.source.read_bytes()
        assert {f"derived/{up.sha256}/audio.mp3", f"derived/{up.sha256}/waveform.json"} <= keys
        art = {k for k in keys if k.startswith(f"derived/{up.sha256}/art/")}
        sizes = set(up.track["urls"]["artwork"]) - {"original"}
        expected_art = {f"derived/{up.sha256}/art/{size}.webp" for size in sizes}
        if up.track["urls"]["artwork"]:
            expected_art.add(f"derived/{up.sha256}/art/original")
        assert art == expected_art, name
        # The bucket holds exactly the segments the playlists name: no orphan left behind.
        named = set()
        for url in variant_urls(proxy, up.track)[1]:
            for uri in playlist_media(httpx.get(url, headers=proxy.auth, timeout=30).text):
                path = urlsplit(uri).path
                assert path.startswith("/s/"), uri
                named.add("hls/" + path.removeprefix("/s/"))
        assert {k for k in keys if k.startswith("hls/")} == named, name


def test_redirected_files_are_served_by_the_store_with_range(
    proxy: Server, redirect: Server, uploaded: dict[str, Uploaded], bucket: Bucket
) -> None:
    up = uploaded["stereo.flac"]
    endpoint = urlsplit(bucket.endpoint)
    proxied_mp3 = proxy.http.get(up.track["urls"]["mp3"]).content
    urls = up.track["urls"]
    cover = urls["artwork"]
    assert {"original", "128"} <= set(cover), cover
    for url, body, media_type in (
        (urls["mp3"], proxied_mp3, "audio/mpeg"),
        (urls["original"], up.source.read_bytes(), "audio/flac"),
        (urls["waveform"], proxy.http.get(urls["waveform"]).content, "application/json"),
        (cover["original"], proxy.http.get(cover["original"]).content, "image/png"),
        (cover["128"], proxy.http.get(cover["128"]).content, "image/webp"),
    ):
        answer = redirect.http.get(url)
        assert answer.status_code == 307, (url, answer.text)
        assert answer.headers["cache-control"] == "private, no-store"
        location = answer.headers["location"]
        where = urlsplit(location)
        assert (where.scheme, where.netloc) == (endpoint.scheme, endpoint.netloc), location
        assert where.path.startswith(f"/{bucket.name}/{PREFIX}/")
        whole = httpx.get(location, timeout=30)
        assert whole.status_code == 200 and whole.content == body, url
        assert whole.headers["content-type"] == media_type
        size = len(body)
        quarter, tail = size // 4, min(500, size // 2)
        for rng, start, end in (
            (f"bytes={quarter}-{2 * quarter}", quarter, 2 * quarter),
            (f"bytes=-{tail}", size - tail, size - 1),
        ):
            part = httpx.get(location, headers={"range": rng}, timeout=30)
            assert part.status_code == 206, (url, rng)
            assert part.headers["content-range"] == f"bytes {start}-{end}/{size}"
            assert part.content == body[start : end + 1]
    # HEAD is redirected the same way.
    assert redirect.http.head(up.track["urls"]["mp3"]).status_code == 307


def test_store_delivered_segments_decode_to_the_end(
    redirect: Server, uploaded: dict[str, Uploaded], bucket: Bucket
) -> None:
    endpoint = urlsplit(bucket.endpoint).netloc
    for name, up in uploaded.items():
        master_url, variants = variant_urls(redirect, up.track)
        for url in variants:
            text = httpx.get(url, headers=redirect.auth, timeout=30).text
            media = playlist_media(text)
            assert len(media) >= 2 and text.rstrip().endswith("#EXT-X-ENDLIST")
            for uri in media:
                where = urlsplit(uri)
                assert where.netloc == endpoint, uri
                assert "X-Amz-Signature=" in where.query, uri
            first = httpx.get(media[1], timeout=30)
            assert first.status_code == 200 and first.headers["content-type"] == "audio/mp4"
            auth = redirect.ffmpeg_auth()
            assert abs(decoded_duration(url, extra_input_args=auth) - up.duration) < 0.1, (
                name,
                url,
            )
        assert abs(decoded_duration(master_url, extra_input_args=auth) - up.duration) < 0.1


def test_deleting_a_track_empties_its_part_of_the_bucket(
    proxy: Server, redirect: Server, uploaded: dict[str, Uploaded], bucket: Bucket
) -> None:
    gone, kept = uploaded["mono-8k.wav"], uploaded["song.mp3"]
    kept_keys = bucket.blob_keys(kept.sha256)
    assert bucket.blob_keys(gone.sha256)
    assert proxy.http.delete(f"/api/tracks/{gone.track['id']}").status_code == 204
    deadline = time.monotonic() + 30
    while bucket.blob_keys(gone.sha256) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert bucket.blob_keys(gone.sha256) == set(), proxy.process.output()[-3000:]
    assert bucket.blob_keys(kept.sha256) == kept_keys
    assert proxy.http.get(gone.track["urls"]["original"]).status_code == 404
    assert redirect.http.get(gone.track["urls"]["mp3"]).status_code == 404
