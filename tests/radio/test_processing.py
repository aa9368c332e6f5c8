"""Descriptors from the real pipeline, and the backfill job for blobs without one."""

from __future__ import annotations

import numpy as np
from sqlalchemy import delete, select

from tests.fixtures.accounts import drain
from tests.fixtures.audio import make_audio
from tests.radio.conftest import World
from tonearm.media import DESCRIPTOR_VERSION
from tonearm.media.descriptors import vector_from_bytes
from tonearm.models import BlobFeatures, Track


def features(world: World, track_id: str) -> BlobFeatures | None:
    with world.site.c.infra.uows.read() as session:
        blob_hash = session.scalar(select(Track.blob_hash).where(Track.id == track_id))
        return session.get(BlobFeatures, blob_hash)


def test_an_upload_gets_its_descriptor_and_the_backfill_restores_one(world: World) -> None:
    song = make_audio(world.tmp / "song.flac", seconds=4.0, frequency=440.0)
    made = world.owner.browser.post(
        "/api/tracks",
        params={"visibility": "public"},
        files={"file": ("song.flac", song.read_bytes())},
    )
    assert made.status_code == 201, made.text
    track_id = made.json()["id"]
    c = world.site.c
    drain(c)
    row = features(world, track_id)
    assert row is not None
    assert row.version == DESCRIPTOR_VERSION
    assert (row.key, row.mode) in {("A", "major"), ("A", "minor")}
    processed = vector_from_bytes(row.vector)
    similar = world.owner.browser.get(f"/api/tracks/{track_id}/similar").json()
    assert similar["pending"] is False

    # A blob processed before descriptors existed: the start-up backfill finds it.
    with c.infra.uows() as uow:
        uow.session.execute(delete(BlobFeatures))
    assert world.owner.browser.get(f"/api/tracks/{track_id}/similar").json()["pending"] is True
    with c.infra.uows() as uow:
        assert c.radio.describe.schedule(uow) is True
    drain(c)
    again = features(world, track_id)
    assert again is not None
    # Decoded again from the original to the same PCM: the same descriptor.
    np.testing.assert_allclose(vector_from_bytes(again.vector), processed, rtol=1e-4, atol=1e-4)
    with c.infra.uows() as uow:
        assert c.radio.describe.schedule(uow) is False  # nothing left to do
