from __future__ import annotations

import base64
import hashlib

import pytest

from tonearm.errors import BadRequest
from tonearm.ingest import tus
from tonearm.ingest.staging import safe_filename


def test_metadata_parsing() -> None:
    enc = base64.b64encode("Björk – Jóga.flac".encode()).decode()
    assert tus.parse_metadata(f"filename {enc},is_confidential") == {
        "filename": "Björk – Jóga.flac",
        "is_confidential": "",
    }
    with pytest.raises(BadRequest):
        tus.parse_metadata("filename not*base64")


def test_checksum_header() -> None:
    digest = base64.b64encode(hashlib.sha1(b"x").digest()).decode()
    parsed = tus.parse_checksum(f"sha1 {digest}")
    assert parsed is not None
    parsed[0].update(b"x")
    assert parsed[0].digest() == parsed[1]
    with pytest.raises(BadRequest):
        tus.parse_checksum(f"crc32 {digest}")


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("../../etc/passwd.mp3", "passwd.mp3"),
        ("C:\\Users\\me\\song.flac", "song.flac"),
        ("a\x00b\x1f.mp3", "ab.mp3"),
        ("..", "upload"),
        (None, "upload"),
    ],
)
def test_client_filenames_are_made_harmless(raw: str | None, clean: str) -> None:
    assert safe_filename(raw) == clean
