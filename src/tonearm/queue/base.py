"""The task queue contract.

A queue only wakes workers: it may lose a task (huey is at-most-once when a worker
is killed), so every durable fact lives in the database (``models.job``) and the
reaper re-sends what was lost. Tasks take ids, never objects.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

TaskFn = Callable[..., object]


class TaskQueue(Protocol):
    """MUST: ``enqueue`` of a registered name is delivered to one ``run_one`` caller in
    any process sharing the queue's URL, at most once. ``run_one`` returns False
    when no task arrived within ``timeout`` seconds. A task that raises is logged by
    the caller and not retried by the queue (retries are the job table's business).
    """

    def register(self, name: str, fn: TaskFn) -> None: ...

    def enqueue(self, name: str, *args: str | int) -> None: ...

    def run_one(self, timeout: float) -> bool: ...

    def pending(self) -> int: ...
