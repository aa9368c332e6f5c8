"""An in-process queue for tests that run tasks on demand."""

from __future__ import annotations

import logging
import queue

from tonearm.queue.base import TaskFn

log = logging.getLogger(__name__)


class MemoryQueue:
    def __init__(self) -> None:
        self._tasks: dict[str, TaskFn] = {}
        self._queue: queue.Queue[tuple[str, tuple[str | int, ...]]] = queue.Queue()

    def register(self, name: str, fn: TaskFn) -> None:
        self._tasks[name] = fn

    def enqueue(self, name: str, *args: str | int) -> None:
        if name not in self._tasks:
            raise KeyError(f"unknown task {name}")
        self._queue.put((name, args))

    def run_one(self, timeout: float) -> bool:
        try:
            name, args = self._queue.get(timeout=timeout)
        except queue.Empty:
            return False
        try:
            self._tasks[name](*args)
        except Exception:
            log.exception("task %s failed", name)
        return True

    def pending(self) -> int:
        return self._queue.qsize()
