"""Where the media binaries are, and how we run them.

Every child is started in its own session (process group), so killing it also kills
anything it spawned; every error path kills the group. Nothing here reads a setting:
the caller passes :class:`MediaTools` in.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import logging
import os
import re
import signal
import subprocess
import threading
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from tonearm.errors import Unavailable

log = logging.getLogger(__name__)

_STDERR_TAIL_LINES = 200


@dataclass(frozen=True)
class MediaTools:
    """Paths (or names on PATH) of the binaries the media package drives."""

    ffmpeg: str = "ffmpeg"
    ffprobe: str = "ffprobe"
    fpcalc: str = "fpcalc"


@dataclass(frozen=True)
class ToolResult:
    returncode: int
    stdout: bytes
    stderr: str


class ChildProcess:
    """A running tool whose stderr is drained in a thread into a bounded tail.

    Contract: ``stdout`` is whatever was asked for (a pipe to read, or ``None``);
    stderr is always consumed so the child can never block on it; :meth:`kill` kills
    the whole process group and is safe to call at any time, any number of times.
    Use it as a context manager: leaving the block kills the child if it still runs.
    """

    def __init__(self, args: Sequence[str], *, stdout_pipe: bool) -> None:
        self.args = list(args)
        try:
            self._popen = subprocess.Popen(
                self.args,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE if stdout_pipe else subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                start_new_session=True,
                preexec_fn=_die_with_parent,  # noqa: PLW1509 - only async-signal-safe prctl
            )
        except FileNotFoundError as exc:
            raise Unavailable(
                f"The media tool {self.args[0]!r} is not installed or not on PATH.",
                code="tool-missing",
            ) from exc
        self._tail: deque[str] = deque(maxlen=_STDERR_TAIL_LINES)
        assert self._popen.stderr is not None
        self._drain = threading.Thread(
            target=self._drain_stderr, args=(self._popen.stderr,), daemon=True
        )
        self._drain.start()

    @property
    def pid(self) -> int:
        return self._popen.pid

    @property
    def stdout(self) -> IO[bytes]:
        assert self._popen.stdout is not None, "started without a stdout pipe"
        return self._popen.stdout

    def poll(self) -> int | None:
        return self._popen.poll()

    def wait(self, timeout: float | None = None) -> int:
        return self._popen.wait(timeout)

    def _drain_stderr(self, stream: IO[bytes]) -> None:
        for raw in stream:
            self._tail.append(raw.decode("utf-8", errors="replace").rstrip("\r\n"))
        stream.close()

    def stderr_tail(self) -> list[str]:
        """The last lines of stderr; complete once the child has exited."""
        if self._popen.poll() is not None:
            self._drain.join(timeout=5)
        return list(self._tail)

    def last_error(self) -> str:
        """The last line ffmpeg logged at error level, or the last line at all.

        Server paths are replaced by "the file": the line reaches people (a track's
        failure reason); the log keeps it whole.
        """
        lines = [line for line in self.stderr_tail() if line.strip()]
        line = "no error message"
        for candidate in reversed(lines):
            if "[error]" in candidate or "[fatal]" in candidate:
                line = candidate
                break
        else:
            if lines:
                line = lines[-1]
        log.info("%s said: %s", self.args[0], line)
        return _PATHS.sub("the file", _strip_log_prefix(line))

    def send_kill(self) -> None:
        """SIGKILL the process group without waiting; safe from any thread."""
        if self._popen.returncode is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self._popen.pid, signal.SIGKILL)

    def kill(self) -> None:
        """Kill the process group, reap the child and close our end of its pipes."""
        self.send_kill()
        # Reap it even if it had already exited, so no zombie is left behind.
        with contextlib.suppress(subprocess.TimeoutExpired):
            self._popen.wait(timeout=5)
        for stream in (self._popen.stdout,):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()

    def __enter__(self) -> ChildProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.kill()


_PR_SET_PDEATHSIG = 1
_LIBC = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)


def _die_with_parent() -> None:
    """In the child before exec: be SIGKILLed when the process that started us dies.

    A worker killed with SIGKILL runs no cleanup, and its encoders would otherwise go
    on burning CPU and writing files nobody will publish. (Linux ties this to the
    thread that forked; children here are started by the job's own thread, which
    outlives them.)
    """
    _LIBC.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


# An absolute path (optionally a file: URL) up to the next space, quote or colon.
_PATHS = re.compile(r"(?:file:)?/[^\s'\":]+")


def _strip_log_prefix(line: str) -> str:
    """'[flac @ 0x55] [error] bad frame' -> 'bad frame' (our ``-loglevel level+...``)."""
    for marker in ("[error] ", "[fatal] ", "[warning] ", "[info] "):
        if marker in line:
            return line.split(marker, 1)[1].strip()
    return line.strip()


def run_tool(
    args: Sequence[str], *, timeout: float, max_stdout: int = 16 << 20, tail_only: bool = False
) -> ToolResult:
    """Run a short-lived tool to completion and return its output.

    Raises :class:`Unavailable` when it runs past ``timeout`` seconds or its stdout
    passes ``max_stdout`` bytes; the process group is killed on every error path.
    With ``tail_only`` stdout may be of any length and only its last ``max_stdout``
    bytes are returned (a listing of which only the end matters).
    A non-zero exit status is returned, not raised: the caller knows what it means.
    """
    deadline_timer: threading.Timer | None = None
    with ChildProcess(args, stdout_pipe=True) as child:
        timed_out = threading.Event()

        def on_timeout() -> None:
            timed_out.set()
            child.send_kill()

        deadline_timer = threading.Timer(timeout, on_timeout)
        deadline_timer.start()
        try:
            kept = bytearray()
            while block := child.stdout.read(1 << 16):
                kept += block
                if len(kept) > max_stdout:
                    if not tail_only:
                        raise Unavailable(
                            f"{args[0]} wrote more than {max_stdout} bytes; giving up.",
                            code="tool-output-too-large",
                        )
                    del kept[: len(kept) - max_stdout]
            returncode = child.wait()
        finally:
            deadline_timer.cancel()
        if timed_out.is_set():
            raise Unavailable(
                f"{Path(args[0]).name} took longer than {timeout:g} s; giving up.",
                code="tool-timeout",
            )
        return ToolResult(returncode, bytes(kept), "\n".join(child.stderr_tail()))
