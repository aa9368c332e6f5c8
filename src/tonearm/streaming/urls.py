"""The one place that builds (and parses) media URLs.

Every URL a client receives for a track's media comes from ``MediaUrls``, so where the
bytes come from is a setting, not a code path:

* track media (playlists, MP3, original, waveform, artwork) are API paths: each request
  passes the access check; MP3 and original may then redirect to a presigned object
  store URL (``file_delivery = "redirect"``) or be proxied with Range;
* segments are signed ``/s/<blob>/<rung>/<hash>.<ext>?e=&s=`` paths served by the fast
  path, optionally under a CDN base URL (``media_base_url``) that forwards to it, or
  presigned object store URLs (``segment_delivery = "store"``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from tonearm.blobs import keys
from tonearm.library.schemas import Urls
from tonearm.models import Blob, BlobStatus
from tonearm.storage import BlobStore
from tonearm.streaming.segments import SEGMENT_MEDIA_TYPE, SEGMENT_PREFIX
from tonearm.streaming.signing import UrlSigner
from tonearm.types import BlobHash, TrackId


@dataclass(frozen=True)
class Delivery:
    media_base_url: str = ""
    """Prefix for segment URLs (a CDN in front of this server); empty: same origin."""
    segments: Literal["app", "store"] = "app"
    files: Literal["proxy", "redirect"] = "proxy"
    presign_ttl_s: int = 900
    """Presigned file redirects: followed at once, so short."""
    segment_ttl_s: int = 12 * 3600
    """Presigned segment links: a paused player keeps a finished playlist that long."""


class MediaUrls:
    def __init__(self, signer: UrlSigner, store: BlobStore, delivery: Delivery) -> None:
        self._signer = signer
        self._store = store
        self._delivery = delivery

    @staticmethod
    def track_base(track_id: TrackId) -> str:
        return f"/api/tracks/{track_id}"

    def for_track(self, track_id: TrackId, blob: Blob) -> Urls:
        base = self.track_base(track_id)
        ready = blob.status == BlobStatus.READY
        artwork: dict[str, str] = {}
        if ready and blob.artwork_mime:
            artwork["original"] = f"{base}/artwork/original"
            for size in blob.artwork_sizes:
                artwork[str(size)] = f"{base}/artwork/{size}.webp"
        return Urls(
            hls=f"{base}/hls/master.m3u8" if blob.playable else None,
            mp3=f"{base}/stream.mp3" if ready and blob.mp3_size else None,
            original=f"{base}/original",
            waveform=f"{base}/waveform.json" if ready and blob.has_waveform else None,
            artwork=artwork,
        )

    @staticmethod
    def variant(rung: str) -> str:
        """A variant playlist, relative to the master playlist."""
        return f"{rung}.m3u8"

    def segment(
        self, blob_hash: BlobHash, rung: str, file_hash: str, ext: str, binding: str = ""
    ) -> str:
        """A segment (``m4s``) or init section (``mp4``) URL for one viewer's playlist."""
        if self._delivery.segments == "store":
            url = self._store.presigned_url(
                keys.segment_key(blob_hash, rung, file_hash, ext),
                ttl_s=self._delivery.segment_ttl_s,
                media_type=SEGMENT_MEDIA_TYPE,
            )
            if url is not None:
                return url
        path = f"{SEGMENT_PREFIX}{blob_hash}/{rung}/{file_hash}.{ext}"
        return self._delivery.media_base_url.rstrip("/") + self._signer.sign(path, binding)

    def file_redirect(self, key: str, media_type: str, filename: str | None) -> str | None:
        """A presigned URL to send the client to instead of proxying, or None to proxy."""
        if self._delivery.files != "redirect":
            return None
        return self._store.presigned_url(
            key, ttl_s=self._delivery.presign_ttl_s, filename=filename, media_type=media_type
        )
