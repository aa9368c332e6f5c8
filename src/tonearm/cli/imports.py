"""``tonearm import PATH --owner NAME``: a folder of audio files into someone's library.

Run where the server's data is (the same data dir and database). Every file goes
through the upload's own use case (``ingest.folders`` → ``IngestService.finish``);
this command hashes, probes and admits files on ``--jobs`` threads and then leaves:
encoding is queued for the server (``tonearm serve``) or a ``tonearm worker``, as for
an upload. ``--wait`` stays until that processing is done; ``--watch`` keeps importing
files as they appear until Ctrl-C.

Exit status: 0 when every file was imported or skipped; 7 when some files failed
(each is listed with the reason, everything else was imported); the usual codes for
errors before any file was read (3: no such owner).
"""

from __future__ import annotations

import os
import signal
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from tonearm.cli.config import build, data_options, settings_from
from tonearm.cli.sizes import format_size
from tonearm.models import Visibility

if TYPE_CHECKING:
    from tqdm import tqdm

    from tonearm.ingest.folders import FileResult, FolderImporter
    from tonearm.ingest.repository import LedgerEntry
    from tonearm.types import TrackId, UserId

EXIT_SOME_FAILED = 7
STABLE_S = 1.0
"""A file seen by ``--watch`` is imported once its size and time stop changing this long."""


@dataclass
class Summary:
    new: int = 0
    already: int = 0
    unchanged: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    """(path as given under the imported folder, reason)."""
    new_tracks: list[TrackId] = field(default_factory=list)

    def add(self, result: FileResult, shown: str) -> None:
        from tonearm.ingest.folders import Outcome

        if result.outcome == Outcome.NEW:
            self.new += 1
            if result.track_id is not None:
                self.new_tracks.append(result.track_id)
        elif result.outcome == Outcome.ALREADY:
            self.already += 1
        elif result.outcome == Outcome.UNCHANGED:
            self.unchanged += 1
        else:
            self.failed.append((shown, result.reason or "unknown error"))

    @property
    def files(self) -> int:
        return self.new + self.already + self.unchanged + len(self.failed)


@dataclass
class Run:
    importer: FolderImporter
    root: Path
    owner_id: UserId
    visibility: Visibility
    ledger: dict[str, LedgerEntry]
    pool: ThreadPoolExecutor
    summary: Summary = field(default_factory=Summary)

    def import_all(self, paths: list[Path], progress: bool = True) -> None:
        """Import ``paths`` on the pool, showing files, bytes, rate and ETA on stderr."""
        from tonearm.ingest.folders import Outcome

        sizes = {p: _size(p) for p in paths}
        with _bar(sum(sizes.values()), len(paths), enabled=progress) as bar:
            started = time.monotonic()
            futures: dict[Future[FileResult], Path] = {
                self.pool.submit(
                    self.importer.import_file,
                    path,
                    self.owner_id,
                    self.visibility,
                    self.ledger,
                    _counter(bar),
                ): path
                for path in paths
            }
            taken: set[Future[FileResult]] = set()
            try:
                for done, future in enumerate(as_completed(futures), start=1):
                    taken.add(future)
                    result = self._take(future)
                    if result.outcome == Outcome.UNCHANGED:
                        bar.update(sizes[futures[future]])  # not read: count it as passed
                    rate = done / max(1e-6, time.monotonic() - started)
                    bar.set_postfix_str(f"{done}/{len(paths)} files, {rate:.0f} files/s")
                    if result.reason is not None and progress:  # the summary lists it again
                        bar.write(
                            f"failed: {self._shown(result.path)}: {result.reason}", sys.stderr
                        )
            except KeyboardInterrupt:
                # Files not started are dropped; those in flight finish and are counted.
                for future in futures:
                    future.cancel()
                for future in futures:
                    if future not in taken and not future.cancelled():
                        self._take(future)
                raise

    def _take(self, future: Future[FileResult]) -> FileResult:
        result = future.result()
        self.summary.add(result, self._shown(result.path))
        return result

    def _shown(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.root.absolute()))
        except ValueError:
            return str(path)


@click.command("import")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--owner", required=True, help="The account whose library the tracks join.")
@click.option(
    "--visibility",
    type=click.Choice([v.value for v in Visibility]),
    default=Visibility.PRIVATE.value,
    show_default=True,
    help="Who may see the new tracks.",
)
@click.option(
    "--jobs",
    type=click.IntRange(1, 256),
    help="Files read, hashed and probed at once (default: the number of cores).",
)
@click.option("--watch", is_flag=True, help="Keep importing files as they appear (Ctrl-C stops).")
@click.option("--wait", is_flag=True, help="Stay until the server has processed the new tracks.")
@click.option(
    "--progress/--no-progress", default=None, help="Progress bar (default: on a terminal)."
)
@data_options
def import_folder(
    path: Path,
    owner: str,
    visibility: str,
    jobs: int | None,
    watch: bool,
    wait: bool,
    progress: bool | None,
    **options: Any,
) -> None:
    """Import the audio files under PATH into OWNER's library.

    Sorted walk; hidden files and folders skipped; links never lead outside PATH.
    Files already imported and unchanged (same path, size and modification time) are
    skipped without being read; audio the owner already has is not added twice.
    cover.jpg / folder.jpg / front.jpg / cover.png beside a file becomes its cover, a
    .lrc or .txt of the same name its lyrics. Encoding is done by the server or a
    worker after this command has queued it; it does not wait unless --wait.
    """
    from tonearm.errors import TonearmError
    from tonearm.ingest.folders import FolderImporter, walk

    c = build(settings_from(**options))
    try:
        with c.infra.uows.read() as session:
            try:
                user = c.accounts.service.user_by_name(session, owner)
            except TonearmError as exc:
                exc.message = f"cannot import for {owner!r}: {exc.message}"
                raise
            owner_id = user.id
        importer = FolderImporter(
            c.infra.uows,
            c.ingest.service,
            c.ingest.staging,
            max_bytes=c.settings.uploads.max_bytes,
        )
        show = sys.stderr.isatty() if progress is None else progress
        with (
            ThreadPoolExecutor(jobs or os.cpu_count() or 1, thread_name_prefix="import") as pool,
            _interruptible(),
        ):
            run = Run(
                importer, path, owner_id, Visibility(visibility), importer.ledger(owner_id), pool
            )
            interrupted = False
            try:
                run.import_all(list(walk(path)), progress=show)
                if watch:
                    _report(run.summary, owner, visibility, finished=False)
                    click.echo(f"Watching {path} for new files (Ctrl-C stops) ...")
                    sys.stdout.flush()
                    _watch(run, show)
            except KeyboardInterrupt:
                interrupted = True
                pool.shutdown(wait=True, cancel_futures=True)
            _report(run.summary, owner, visibility, finished=True, interrupted=interrupted)
            if run.summary.new_tracks:
                c.refresh_statistics()
            if wait and run.summary.new_tracks and not interrupted:
                _wait_processed(importer, run.summary.new_tracks, show)
    finally:
        c.close()
    if run.summary.failed:
        sys.exit(EXIT_SOME_FAILED)


def _watch(run: Run, progress: bool) -> None:
    """Import audio files that appear under the root once they stop changing."""
    import watchfiles

    from tonearm.ingest.folders import is_audio_name, walk

    pending: dict[Path, tuple[int, int, float]] = {}
    root = run.root.absolute()
    for changes in watchfiles.watch(
        root, watch_filter=None, debounce=300, step=50, rust_timeout=500, yield_on_timeout=True
    ):
        for change, raw in changes:
            changed = Path(raw)
            if change == watchfiles.Change.deleted or _hidden(changed, root):
                continue
            if changed.is_dir() and not changed.is_symlink():
                pending.update(dict.fromkeys(walk(changed), (-1, -1, 0.0)))  # moved in
            elif is_audio_name(changed):
                pending.setdefault(changed, (-1, -1, 0.0))
        ready = _stable(pending)
        if ready:
            before = run.summary.files
            run.import_all(ready, progress=progress)
            _report_watch(run.summary, before)


def _stable(pending: dict[Path, tuple[int, int, float]]) -> list[Path]:
    """The pending files unchanged for ``STABLE_S``; removes them (and vanished ones)."""
    now = time.monotonic()
    ready = []
    for path, (size, mtime, since) in list(pending.items()):
        try:
            st = path.stat()
        except OSError:
            del pending[path]
            continue
        if (st.st_size, st.st_mtime_ns) != (size, mtime):
            pending[path] = (st.st_size, st.st_mtime_ns, now)
        elif now - since >= STABLE_S:
            del pending[path]
            ready.append(path)
    return sorted(ready)


def _hidden(path: Path, root: Path) -> bool:
    try:
        parts = path.relative_to(root).parts
    except ValueError:
        return True
    return any(part.startswith(".") for part in parts)


def _report_watch(summary: Summary, before: int) -> None:
    click.echo(
        f"{summary.files - before} more file(s) seen; so far {summary.new} new, "
        f"{summary.already} already stored, {len(summary.failed)} failed."
    )
    sys.stdout.flush()


def _report(
    summary: Summary, owner: str, visibility: str, *, finished: bool, interrupted: bool = False
) -> None:
    what = "Stopped" if interrupted else ("Imported" if finished else "First pass")
    click.echo(f"{what}: {summary.files} file(s) for {owner!r} ({visibility}):")
    click.echo(f"  new:             {summary.new}")
    click.echo(f"  already stored:  {summary.already}")
    click.echo(f"  unchanged:       {summary.unchanged} (skipped, imported before)")
    click.echo(f"  failed:          {len(summary.failed)}")
    for path, reason in summary.failed:
        click.echo(f"    {path}: {reason}")
    if finished and summary.new:
        click.echo(
            f"{summary.new} new track(s) are being processed by the server (`tonearm serve`) "
            "or a `tonearm worker` on this data; each plays as soon as it is ready."
        )
    sys.stdout.flush()


def _wait_processed(importer: FolderImporter, tracks: Iterable[TrackId], progress: bool) -> None:
    from tqdm import tqdm

    ids = list(tracks)
    left = importer.processing_left(ids)
    with tqdm(
        total=len(ids), unit="track", desc="processing", file=sys.stderr, disable=not progress
    ) as bar:
        while left:
            bar.n = len(ids) - left
            bar.refresh()
            time.sleep(1.0)
            left = importer.processing_left(ids)
        bar.n = len(ids)
        bar.refresh()
    click.echo(f"{len(ids)} new track(s) processed.")


@contextmanager
def _bar(total_bytes: int, files: int, *, enabled: bool) -> Iterator[tqdm[Any]]:
    from tqdm import tqdm

    with tqdm(
        total=total_bytes,
        unit="B",
        unit_scale=True,
        unit_divisor=1024,
        desc=f"importing {files} file(s), {format_size(total_bytes)}",
        file=sys.stderr,
        disable=not enabled,
        smoothing=0.1,
    ) as bar:
        yield bar


@contextmanager
def _interruptible() -> Iterator[None]:
    """SIGTERM ends the command as Ctrl-C does: files in flight finish, then the summary."""

    def _stop(_signum: int, _frame: Any) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, _stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _counter(bar: tqdm[Any]) -> Callable[[int], None]:
    def count(n: int) -> None:
        bar.update(n)

    return count


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0
