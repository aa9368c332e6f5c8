"""What the library needs from the streaming edge: the URLs of a track's media."""

from __future__ import annotations

from typing import Protocol

from tonearm.library import schemas
from tonearm.models import Blob
from tonearm.types import TrackId


class MediaLinks(Protocol):
    """Builds the URLs of a track's media (implemented by ``streaming.urls``)."""

    def for_track(self, track_id: TrackId, blob: Blob) -> schemas.Urls: ...
