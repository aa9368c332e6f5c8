"""``playlists.collage``: a playlist's cover made from its first pictures.

The first four different pictures of the playlist's tracks, in order (a picture found
beside the file, else the embedded art; ``PlaylistRepository.cover_sources``):

* none: no cover;
* one to three: the first picture alone (a 2x2 grid with gaps or repeats looks broken,
  and the first track is what the playlist opens with);
* four: a 2x2 grid, left to right, top to bottom, 512 px.

Idempotent: the cover is named by the SHA-256 of its bytes and the job stops early
when the pictures it would use are those of the current cover (``cover_source``).
"""

from __future__ import annotations

import io

from PIL import Image as PILImage

from tonearm.blobs import keys
from tonearm.blobs.images import ImageService
from tonearm.db.unit_of_work import UnitOfWork, UnitOfWorkFactory
from tonearm.jobs.leases import JobLeases
from tonearm.jobs.runner import JobContext
from tonearm.media import Artwork, decode_picture
from tonearm.models import Blob, Image, Playlist
from tonearm.playlists.repository import PlaylistRepository
from tonearm.storage import BlobStore
from tonearm.types import BlobHash, ImageHash, PlaylistId

EDGE = 512
_HALF = EDGE // 2


class BuildCollage:
    def __init__(self, uows: UnitOfWorkFactory, store: BlobStore, images: ImageService) -> None:
        self._uows = uows
        self._store = store
        self._images = images

    def run(self, ctx: JobContext) -> None:
        with self._uows() as uow:
            repo = PlaylistRepository(uow.session)
            playlist = repo.get(PlaylistId(ctx.claim.subject))
            if playlist is None:
                return
            sources = repo.cover_sources(playlist)
            if sources == list(playlist.cover_source or []) and (
                bool(sources) == bool(playlist.cover_image)
            ):
                return
            pictures = [self._read(uow, s) for s in sources]
            art = compose([p for p in pictures if p is not None])
            JobLeases(uow.session).check(ctx.claim)  # fenced: a stale attempt writes nothing
            if art is None:
                playlist.cover_image = None
            else:
                playlist.cover_image = self._images.put_artwork(uow, art).hash
            playlist.cover_source = sources

    def _read(self, uow: UnitOfWork, source: str) -> bytes | None:
        kind, _, ident = source.partition(":")
        try:
            if kind == "image":
                image = uow.session.get(Image, ImageHash(ident))
                return None if image is None else self._images.read(image, EDGE)[0]
            return self._store.read_bytes(_blob_art_key(uow, BlobHash(ident)))
        except (FileNotFoundError, KeyError, OSError):
            return None  # a picture that went away: the collage does without it

    def gave_up(self, uow: UnitOfWork, subject: str, reason: str) -> None:
        """Nothing to mark: a playlist without a new collage keeps its old one."""
        _ = (uow.session.get(Playlist, subject), reason)


def _blob_art_key(uow: UnitOfWork, blob_hash: BlobHash) -> str:
    blob = uow.session.get(Blob, blob_hash)
    sizes = sorted(blob.artwork_sizes) if blob is not None else []
    fits = [s for s in sizes if s >= EDGE]
    size = min(fits) if fits else (max(sizes) if sizes else None)
    return keys.artwork_key(blob_hash, size)


def compose(pictures: list[bytes]) -> Artwork | None:
    """The cover from up to four pictures (see the module doc); None for none."""
    if not pictures:
        return None
    if len(pictures) < 4:
        return decode_picture(pictures[0])
    canvas = PILImage.new("RGB", (EDGE, EDGE), "black")
    for n, data in enumerate(pictures[:4]):
        with PILImage.open(io.BytesIO(data)) as tile:
            square = _square(tile.convert("RGB")).resize(
                (_HALF, _HALF), PILImage.Resampling.LANCZOS
            )
            canvas.paste(square, ((n % 2) * _HALF, (n // 2) * _HALF))
    out = io.BytesIO()
    canvas.save(out, format="PNG", optimize=False)
    return decode_picture(out.getvalue())


def _square(image: PILImage.Image) -> PILImage.Image:
    """The centre square (album art is nearly always square; others are cropped)."""
    w, h = image.size
    edge = min(w, h)
    left, top = (w - edge) // 2, (h - edge) // 2
    return image.crop((left, top, left + edge, top + edge))
