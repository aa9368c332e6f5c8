"""One behaviour suite for every blob store."""

from __future__ import annotations

from pathlib import Path

import pytest

from tonearm.errors import Invalid, NotFound
from tonearm.storage import BlobStore, LocalStore, MemoryStore


@pytest.fixture(params=["local", "memory"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> BlobStore:
    return LocalStore(tmp_path / "blobs") if request.param == "local" else MemoryStore()


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


def test_prefix_listing_and_deletion(store: BlobStore) -> None:
    for key in ("hls/h1/64k/a.m4s", "hls/h1/128k/b.m4s", "hls/h2/64k/c.m4s"):
        store.put_bytes(key, b"1")
    assert sorted(store.list_prefix("hls/h1/")) == ["hls/h1/128k/b.m4s", "hls/h1/64k/a.m4s"]
    assert store.delete_prefix("hls/h1/") == 2
    assert list(store.list_prefix("hls/h1/")) == []
    assert store.exists("hls/h2/64k/c.m4s")


@pytest.mark.parametrize("key", ["../etc/passwd", "/abs", "a/../../b", "a//b", "", "a\\b", "a/./b"])
def test_keys_cannot_escape(store: BlobStore, key: str) -> None:
    with pytest.raises(Invalid):
        store.put_bytes(key, b"x")


def test_local_store_leaves_no_empty_directories(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "blobs")
    store.put_bytes("derived/h/art/original", b"x")
    store.delete_prefix("derived/h/")
    assert not (tmp_path / "blobs" / "derived").exists()
