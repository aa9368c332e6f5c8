"""One behaviour suite for every blob store, then what only S3 does.

The S3 store runs against moto's S3 server (``tests/fixtures/s3.py``), a real HTTP
endpoint speaking the S3 protocol.
"""

from __future__ import annotations

import hashlib
import logging
import random
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import anyio
import anyio.to_thread
import httpx
import pytest

from tests.fixtures.s3 import SECRET_ACCESS_KEY, make_s3_store, s3_client
from tests.fixtures.server import free_port
from tonearm.errors import Invalid, NotFound, Unavailable
from tonearm.storage import BlobStore, LocalStore, MemoryStore, open_store
from tonearm.storage.s3 import MiB, S3Store


@pytest.fixture(params=["local", "memory", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> BlobStore:
    if request.param == "local":
        return LocalStore(tmp_path / "blobs")
    if request.param == "memory":
        return MemoryStore()
    s3: S3Store = request.getfixturevalue("s3_store")
    return s3


def test_put_read_delete(store: BlobStore, tmp_path: Path) -> None:
    src = tmp_path / "src.bin"
    src.write_bytes(b"abc" * 1000)
    store.put_file("originals/ab/abc.flac", src)
    assert src.exists()
    assert store.read_bytes("originals/ab/abc.flac") == b"abc" * 1000
    assert store.size("originals/ab/abc.flac") == 3000
    with store.open("originals/ab/abc.flac") as fh:
        assert fh.read(3) == b"abc"
    store.delete("originals/ab/abc.flac")
    assert not store.exists("originals/ab/abc.flac")
    store.delete("originals/ab/abc.flac")  # missing is fine
    with pytest.raises(NotFound):
        store.read_bytes("originals/ab/abc.flac")


def test_move_consumes_source(store: BlobStore, tmp_path: Path) -> None:
    src = tmp_path / "src.bin"
    src.write_bytes(b"x")
    store.put_file("a/b", src, move=True)
    assert not src.exists()
    assert store.read_bytes("a/b") == b"x"


def test_open_reads_a_large_object_in_pieces(store: BlobStore) -> None:
    data = random.Random(7).randbytes(3 * MiB + 17)
    store.put_bytes("originals/cd/big.flac", data)
    pieces = []
    with store.open("originals/cd/big.flac") as fh:
        while piece := fh.read(100_000):
            pieces.append(piece)
    assert b"".join(pieces) == data


def test_missing_keys(store: BlobStore) -> None:
    with pytest.raises(NotFound):
        store.open("a/missing")
    with pytest.raises(NotFound):
        store.read_bytes("a/missing")
    with pytest.raises(NotFound):
        store.read_range("a/missing", 0, 10)
    assert store.size("a/missing") is None
    assert not store.exists("a/missing")
    assert list(store.list_prefix("a/")) == []
    assert store.delete_prefix("a/") == 0


def test_ranged_reads_at_the_edges(store: BlobStore) -> None:
    data = bytes(range(256)) * 4  # 1024 bytes, every offset recognisable
    store.put_bytes("hls/h/64k/seg.m4s", data)
    key = "hls/h/64k/seg.m4s"
    assert store.read_range(key, 0, 0) == data[:1]
    assert store.read_range(key, 0, 1023) == data
    assert store.read_range(key, 1023, 1023) == data[1023:]
    assert store.read_range(key, 255, 256) == data[255:257]
    assert store.read_range(key, 1000, 5000) == data[1000:]  # end clamped to the last byte
    for start, end in ((1024, 1024), (5000, 6000), (-1, 3), (10, 9)):
        with pytest.raises(Invalid):
            store.read_range(key, start, end)


def test_an_empty_object_has_no_satisfiable_range(store: BlobStore) -> None:
    store.put_bytes("derived/h/empty", b"")
    assert store.read_bytes("derived/h/empty") == b""
    assert store.size("derived/h/empty") == 0
    with pytest.raises(Invalid):
        store.read_range("derived/h/empty", 0, 0)


def test_prefix_listing_and_deletion(store: BlobStore) -> None:
    for key in ("hls/h1/64k/a.m4s", "hls/h1/128k/b.m4s", "hls/h2/64k/c.m4s"):
        store.put_bytes(key, b"1")
    assert sorted(store.list_prefix("hls/h1/")) == ["hls/h1/128k/b.m4s", "hls/h1/64k/a.m4s"]
    assert store.delete_prefix("hls/h1/") == 2
    assert list(store.list_prefix("hls/h1/")) == []
    assert store.exists("hls/h2/64k/c.m4s")


BAD_KEYS = ["../etc/passwd", "/abs", "a/../../b", "a//b", "", "a\\b", "a/./b"]


@pytest.mark.parametrize("key", BAD_KEYS)
def test_keys_cannot_escape(store: BlobStore, key: str) -> None:
    with pytest.raises(Invalid):
        store.put_bytes(key, b"x")


@pytest.mark.parametrize("key", ["../etc/passwd", "a/../../b", "/abs"])
def test_every_method_checks_keys(store: BlobStore, key: str, tmp_path: Path) -> None:
    src = tmp_path / "src.bin"
    src.write_bytes(b"x")
    calls: list[Callable[[], object]] = [
        lambda: store.put_file(key, src),
        lambda: store.open(key),
        lambda: store.read_bytes(key),
        lambda: store.read_range(key, 0, 1),
        lambda: store.size(key),
        lambda: store.exists(key),
        lambda: store.delete(key),
        lambda: store.delete_prefix(key + "/"),
        lambda: list(store.list_prefix(key + "/")),
        lambda: store.local_path(key),
        lambda: store.presigned_url(key, ttl_s=60),
    ]
    for call in calls:
        with pytest.raises(Invalid):
            call()


def test_local_store_leaves_no_empty_directories(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "blobs")
    store.put_bytes("derived/h/art/original", b"x")
    store.delete_prefix("derived/h/")
    assert not (tmp_path / "blobs" / "derived").exists()


@pytest.mark.parametrize("kind", ["local", "memory"])
def test_stores_without_urls_of_their_own_presign_nothing(kind: str, tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "blobs") if kind == "local" else MemoryStore()
    store.put_bytes("a/b", b"x")
    assert store.presigned_url("a/b", ttl_s=60, filename="b.mp3", media_type="audio/mpeg") is None


# --- S3 only --------------------------------------------------------------------------


def _multipart_etag(data: bytes, part: int) -> str:
    """S3's ETag of a multipart object: MD5 of the parts' MD5s, then the part count."""
    digests = [hashlib.md5(data[i : i + part]).digest() for i in range(0, len(data), part)]
    return f'"{hashlib.md5(b"".join(digests)).hexdigest()}-{len(digests)}"'


def test_large_files_go_up_in_parts(s3_endpoint: str, s3_bucket: str, tmp_path: Path) -> None:
    store = make_s3_store(
        s3_endpoint, s3_bucket, multipart_threshold_bytes=5 * MiB, part_size_bytes=5 * MiB
    )
    client = s3_client(s3_endpoint)
    data = random.Random(1).randbytes(12 * MiB + 3)
    src = tmp_path / "big.flac"
    src.write_bytes(data)
    store.put_file("originals/ee/big.flac", src, move=True)

    assert not src.exists()
    head = client.head_object(Bucket=s3_bucket, Key="originals/ee/big.flac")
    assert head["ETag"] == _multipart_etag(data, 5 * MiB)  # 5 + 5 + 2 MiB: three parts
    assert head["ETag"].endswith('-3"')
    assert "Uploads" not in client.list_multipart_uploads(Bucket=s3_bucket)
    with store.open("originals/ee/big.flac") as fh:
        assert hashlib.sha256(fh.read()).digest() == hashlib.sha256(data).digest()
    edge = 5 * MiB  # where the first part ends
    across = store.read_range("originals/ee/big.flac", edge - 2, edge + 1)
    assert across == data[edge - 2 : edge + 2]

    small = tmp_path / "small.flac"
    small.write_bytes(data[: 4 * MiB])
    store.put_file("originals/ee/small.flac", small)
    head = client.head_object(Bucket=s3_bucket, Key="originals/ee/small.flac")
    assert head["ETag"] == f'"{hashlib.md5(data[: 4 * MiB]).hexdigest()}"'  # one PUT


def test_presigned_url_serves_ranges(s3_store: S3Store) -> None:
    data = random.Random(2).randbytes(1000)
    s3_store.put_bytes("originals/ab/song.mp3", data)
    url = s3_store.presigned_url(
        "originals/ab/song.mp3", ttl_s=300, filename="Chœur – «live».mp3", media_type="audio/mpeg"
    )
    assert url is not None
    assert "/tenant/originals/ab/song.mp3?" in url

    ranged = httpx.get(url, headers={"Range": "bytes=100-199"})
    assert ranged.status_code == 206
    assert ranged.content == data[100:200]
    assert ranged.headers["content-range"] == "bytes 100-199/1000"
    assert ranged.headers["content-type"] == "audio/mpeg"
    disposition = ranged.headers["content-disposition"]
    assert disposition.startswith("inline; ")
    assert "filename*=UTF-8''Ch%C5%93ur%20%E2%80%93%20%C2%ABlive%C2%BB.mp3" in disposition

    whole = httpx.get(url)
    assert whole.status_code == 200
    assert whole.content == data

    with pytest.raises(Invalid):
        s3_store.presigned_url("originals/ab/song.mp3", ttl_s=8 * 24 * 3600)


def test_prefixes_keep_stores_apart(s3_endpoint: str, s3_bucket: str) -> None:
    a = make_s3_store(s3_endpoint, s3_bucket, prefix="a")
    b = make_s3_store(s3_endpoint, s3_bucket, prefix="b/")
    a.put_bytes("hls/h/64k/x.m4s", b"from a")
    b.put_bytes("hls/h/64k/x.m4s", b"from b")
    b.put_bytes("hls/h/64k/y.m4s", b"only b")

    assert a.read_bytes("hls/h/64k/x.m4s") == b"from a"
    assert b.read_bytes("hls/h/64k/x.m4s") == b"from b"
    assert not a.exists("hls/h/64k/y.m4s")
    assert list(a.list_prefix("")) == ["hls/h/64k/x.m4s"]
    assert a.delete_prefix("hls/") == 1
    assert sorted(b.list_prefix("hls/")) == ["hls/h/64k/x.m4s", "hls/h/64k/y.m4s"]
    listed = s3_client(s3_endpoint).list_objects_v2(Bucket=s3_bucket)["Contents"]
    assert sorted(item["Key"] for item in listed) == ["b/hls/h/64k/x.m4s", "b/hls/h/64k/y.m4s"]


def test_delete_prefix_past_one_batch(s3_store: S3Store) -> None:
    """Past one listing page; moto also takes over 1000 keys per DeleteObjects, S3 does not."""
    keys = [f"hls/h/64k/{i:05d}.m4s" for i in range(1003)]  # two listing pages, two batches
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda key: s3_store.put_bytes(key, b"s"), keys))
    s3_store.put_bytes("hls/other/64k/00000.m4s", b"kept")
    assert sorted(s3_store.list_prefix("hls/h/")) == keys
    assert s3_store.delete_prefix("hls/h/") == 1003
    assert list(s3_store.list_prefix("hls/")) == ["hls/other/64k/00000.m4s"]


def test_unreachable_endpoint_is_unavailable(tmp_path: Path) -> None:
    endpoint = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    store = make_s3_store(endpoint, "tonearm-nowhere", max_attempts=1, connect_timeout_s=2)
    src = tmp_path / "src.bin"
    src.write_bytes(b"x")
    calls: list[Callable[[], object]] = [
        lambda: store.put_bytes("a/b", b"x"),
        lambda: store.put_file("a/b", src),
        lambda: store.read_bytes("a/b"),
        lambda: store.size("a/b"),
        lambda: list(store.list_prefix("a/")),
    ]
    for call in calls:
        with pytest.raises(Unavailable) as caught:
            call()
        assert endpoint in caught.value.message
        assert SECRET_ACCESS_KEY not in caught.value.message
    assert src.exists()


def test_missing_bucket_is_unavailable(s3_endpoint: str, tmp_path: Path) -> None:
    store = make_s3_store(s3_endpoint, "tonearm-never-created")
    src = tmp_path / "src.bin"
    src.write_bytes(b"x")
    for call in (lambda: store.put_bytes("a/b", b"x"), lambda: store.put_file("a/b", src)):
        with pytest.raises(Unavailable, match=r"'tonearm-never-created' .* does not exist"):
            call()


def test_open_store_reads_s3_urls(s3_endpoint: str, s3_bucket: str) -> None:
    options = {
        "s3_endpoint_url": s3_endpoint,
        "s3_access_key_id": "k",
        "s3_secret_access_key": "s",
        "s3_path_style": True,
    }
    open_store(f"s3://{s3_bucket}/music/lib", **options).put_bytes("a/b", b"1")
    open_store(f"s3://{s3_bucket}", **options).put_bytes("c", b"2")
    listed = s3_client(s3_endpoint).list_objects_v2(Bucket=s3_bucket)["Contents"]
    assert sorted(item["Key"] for item in listed) == ["c", "music/lib/a/b"]
    with pytest.raises(ValueError, match="s3://bucket") as caught:
        open_store("s3://key:hunter2@bucket/x", **options)
    assert "hunter2" not in str(caught.value)
    with pytest.raises(Invalid):
        open_store(f"s3://{s3_bucket}/../x", **options)


def test_as_many_reads_at_once_as_the_http_edge_runs_keep_their_connections(
    s3_store: S3Store, caplog: pytest.LogCaptureFixture
) -> None:
    """The HTTP edge reads the store from anyio's worker threads: all of them at once under
    load (the fast path with a cold cache, proxied files). Each read holds a connection
    from the client's pool; a pool smaller than the thread count drops (and logs) the
    surplus connections as they come back, and every later read opens a new one."""

    async def edge_threads() -> int:
        return int(anyio.to_thread.current_default_thread_limiter().total_tokens)

    threads = anyio.run(edge_threads)
    s3_store.put_bytes("hls/h/64k/seg.m4s", b"x" * 4096)
    all_open = threading.Barrier(threads, timeout=30)

    def read_while_all_open(_: int) -> bytes:
        with s3_store.open("hls/h/64k/seg.m4s") as body:
            all_open.wait()  # every connection is checked out of the pool now
            return body.read()

    with caplog.at_level(logging.WARNING, logger="urllib3.connectionpool"):
        with ThreadPoolExecutor(threads) as pool:
            bodies = list(pool.map(read_while_all_open, range(threads)))
        assert s3_store.read_bytes("hls/h/64k/seg.m4s") == b"x" * 4096
    assert bodies == [b"x" * 4096] * threads
    dropped = [r.getMessage() for r in caplog.records if "pool is full" in r.getMessage()]
    assert dropped == []
