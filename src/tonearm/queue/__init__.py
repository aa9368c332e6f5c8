"""Task queues chosen by URL: ``sqlite:///path`` (embedded huey), ``redis://`` (huey on Redis), ``memory://``."""

from __future__ import annotations

from tonearm.queue.base import TaskFn, TaskQueue
from tonearm.queue.huey_queue import HueyQueue
from tonearm.queue.memory import MemoryQueue

__all__ = ["HueyQueue", "MemoryQueue", "TaskFn", "TaskQueue", "open_queue"]


def open_queue(url: str) -> TaskQueue:
    if url.startswith("memory:"):
        return MemoryQueue()
    return HueyQueue.from_url(url)
