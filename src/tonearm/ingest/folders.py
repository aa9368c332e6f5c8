"""Importing a folder of audio files: each file goes through ``IngestService.finish``.

A file is read once, in chunks: copied into the staging area while it is hashed (as an
upload's body is), then probed and admitted exactly as an upload. What lies beside it
comes along: a folder picture (``cover.jpg`` ...) becomes the track's cover and a
``<same name>.lrc``/``.txt`` its lyrics, in the transaction that adds the track.

The ledger (``import_files``) remembers path, size and modification time of every file
imported for an owner, so a re-run skips unchanged files after one ``stat`` each,
without reading them. Bytes the owner already has as a track are answered with that
track (``ALREADY``), never a second one.

Thread-safe: ``import_file`` is called from a pool of threads (hashing, ffprobe and
the database wait on I/O and subprocesses, not on the interpreter).
"""

from __future__ import annotations

import codecs
import enum
import functools
import hashlib
import logging
import os
import re
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from tonearm.db.unit_of_work import UnitOfWorkFactory
from tonearm.errors import TonearmError, UnsupportedMedia
from tonearm.ingest.repository import ImportRepository, LedgerEntry
from tonearm.ingest.service import IngestService, TrackExtras
from tonearm.ingest.staging import FileLock, HashingWriter, StagedFile, StagingArea, safe_filename
from tonearm.media.formats import SUPPORTED, refused_container
from tonearm.media.lyrics import clean_lyrics
from tonearm.models import Visibility
from tonearm.types import TrackId, UserId

log = logging.getLogger(__name__)

AUDIO_SUFFIXES: frozenset[str] = frozenset(
    {
        ".mp3",
        ".flac",
        ".wav",
        ".aif",
        ".aiff",
        ".aifc",
        ".ogg",
        ".oga",
        ".opus",
        ".m4a",
        ".m4b",
        ".mp4",
        ".aac",
        ".wv",
        ".mka",
    }
)
"""Names the walk considers audio: the containers of ``media.formats.DEMUXERS``."""

COVER_NAMES: tuple[str, ...] = ("cover.jpg", "cover.jpeg", "folder.jpg", "front.jpg", "cover.png")
"""Folder pictures, in order of preference (names compared case-insensitively)."""
LYRICS_SUFFIXES: tuple[str, ...] = (".lrc", ".txt")
MAX_LYRICS_BYTES = 256 * 1024
MAX_COVER_BYTES = 10 * 1024 * 1024
CHUNK = 1024 * 1024
_DISC_FOLDER = re.compile(r"(cd|dis[ck])\s*\d+", re.IGNORECASE)


class Outcome(enum.StrEnum):
    NEW = "new"
    """A track was added."""
    ALREADY = "already stored"
    """The owner already had these bytes as a track; nothing was added."""
    UNCHANGED = "unchanged"
    """Imported before and unchanged since (path, size, modification time): not read."""
    FAILED = "failed"


@dataclass(frozen=True)
class FileResult:
    path: Path
    outcome: Outcome
    size: int
    track_id: TrackId | None = None
    reason: str | None = None


def walk(root: Path) -> Iterator[Path]:
    """Audio files under ``root`` (or ``root`` itself), in sorted order.

    Hidden files and folders (a leading dot) are skipped. Symbolic links to folders are
    not followed; a link to a file is taken only if it resolves inside ``root``, so a
    link can never pull in something outside the folder being imported.
    """
    root = root.absolute()
    if root.is_file():
        if is_audio_name(root):
            yield root
        return
    real_root = root.resolve()
    for folder, dirs, files in os.walk(root, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            path = Path(folder) / name
            if name.startswith(".") or not is_audio_name(path):
                continue
            if path.is_symlink() and not path.resolve().is_relative_to(real_root):
                continue
            yield path


def is_audio_name(path: Path) -> bool:
    return path.suffix.lower() in AUDIO_SUFFIXES and not path.name.startswith(".")


def sniff(head: bytes) -> str | None:
    """Why these first bytes cannot start an audio file, or None if they may.

    Cheap: it spares copying a file that is plainly something else. What passes is
    still judged by ffprobe, as an upload is.
    """
    if not head:
        return "The file is empty."
    if (
        head[:3] == b"ID3"
        or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0)  # MPEG/ADTS sync
        or head[:4] in (b"fLaC", b"RIFF", b"RF64", b"FORM", b"OggS", b"wvpk", b"\x1a\x45\xdf\xa3")
        or head[4:8] == b"ftyp"
    ):
        return None
    text = head.lstrip(b"\xef\xbb\xbf").lstrip()
    if text.startswith(b"#EXTM3U"):
        return refused_container("hls").message
    if text.startswith(b"ffconcat"):
        return refused_container("concat").message
    if all(b in b"\t\n\r" or 32 <= b < 127 or b >= 128 for b in head[:64]):
        return f"This file is text, not audio tonearm can read (supported: {SUPPORTED})."
    return f"This file does not start like any audio format tonearm reads (supported: {SUPPORTED})."


class FolderImporter:
    def __init__(
        self,
        uows: UnitOfWorkFactory,
        ingest: IngestService,
        staging: StagingArea,
        *,
        max_bytes: int,
    ) -> None:
        self._uows = uows
        self._ingest = ingest
        self._staging = staging
        self._max_bytes = max_bytes
        self._ledger_lock = threading.Lock()

    def ledger(self, owner_id: UserId) -> dict[str, LedgerEntry]:
        """What was imported for ``owner_id`` and still has its track, by path."""
        with self._uows.read() as session:
            return ImportRepository(session).entries(owner_id)

    def import_file(
        self,
        path: Path,
        owner_id: UserId,
        visibility: Visibility,
        ledger: dict[str, LedgerEntry],
        on_bytes: Callable[[int], None] | None = None,
    ) -> FileResult:
        """Import one file (see the module's docstring); never raises for a bad file."""
        try:
            st = path.stat()
        except OSError as exc:
            return FileResult(path, Outcome.FAILED, 0, reason=f"cannot read it: {exc.strerror}")
        key = str(path)
        known = ledger.get(key)
        if known is not None and (known.size, known.mtime_ns) == (st.st_size, st.st_mtime_ns):
            return FileResult(path, Outcome.UNCHANGED, st.st_size, track_id=known.track_id)
        try:
            staged = self._stage(path, on_bytes)
            if (staged.size, path.stat().st_mtime_ns) != (st.st_size, st.st_mtime_ns):
                staged.discard()
                return FileResult(
                    path,
                    Outcome.FAILED,
                    st.st_size,
                    reason="it changed while being read; import it again once it is complete.",
                )
            accepted = self._ingest.finish(staged, owner_id, visibility, extras=self._extras(path))
        except TonearmError as refused:
            return FileResult(path, Outcome.FAILED, st.st_size, reason=refused.message)
        except OSError as exc:
            return FileResult(path, Outcome.FAILED, st.st_size, reason=f"cannot read it: {exc}")
        except Exception as exc:  # one file's surprise must not end a long import
            log.exception("importing %s failed", path)
            return FileResult(path, Outcome.FAILED, st.st_size, reason=f"unexpected error: {exc}")
        entry = LedgerEntry(
            size=st.st_size,
            mtime_ns=st.st_mtime_ns,
            sha256=staged.sha256,
            track_id=accepted.track_id,
        )
        with self._uows() as uow:
            ImportRepository(uow.session).record(owner_id, key, path_key(key), entry)
        with self._ledger_lock:
            ledger[key] = entry
        outcome = Outcome.ALREADY if accepted.deduplicated else Outcome.NEW
        return FileResult(path, outcome, st.st_size, track_id=accepted.track_id)

    def processing_left(self, track_ids: Iterable[TrackId]) -> int:
        """How many of these tracks' audio is still waiting for or in processing."""
        with self._uows.read() as session:
            return ImportRepository(session).unprocessed(list(track_ids))

    def _stage(self, path: Path, on_bytes: Callable[[int], None] | None) -> StagedFile:
        """Copy ``path`` into the staging area, hashing it on the way, chunk by chunk."""
        with path.open("rb") as source:
            reason = sniff(source.read(64))
            if reason is not None:
                raise UnsupportedMedia(reason, code="not-audio")
            source.seek(0)
            writer = HashingWriter(self._staging.new_path(), limit=self._max_bytes)
            lock = FileLock(writer.path)
            lock.acquire()  # no sweep removes it while it is in flight
            try:
                while chunk := source.read(CHUNK):
                    writer.write(chunk)
                    if on_bytes is not None:
                        on_bytes(len(chunk))
                writer.close()
            except BaseException:
                writer.close()
                writer.path.unlink(missing_ok=True)
                lock.release()
                raise
        return StagedFile(
            path=writer.path,
            sha256=writer.hexdigest(),
            size=writer.size,
            filename=safe_filename(path.name),
            lock=lock,
        )

    def _extras(self, path: Path) -> TrackExtras:
        return TrackExtras(cover=folder_picture(path.parent), lyrics=sidecar_lyrics(path))


def path_key(path: str) -> str:
    return hashlib.sha256(path.encode("utf-8", "surrogateescape")).hexdigest()


def folder_picture(folder: Path) -> bytes | None:
    """The folder's picture (``cover.jpg``, ``folder.jpg`` ...), or its parent's for a
    disc folder (``CD1``, ``Disc 2``)."""
    try:
        changed = folder.stat().st_mtime_ns
    except OSError:
        return None
    return _folder_picture(folder, changed)


@functools.lru_cache(maxsize=64)
def _folder_picture(folder: Path, _changed: int) -> bytes | None:
    """Read once per folder and version of it (a picture added later is found)."""
    by_name = _names(folder)
    for name in COVER_NAMES:
        found = by_name.get(name)
        if found is not None:
            try:
                if found.stat().st_size <= MAX_COVER_BYTES:
                    return found.read_bytes()
            except OSError:
                continue
    if _DISC_FOLDER.fullmatch(folder.name.strip()):
        return folder_picture(folder.parent)
    return None


def sidecar_lyrics(audio: Path) -> str | None:
    """``<same name>.lrc`` (preferred) or ``.txt`` beside ``audio``, as text.

    UTF-8 (invalid bytes replaced) unless a UTF-16 byte-order mark says otherwise;
    cleaned as lyrics from tags are (:func:`tonearm.media.lyrics.clean_lyrics`)."""
    for suffix in LYRICS_SUFFIXES:
        for candidate in (suffix, suffix.upper()):
            found = audio.with_name(f"{audio.stem}{candidate}")
            try:
                if found.is_symlink() or not found.is_file():
                    continue
                with found.open("rb") as fh:
                    data = fh.read(MAX_LYRICS_BYTES)
            except OSError:
                continue
            text = clean_lyrics(decode_lyrics(data))
            if text:
                return text
    return None


def decode_lyrics(data: bytes) -> str:
    """Text of a lyrics file's bytes (Windows editors often save LRC as UTF-16)."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    return data.decode("utf-8", errors="replace")


def _names(folder: Path) -> dict[str, Path]:
    """Plain files of ``folder`` by lower-cased name (pictures match whatever their case)."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return {}
    return {
        e.name.lower(): Path(e.path)
        for e in entries
        if e.is_file(follow_symlinks=False) and not e.name.startswith(".")
    }
