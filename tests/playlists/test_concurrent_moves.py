"""Two clients reordering one playlist at once, against a real ``tonearm serve``."""

from __future__ import annotations

import itertools
import random
import threading
from pathlib import Path

import httpx
import pytest
from tests.fixtures.audio import make_audio
from tests.fixtures.server import Server

pytestmark = pytest.mark.e2e

ITEMS = 16
MOVES = 40


def test_concurrent_moves_keep_a_permutation_in_strict_order(
    server: Server, tmp_path: Path
) -> None:
    tracks = []
    for n in range(ITEMS):
        # Different bytes each: the same bytes again would answer with the same track.
        song = make_audio(tmp_path / f"{n}.flac", seconds=1.5, frequency=300.0 + 25 * n)
        made = server.upload(song, f"{n}.flac")
        assert made.status_code == 201, made.text
        tracks.append(made.json()["id"])
    pid = server.http.post("/api/playlists", json={"name": "race"}).json()["id"]
    added = server.http.post(f"/api/playlists/{pid}/items", json={"track_ids": tracks})
    assert added.status_code == 200, added.text
    item_ids = [i["id"] for i in added.json()["items"]]
    errors: list[str] = []
    start = threading.Barrier(3)

    def reorder(seed: int) -> None:
        rng = random.Random(seed)
        with httpx.Client(base_url=server.url, headers=server.auth, timeout=60) as client:
            start.wait()
            for _ in range(MOVES):
                item = rng.choice(item_ids)
                after = rng.choice([None, *item_ids])
                r = client.post(
                    f"/api/playlists/{pid}/items/{item}/move", json={"after_item_id": after}
                )
                if r.status_code != 200:
                    errors.append(f"{r.status_code} {r.text}")
            # Two clients adding at the same spot at the same time.
            r = client.post(
                f"/api/playlists/{pid}/items",
                json={"track_ids": tracks[:2], "after_item_id": item_ids[0]},
            )
            if r.status_code != 200:
                errors.append(f"{r.status_code} {r.text}")

    threads = [threading.Thread(target=reorder, args=(seed,)) for seed in (1, 2, 3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    page = server.http.get(f"/api/playlists/{pid}/items", params={"limit": 500}).json()
    got = [i["id"] for i in page["items"]]
    positions = [i["position"] for i in page["items"]]
    assert len(got) == ITEMS + 6 and len(set(got)) == len(got)
    assert set(item_ids) <= set(got)  # nothing lost, nothing doubled
    assert all(a < b for a, b in itertools.pairwise(positions))  # a strict order
    # Every change counted once (none lost): creation, 1 add, 3 x (MOVES moves + 1 add).
    assert page["version"] == 1 + 1 + 3 * (MOVES + 1)
