"""The task queue on huey: a SQLite file when embedded, Redis when scaled out."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from huey import RedisHuey, SqliteHuey
from huey.api import Huey

from tonearm.queue.base import TaskFn

log = logging.getLogger(__name__)


class HueyQueue:
    def __init__(self, huey: Huey) -> None:
        self._huey = huey
        self._tasks: dict[str, Any] = {}

    @classmethod
    def from_url(cls, url: str) -> HueyQueue:
        parsed = urlparse(url)
        if parsed.scheme == "sqlite":
            path = Path(parsed.path)
            path.parent.mkdir(parents=True, exist_ok=True)
            # A file of its own, never the app database: huey manages its own locking.
            return cls(SqliteHuey(name="tonearm", filename=str(path), results=False, timeout=30))
        if parsed.scheme in ("redis", "rediss"):
            return cls(RedisHuey(name="tonearm", url=url, results=False, blocking=True))
        raise ValueError(f"unsupported queue URL scheme {parsed.scheme!r}")

    def register(self, name: str, fn: TaskFn) -> None:
        self._tasks[name] = self._huey.task(name=name)(fn)

    def enqueue(self, name: str, *args: str | int) -> None:
        self._tasks[name](*args)

    def run_one(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while True:
            task = self._huey.dequeue()
            if task is not None:
                try:
                    self._huey.execute(task)
                except Exception:
                    log.exception("task %s failed", task.name)
                return True
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            # The SQLite store does not block on dequeue; Redis' does (BRPOP).
            time.sleep(min(0.2, remaining))

    def pending(self) -> int:
        return int(self._huey.pending_count())
