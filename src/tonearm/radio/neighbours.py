"""Exact nearest neighbours over every descriptor, in memory, with numpy.

The matrix holds one row per blob: the descriptor standardized over the library
(z-scores, so no unit dominates) and weighted per group, so that plain euclidean
distance weighs each group (timbre, harmony, rhythm, spectral shape, dynamics) by
:data:`GROUP_WEIGHTS` whatever its number of values. It is loaded once per process and
reloaded when ``blob_features`` gains a row (its newest ``computed_at``, one indexed
query per use) and every ten minutes. At 100k blobs it takes 24 MB and a full scan a
few milliseconds (``bench/radio.py``); past :data:`MAX_ROWS` it refuses to load, and a
vector index takes over (``docs/architecture.md``, "Radio and similarity").

Visibility is not known here: callers filter the candidates they get back.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import numpy.typing as npt
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tonearm.errors import Unavailable
from tonearm.media.descriptors import DESCRIPTOR_VERSION, LAYOUT, SIZE, Vector, vector_from_bytes
from tonearm.models import BlobFeatures
from tonearm.types import BlobHash

RELOAD_S = 600.0
MAX_ROWS = 1_000_000
"""About 240 MB of float32: beyond this an exact scan per request is the wrong tool."""
GROUP_WEIGHTS: Mapping[str, float] = {
    "timbre": 0.6,
    "harmony": 0.3,
    "rhythm": 1.0,
    "spectral": 1.2,
    "dynamics": 1.0,
}
"""Relative say of each group in the distance. Chosen by a one-at-a-time sweep on a
development set (``bench/similarity_eval.py --seed 16``: precision@5 0.69 with all
near 1, 0.76 with these); harmony stays low because absolute chroma follows the key,
which says little about whether two tracks sound alike. Figures reported elsewhere use
other seeds."""


def dimension_weights(weights: Mapping[str, float] = GROUP_WEIGHTS) -> npt.NDArray[np.float32]:
    out = np.zeros(SIZE, dtype=np.float32)
    for group in LAYOUT:
        width = group.stop - group.start
        out[group.start : group.stop] = weights.get(group.name, 0.0) / np.sqrt(width)
    return out


@dataclass(frozen=True)
class Matrix:
    """One snapshot: ``rows[i]`` describes ``hashes[i]``."""

    hashes: Sequence[BlobHash]
    rows: npt.NDArray[np.float32]
    mean: npt.NDArray[np.float32]
    scale: npt.NDArray[np.float32]
    """Per dimension: weight / standard deviation."""
    position: Mapping[BlobHash, int]
    norms: npt.NDArray[np.float32]
    """Squared length of each row: distances need one matrix-vector product (BLAS)."""

    @classmethod
    def build(
        cls,
        hashes: Sequence[BlobHash],
        raw: npt.NDArray[np.float32],
        weights: npt.NDArray[np.float32],
    ) -> Matrix:
        if raw.shape[0]:
            mean = raw.mean(axis=0)
            std = raw.std(axis=0)
        else:
            mean = np.zeros(SIZE, np.float32)
            std = np.ones(SIZE, np.float32)
        std = np.where(std > 1e-6, std, 1.0).astype(np.float32)
        scale = (weights / std).astype(np.float32)
        rows = ((raw - mean) * scale).astype(np.float32)
        position = {h: i for i, h in enumerate(hashes)}
        norms = np.einsum("ij,ij->i", rows, rows).astype(np.float32)
        return cls(hashes, rows, mean.astype(np.float32), scale, position, norms)

    def __len__(self) -> int:
        return len(self.hashes)

    def embed(self, raw: Vector) -> npt.NDArray[np.float32]:
        """A raw descriptor (or a mean of some) in this matrix's space."""
        return ((raw - self.mean) * self.scale).astype(np.float32)

    def raw(self, blob_hash: BlobHash) -> Vector | None:
        i = self.position.get(blob_hash)
        if i is None:
            return None
        raw: Vector = (self.rows[i] / self.scale + self.mean).astype(np.float32)
        return raw

    def distances(self, point: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        # |r - p|^2 = |r|^2 - 2 r.p + |p|^2: no (n, d) temporary. numpy's own loop
        # (einsum), not BLAS: OpenBLAS spreads a product this size over every core and
        # its threads spin; on the shared 2-core machine that took 29 ms of wall time
        # at 100k rows against 5 ms for einsum.
        products = np.einsum("ij,j->i", self.rows, point)
        squared: npt.NDArray[np.float32] = self.norms - 2.0 * products
        squared += float(np.dot(point, point))
        return squared

    def nearest(self, point: npt.NDArray[np.float32], k: int) -> npt.NDArray[np.intp]:
        """Row numbers of the ``k`` nearest rows, nearest first (all rows if fewer)."""
        d = self.distances(point)
        if k >= d.size:
            return np.argsort(d, kind="stable")
        top = np.argpartition(d, k)[:k]
        return top[np.argsort(d[top], kind="stable")]


class SoundIndex:
    """The process's :class:`Matrix`, reloaded when the descriptors change."""

    def __init__(self, *, max_rows: int = MAX_ROWS, weights: Mapping[str, float] = GROUP_WEIGHTS):
        self._max_rows = max_rows
        self._weights = dimension_weights(weights)
        self._lock = threading.Lock()
        self._stamp: datetime | None = None
        self._loaded_at = -RELOAD_S
        self._matrix = Matrix.build([], np.zeros((0, SIZE), np.float32), self._weights)

    def matrix(self, session: Session) -> Matrix:
        """The current matrix: reloaded when a descriptor was written since (the newest
        ``computed_at``, read from its index), and every :data:`RELOAD_S` anyway, to
        drop rows of deleted blobs (until then they are harmless: no track names them,
        so no candidate comes of them)."""
        newest = session.scalar(select(func.max(BlobFeatures.computed_at)))
        now = time.monotonic()
        if newest == self._stamp and now - self._loaded_at < RELOAD_S:
            return self._matrix
        with self._lock:
            if newest != self._stamp or now - self._loaded_at >= RELOAD_S:
                self._matrix = self._load(session)
                self._stamp = newest
                self._loaded_at = now
            return self._matrix

    def _load(self, session: Session) -> Matrix:
        count = session.scalar(select(func.count()).select_from(BlobFeatures)) or 0
        if count > self._max_rows:
            raise Unavailable(
                f"{count} sound descriptors are more than exact search handles "
                f"({self._max_rows}); see the administration guide.",
                code="too-many-descriptors",
            )
        hashes: list[BlobHash] = []
        vectors: list[Vector] = []
        for blob_hash, data in session.execute(
            select(BlobFeatures.blob_hash, BlobFeatures.vector)
            .where(BlobFeatures.version == DESCRIPTOR_VERSION)
            .order_by(BlobFeatures.blob_hash)
        ):
            vector = vector_from_bytes(data)
            if vector.size == SIZE:
                hashes.append(BlobHash(blob_hash))
                vectors.append(vector)
        raw = np.stack(vectors) if vectors else np.zeros((0, SIZE), np.float32)
        return Matrix.build(hashes, raw, self._weights)
