"""Writes a generated library into supysonic's database, as its scanner would have.

Run by ``bench/subsonic.py`` with the Python of supysonic's own virtual environment
(``.bench/supysonic-venv``), never tonearm's: it imports supysonic.

    python supysonic_seed.py CONFIG LIBRARY_JSON MUSIC_DIR USER PASSWORD [--analyze]

supysonic creates its schema (``init_database``) and the account (``UserManager``);
folders, artists, albums and tracks then go in through its own peewee models in bulk
(``insert_many``, one transaction per batch): its scanner reads every file with mutagen,
which takes hours at 100k files. Each track needs a path of its own (supysonic keeps
paths unique), so ``MUSIC_DIR/<artist>/<album>/<nn title>.mp3`` is a symlink to one of
the few real files the library names; folders mirror that tree as a scan would.
"""

from __future__ import annotations

import json
import sys
import uuid
from datetime import datetime
from hashlib import sha1
from pathlib import Path

from supysonic.config import IniConfig
from supysonic.db import Album, Artist, Folder, Track, db, init_database
from supysonic.managers.user import UserManager

BATCH = 2000


def path_hash(path: str) -> bytes:
    return sha1(path.encode()).digest()  # noqa: S324 -- supysonic's own key for a path


def seed(
    config: Path, library: Path, music: Path, user: str, password: str, *, analyze: bool
) -> None:
    init_database(IniConfig([str(config)]).BASE["database_uri"])
    lib = json.loads(library.read_text())
    UserManager.add(user, password, admin=True)
    music.mkdir(parents=True, exist_ok=True)
    root_path = str(music.resolve())
    with db.atomic():
        root = Folder.create(root=True, name="music", path=root_path, last_scan=0)
        artists = lib["artists"]
        Artist.insert_many(
            [{"id": uuid.UUID(a["id"]), "name": a["name"]} for a in artists]
        ).execute()
        Album.insert_many(
            [
                {
                    "id": uuid.UUID(a["id"]),
                    "name": a["title"],
                    "artist": uuid.UUID(artists[a["artist"]]["id"]),
                }
                for a in lib["albums"]
            ]
        ).execute()

    # Folders: one per artist, one per album under it, as the scanner makes them.
    folder_of_artist: dict[int, int] = {}
    folder_of_album: dict[int, int] = {}
    with db.atomic():
        for i, a in enumerate(artists):
            path = str(Path(root_path, a["dir"]))
            Path(path).mkdir(exist_ok=True)
            folder_of_artist[i] = Folder.insert(
                root=False,
                name=a["dir"],
                path=path,
                _path_hash=path_hash(path),
                parent=root.id,
                created=datetime.fromisoformat(a["created"]),
                last_scan=0,
            ).execute()
        for i, al in enumerate(lib["albums"]):
            parent = artists[al["artist"]]["dir"]
            path = str(Path(root_path, parent, al["dir"]))
            Path(path).mkdir(exist_ok=True)
            folder_of_album[i] = Folder.insert(
                root=False,
                name=al["dir"],
                path=path,
                _path_hash=path_hash(path),
                parent=folder_of_artist[al["artist"]],
                created=datetime.fromisoformat(al["created"]),
                last_scan=0,
            ).execute()

    audio = lib["audio"]
    rows = []
    for t in lib["tracks"]:
        al = lib["albums"][t["album"]]
        name = f"{t['number']:02d} {t['file']}"
        path = str(Path(root_path, artists[al["artist"]]["dir"], al["dir"], name))
        Path(path).symlink_to(audio[t["audio"]]["path"])
        rows.append(
            {
                "id": uuid.UUID(t["id"]),
                "disc": 1,
                "number": t["number"],
                "title": t["title"],
                "year": al["year"],
                "genre": t["genre"],
                "duration": audio[t["audio"]]["seconds"],
                "has_art": False,
                "album": uuid.UUID(al["id"]),
                "artist": uuid.UUID(artists[al["artist"]]["id"]),
                "bitrate": audio[t["audio"]]["kbps"],
                "path": path,
                "_path_hash": path_hash(path),
                "created": datetime.fromisoformat(t["created"]),
                "last_modification": 0,
                "play_count": 0,
                "root_folder": root.id,
                "folder": folder_of_album[t["album"]],
            }
        )
        if len(rows) >= BATCH:
            with db.atomic():
                Track.insert_many(rows).execute()
            rows = []
    if rows:
        with db.atomic():
            Track.insert_many(rows).execute()
    if analyze:  # supysonic itself never does; the bench may, to see what it changes
        db.execute_sql("ANALYZE")


if __name__ == "__main__":
    seed(
        Path(sys.argv[1]),
        Path(sys.argv[2]),
        Path(sys.argv[3]),
        sys.argv[4],
        sys.argv[5],
        analyze="--analyze" in sys.argv[6:],
    )
