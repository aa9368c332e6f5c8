"""Where each file of a blob lives in the store. Every key derives from content hashes."""

from __future__ import annotations

from tonearm.types import BlobHash, ImageHash, StoreKey

_EXT_BY_CODEC = {"opus": "opus", "vorbis": "ogg", "flac": "flac", "mp3": "mp3", "alac": "m4a"}
_EXT_BY_FORMAT = {
    "flac": "flac",
    "mp3": "mp3",
    "wav": "wav",
    "aiff": "aiff",
    "ogg": "ogg",
    "mov,mp4,m4a,3gp,3g2,mj2": "m4a",
    "matroska,webm": "mka",
    "aac": "aac",
    "w64": "w64",
}

MIME_BY_EXT = {
    "flac": "audio/flac",
    "mp3": "audio/mpeg",
    "wav": "audio/wav",
    "aiff": "audio/aiff",
    "ogg": "audio/ogg",
    "opus": "audio/ogg",
    "m4a": "audio/mp4",
    "mka": "audio/x-matroska",
    "aac": "audio/aac",
    "w64": "audio/x-w64",
}


def original_ext(format_name: str, codec: str) -> str:
    if format_name == "ogg" and codec in _EXT_BY_CODEC:
        return _EXT_BY_CODEC[codec]
    return _EXT_BY_FORMAT.get(format_name, "bin")


def original_key(blob_hash: BlobHash, ext: str) -> StoreKey:
    return StoreKey(f"originals/{blob_hash[:2]}/{blob_hash}.{ext}")


def hls_prefix(blob_hash: BlobHash) -> StoreKey:
    return StoreKey(f"hls/{blob_hash}/")


def segment_key(blob_hash: BlobHash, rung: str, file_hash: str, ext: str) -> StoreKey:
    return StoreKey(f"hls/{blob_hash}/{rung}/{file_hash}.{ext}")


def derived_prefix(blob_hash: BlobHash) -> StoreKey:
    return StoreKey(f"derived/{blob_hash}/")


def mp3_key(blob_hash: BlobHash) -> StoreKey:
    return StoreKey(f"derived/{blob_hash}/audio.mp3")


def waveform_key(blob_hash: BlobHash) -> StoreKey:
    return StoreKey(f"derived/{blob_hash}/waveform.json")


def artwork_key(blob_hash: BlobHash, size: int | None) -> StoreKey:
    """``size`` None is the original image as embedded."""
    name = "original" if size is None else f"{size}.webp"
    return StoreKey(f"derived/{blob_hash}/art/{name}")


def image_key(image_hash: ImageHash, size: int | None) -> StoreKey:
    """A stored picture (album cover, playlist collage); ``size`` None is the original."""
    name = "original" if size is None else f"{size}.webp"
    return StoreKey(f"images/{image_hash[:2]}/{image_hash}/{name}")
