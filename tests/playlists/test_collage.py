"""The collage cover: built by the ``playlists.collage`` job from the first four
different pictures, rebuilt when they change."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

from PIL import Image
from tests.fixtures.accounts import drain
from tests.fixtures.audio import image_bytes, make_audio
from tests.playlists.conftest import World

from tonearm.models import Job, Playlist

COLORS = ("red", "green", "blue", "yellow", "white")


def covered_song(folder: Path, color: str, frequency: float) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    cover = folder / f"{color}.png"
    cover.write_bytes(image_bytes((300, 300), color=color))
    plain = make_audio(folder / f"{color}-plain.flac", seconds=2.0, frequency=frequency)
    tagged = folder / f"{color}.flac"
    subprocess.run(
        [
            *("ffmpeg", "-v", "error", "-y", "-i", str(plain), "-i", str(cover)),
            *("-map", "0:a", "-map", "1:v", "-c:a", "copy", "-c:v", "png"),
            *("-disposition:v", "attached_pic", str(tagged)),
        ],
        check=True,
    )
    return tagged


def test_collage_is_built_and_rebuilt_when_the_first_pictures_change(
    world: World, tmp_path: Path
) -> None:
    b = world.owner.browser
    tracks = []
    for n, color in enumerate(COLORS):
        path = covered_song(tmp_path / "songs", color, 300.0 + 100 * n)
        made = b.post("/api/tracks", files={"file": (path.name, path.read_bytes())})
        assert made.status_code == 201, made.text
        tracks.append(made.json()["id"])
    drain(world.site.c)
    pid = world.playlist(world.owner)["id"]
    items = b.post(f"/api/playlists/{pid}/items", json={"track_ids": tracks}).json()["items"]
    assert b.get(f"/api/playlists/{pid}").json()["cover"] is None  # not before the job ran
    drain(world.site.c)
    first = b.get(f"/api/playlists/{pid}").json()["cover"]
    assert set(first) == {"128", "512"}
    picture = b.get(first["512"])
    assert picture.status_code == 200 and picture.headers["content-type"] == "image/webp"
    with Image.open(io.BytesIO(picture.content)) as img:
        rgb = img.convert("RGB")
        assert rgb.size == (512, 512)
        quarters = [rgb.getpixel((x, y)) for y in (128, 384) for x in (128, 384)]
    expected = [(255, 0, 0), (0, 128, 0), (0, 0, 255), (255, 255, 0)]
    for got, want in zip(quarters, expected, strict=True):
        assert all(abs(g - w) < 24 for g, w in zip(got, want, strict=True)), (got, want)
    # Moving a later track (white) to the front changes the first four: rebuilt.
    b.post(f"/api/playlists/{pid}/items/{items[4]['id']}/move", json={"after_item_id": None})
    drain(world.site.c)
    second = b.get(f"/api/playlists/{pid}").json()["cover"]
    assert second["512"] != first["512"]
    with world.site.c.infra.uows.read() as session:
        playlist = session.get(Playlist, pid)
        assert playlist is not None and len(playlist.cover_source) == 4
        runs = session.query(Job).filter(Job.kind == "playlists.collage").one()
        assert runs.state == "done"
    # Removing the last item (not among the first four) schedules nothing.
    with world.site.c.infra.uows.read() as session:
        before = session.query(Job).filter(Job.kind == "playlists.collage").one().enqueued_at
    b.request("DELETE", f"/api/playlists/{pid}/items", json={"item_ids": [items[3]["id"]]})
    assert drain(world.site.c) == 0
    with world.site.c.infra.uows.read() as session:
        assert (
            session.query(Job).filter(Job.kind == "playlists.collage").one().enqueued_at == before
        )
    # The cover is checked like the playlist: a stranger gets 404.
    assert world.other.browser.get(second["128"]).status_code == 404
