"""What `tonearm import` considers: the walk, the first-bytes check, the sidecars."""

from __future__ import annotations

from pathlib import Path

from tonearm.ingest.folders import folder_picture, sidecar_lyrics, sniff, walk


def test_the_walk_is_sorted_skips_hidden_and_never_leaves_the_folder(tmp_path: Path) -> None:
    root = tmp_path / "music"
    (root / "b").mkdir(parents=True)
    (root / "a" / ".git").mkdir(parents=True)
    (root / ".cache").mkdir()
    for name in ("b/2.mp3", "b/1.FLAC", "a/x.ogg", "a/.x.ogg", "a/.git/y.mp3", ".cache/z.mp3"):
        (root / name).write_bytes(b"ID3")
    (root / "a" / "notes.txt").write_text("no")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "far.mp3").write_bytes(b"ID3")
    (root / "a" / "link-out.mp3").symlink_to(outside / "far.mp3")
    (root / "a" / "link-in.mp3").symlink_to(root / "b" / "2.mp3")
    (root / "linked-dir").symlink_to(outside, target_is_directory=True)
    found = [p.relative_to(root).as_posix() for p in walk(root)]
    assert found == ["a/link-in.mp3", "a/x.ogg", "b/1.FLAC", "b/2.mp3"]


def test_first_bytes_that_cannot_start_audio_are_named() -> None:
    assert sniff(b"fLaC\x00\x00\x00\x22") is None
    assert sniff(b"ID3\x04") is None
    assert sniff(b"\x00\x00\x00\x20ftypM4A ") is None
    assert sniff(b"") == "The file is empty."
    assert "HLS playlist" in (sniff(b"#EXTM3U\n#EXTINF:1,\n/etc/passwd\n") or "")
    assert "ffmpeg concat list" in (sniff(b"ffconcat version 1.0\nfile /etc/passwd") or "")
    assert "text" in (sniff(b"just some words\n") or "")
    assert "does not start like" in (sniff(b"\x89PNG\r\n\x1a\n\x00\x00") or "")


def test_sidecars_match_whatever_their_case(tmp_path: Path) -> None:
    disc = tmp_path / "Album" / "CD1"
    disc.mkdir(parents=True)
    (tmp_path / "Album" / "FOLDER.JPG").write_bytes(b"picture")
    song = disc / "01 song.flac"
    song.write_bytes(b"fLaC")
    (disc / "01 song.LRC").write_bytes("\ufeff[00:01.00] héllo ".encode() + b"\xff")
    assert folder_picture(disc) == b"picture"  # a disc folder looks one level up
    assert sidecar_lyrics(song) == "[00:01.00] héllo \ufffd"
    assert sidecar_lyrics(disc / "other.flac") is None
