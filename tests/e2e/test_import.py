"""`tonearm import` as a person runs it: a real subprocess on a data dir and database.

A generated tree (nested folders, a cover picture, lyrics beside a file, two identical
files, files that are not audio), imported, re-imported, then watched; the effect is
checked in the tables and in what the command says.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import create_engine, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from tests.fixtures.audio import make_audio
from tests.fixtures.database import BACKENDS, fresh_database
from tests.fixtures.server import TONEARM
from tonearm.models import Blob, ImportedFile, Job, Track, User
from tonearm.models import Image as StoredImage

pytestmark = pytest.mark.e2e


@dataclass
class Site:
    data_dir: Path
    database_url: str
    engine: Engine

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "TONEARM_DATA_DIR": str(self.data_dir),
            "TONEARM_DATABASE_URL": self.database_url,
            "TONEARM_LOG_JSON_LINES": "true",
        }

    def tonearm(self, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [TONEARM, *args],
            input=stdin,
            capture_output=True,
            text=True,
            timeout=300,
            env=self.env(),
            check=False,
        )


@pytest.fixture(scope="module", params=BACKENDS)
def site(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Site]:
    data = tmp_path_factory.mktemp("import")
    with fresh_database(request.param, data) as url:
        engine = create_engine(url)
        s = Site(data, url, engine)
        for name, extra in (("admin", ["--admin"]), ("ana", [])):
            done = s.tonearm(
                "user", "add", name, *extra, "--password-stdin", stdin="long enough pw\n"
            )
            assert done.returncode == 0, done.stderr
        yield s
        engine.dispose()


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("music")
    album = root / "Artist" / "Album"
    album.mkdir(parents=True)
    make_audio(album / "01 one.flac", seconds=2.0, frequency=330.0)
    make_audio(album / "02 two.mp3", seconds=2.0, frequency=440.0)
    Image.new("RGB", (64, 64), (200, 30, 30)).save(album / "Cover.JPG", "JPEG")
    (album / "01 one.lrc").write_text("[00:00.50] la la\n[00:01.00] lá\n", encoding="utf-8")
    single = root / "Singles"
    single.mkdir()
    make_audio(single / "solo.ogg", seconds=2.0, frequency=550.0)
    shutil.copy(album / "01 one.flac", single / "same as one.flac")  # a duplicate
    (single / "notes.flac").write_text("this is not audio\n")
    (single / "list.mp3").write_text("#EXTM3U\n#EXTINF:1,x\n/etc/passwd\n")
    (single / "cut.flac").write_bytes((album / "01 one.flac").read_bytes()[:3000])
    hidden = root / ".hidden"
    hidden.mkdir()
    make_audio(hidden / "secret.flac", seconds=2.0, frequency=660.0)
    (root / "readme.txt").write_text("not considered: not an audio name")
    return root


def _tracks(site: Site, owner: str) -> list[Track]:
    with Session(site.engine) as s:
        uid = s.scalar(select(User.id).where(User.username == owner))
        return list(s.scalars(select(Track).where(Track.owner_id == uid)).unique())


def _count(site: Site, model: type) -> int:
    with site.engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(model)) or 0)


def test_import_a_tree_then_again(site: Site, tree: Path) -> None:
    done = site.tonearm("import", str(tree), "--owner", "ana", "--visibility", "unlisted")
    out = done.stdout
    assert done.returncode == 7, (done.returncode, out, done.stderr)  # some files failed
    assert "new:             3" in out
    assert "already stored:  1" in out
    assert "unchanged:       0" in out
    assert "failed:          3" in out
    assert "Singles/notes.flac: This file is text, not audio" in out
    assert "Singles/list.mp3: This file is an HLS playlist" in out
    # Past the cheap look at its first bytes: refused by ffprobe, as an upload would be.
    assert "Singles/cut.flac: This file is not audio tonearm can read" in out
    assert "being processed by the server" in out

    tracks = {t.filename: t for t in _tracks(site, "ana")}
    assert sorted(tracks) == ["01 one.flac", "02 two.mp3", "solo.ogg"]
    assert {t.visibility for t in tracks.values()} == {"unlisted"}
    one, two, solo = tracks["01 one.flac"], tracks["02 two.mp3"], tracks["solo.ogg"]
    assert one.lyrics == "[00:00.50] la la\n[00:01.00] lá"
    assert two.lyrics is None and solo.lyrics is None
    assert one.cover_image is not None and one.cover_image == two.cover_image
    assert solo.cover_image is None
    assert _count(site, StoredImage) == 1
    stored = list((site.data_dir / "blobs").rglob(f"*{one.cover_image}*"))
    assert stored, "the cover's files are in the store"
    # Encoding is queued for the server; the duplicate is one blob, one reference.
    with site.engine.connect() as conn:
        refs = conn.scalar(select(Blob.refcount).where(Blob.hash == one.blob_hash))
        jobs = conn.scalar(select(func.count()).select_from(Job))
    assert refs == 1 and jobs == 3
    assert _count(site, ImportedFile) == 4  # the duplicate's path too
    assert not list((site.data_dir / "tmp" / "uploads").glob("*"))

    again = site.tonearm("import", str(tree), "--owner", "ana", "--visibility", "unlisted")
    assert again.returncode == 7, again.stderr
    assert "new:             0" in again.stdout
    assert "already stored:  0" in again.stdout
    assert "unchanged:       4" in again.stdout
    assert "failed:          3" in again.stdout
    assert len(_tracks(site, "ana")) == 3

    # A file changed since: read again; the same bytes under a new time are not added.
    one_path = tree / "Artist" / "Album" / "01 one.flac"
    os.utime(one_path, ns=(time.time_ns(), time.time_ns()))
    touched = site.tonearm("import", str(tree / "Artist"), "--owner", "ana")
    assert touched.returncode == 0, touched.stdout + touched.stderr
    assert "already stored:  1" in touched.stdout and "unchanged:       1" in touched.stdout


def test_an_unknown_owner_is_refused(site: Site, tree: Path) -> None:
    done = site.tonearm("import", str(tree), "--owner", "nobody")
    assert done.returncode == 3
    assert "cannot import for 'nobody'" in done.stderr


def test_watch_imports_files_as_they_appear(site: Site, tmp_path: Path) -> None:
    watched = tmp_path / "incoming"
    watched.mkdir()
    proc = subprocess.Popen(
        [TONEARM, "import", str(watched), "--owner", "admin", "--watch"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=site.env(),
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        while line and not line.startswith("Watching"):
            line = proc.stdout.readline()
        assert line.startswith("Watching"), proc.stderr.read() if proc.stderr else ""
        # Written elsewhere then moved in, as a copy tool would finish it.
        make_audio(tmp_path / "new.flac", seconds=2.0, frequency=770.0)
        (tmp_path / "new.flac").rename(watched / "new.flac")
        line = proc.stdout.readline()  # what the command says once it has imported it
        assert line.startswith("1 more file(s) seen; so far 1 new"), line
        found = _tracks(site, "admin")
        assert [t.filename for t in found] == ["new.flac"]
        assert found[0].visibility == "private"
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, (out, err)
    assert "Stopped: 1 file(s) for 'admin'" in out
    assert "new:             1" in out
