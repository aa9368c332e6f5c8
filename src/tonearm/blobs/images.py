"""Pictures that are not inside an audio file: uploaded album covers, pictures found
beside imported files, playlist collages. Stored once per SHA-256, like blobs."""

from __future__ import annotations

import hashlib

from sqlalchemy.orm import Session

from tonearm.blobs import keys
from tonearm.db.unit_of_work import UnitOfWork
from tonearm.errors import NotFound, UnsupportedMedia
from tonearm.media import Artwork, decode_picture
from tonearm.models import Image
from tonearm.storage import BlobStore
from tonearm.types import ImageHash


class ImageService:
    def __init__(self, store: BlobStore) -> None:
        self._store = store

    def put(self, uow: UnitOfWork, data: bytes) -> Image:
        """Store a picture (and its WebP thumbnails) unless it is stored already.

        Raises ``UnsupportedMedia`` for bytes that are not a picture within the limits.
        The files are written before the row: a row never names a missing file, and a
        file without a row (a rolled-back transaction) is only a few unused kilobytes
        that the next ``put`` of the same picture reuses.
        """
        digest = ImageHash(hashlib.sha256(data).hexdigest())
        existing = uow.session.get(Image, digest)
        if existing is not None:
            return existing
        art = decode_picture(data)
        if art is None:
            raise UnsupportedMedia(
                "This is not a picture we can read: send a JPEG, PNG or WebP image under 10 MB."
            )
        return self._store_new(uow, digest, art)

    def put_artwork(self, uow: UnitOfWork, art: Artwork) -> Image:
        """Store an already decoded picture (a collage made here)."""
        digest = ImageHash(hashlib.sha256(art.original).hexdigest())
        existing = uow.session.get(Image, digest)
        return existing if existing is not None else self._store_new(uow, digest, art)

    def _store_new(self, uow: UnitOfWork, digest: ImageHash, art: Artwork) -> Image:
        self._store.put_bytes(keys.image_key(digest, None), art.original)
        for size, thumb in sorted(art.thumbnails.items()):
            self._store.put_bytes(keys.image_key(digest, size), thumb)
        image = Image(
            hash=digest,
            mime=art.mime,
            width=art.width,
            height=art.height,
            sizes=sorted(art.thumbnails),
        )
        uow.session.add(image)
        uow.session.flush()
        return image

    def get(self, session: Session, image_hash: ImageHash) -> Image:
        image = session.get(Image, image_hash)
        if image is None:
            raise NotFound("No such picture.")
        return image

    def read(self, image: Image, size: int | None) -> tuple[bytes, str]:
        """The picture's bytes and media type: a thumbnail of ``size`` (the nearest
        stored edge at or above it, else the largest) or the original for None."""
        if size is None or not image.sizes:
            return self._store.read_bytes(keys.image_key(image.hash, None)), image.mime
        fits = [s for s in image.sizes if s >= size]
        edge = min(fits) if fits else max(image.sizes)
        return self._store.read_bytes(keys.image_key(image.hash, edge)), "image/webp"
