"""Reading ``GET /api/events`` (a response that never ends) from an in-process app or a
real server: ``(event, data)`` pairs in order, read by a thread."""

from __future__ import annotations

import json
import queue
import threading
import time
from typing import Any

import anyio
import httpx

Event = tuple[str, dict[str, Any]]


class _Lines:
    """Server-sent event lines in, events out."""

    def __init__(self) -> None:
        self.events: queue.Queue[Event] = queue.Queue()
        self.connected = threading.Event()
        self._buffer = ""
        self._name = ""
        self._data = ""

    def feed(self, text: str) -> None:
        self._buffer += text
        while "\n" in self._buffer:
            line, self._buffer = self._buffer.split("\n", 1)
            self.line(line)

    def line(self, line: str) -> None:
        if line == ": connected":
            self.connected.set()
        elif line.startswith("event: "):
            self._name = line.removeprefix("event: ")
        elif line.startswith("data: "):
            self._data = line.removeprefix("data: ")
        elif line == "" and self._name:
            self.events.put((self._name, json.loads(self._data)))
            self._name, self._data = "", ""


class Stream:
    """Common to both: waiting for events."""

    def __init__(self) -> None:
        self._lines = _Lines()
        self.seen: list[Event] = []

    def wait_for(self, wanted: Event, timeout: float = 20.0) -> list[Event]:
        """Every event up to and with ``wanted`` (seen since the last wait)."""
        got: list[Event] = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                event = self._lines.events.get(timeout=0.1)
            except queue.Empty:
                continue
            got.append(event)
            self.seen.append(event)
            if event == wanted:
                return got
        raise AssertionError(f"no {wanted} in {timeout}s; saw {got}")

    def live(self, got: list[Event]) -> list[tuple[str, int]]:
        return [(d["track_id"], d["listeners"]) for e, d in got if e == "live"]


class AppStream(Stream):
    """``GET /api/events`` of an in-process ASGI app, on its own thread and event loop."""

    def __init__(self, app: Any, headers: dict[str, str]) -> None:
        super().__init__()
        self.status = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=anyio.run, args=(self._go, app, headers))
        self._thread.daemon = True
        self._thread.start()
        assert self._lines.connected.wait(20), f"the stream did not open ({self.status})"

    async def _go(self, app: Any, headers: dict[str, str]) -> None:
        scope = {
            "type": "http",
            "asgi": {"version": "3.0", "spec_version": "2.4"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "http",
            "path": "/api/events",
            "raw_path": b"/api/events",
            "root_path": "",
            "query_string": b"",
            "headers": [(b"host", b"127.0.0.1")]
            + [(k.lower().encode(), v.encode()) for k, v in headers.items()],
            "client": ("127.0.0.1", 50000),
            "server": ("127.0.0.1", 80),
        }
        requested = False

        async def receive() -> dict[str, Any]:
            nonlocal requested
            if not requested:
                requested = True
                return {"type": "http.request", "body": b"", "more_body": False}
            while not self._stop.is_set():
                await anyio.sleep(0.05)
            return {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                self.status = message["status"]
                if self.status != 200:
                    self._lines.connected.set()
            elif message["type"] == "http.response.body":
                self._lines.feed(message.get("body", b"").decode())

        await app(scope, receive, send)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)


class HttpStream(Stream):
    """``GET /api/events`` of a real server."""

    def __init__(self, url: str, headers: dict[str, str]) -> None:
        super().__init__()
        self.status = 0
        self._thread = threading.Thread(target=self._read, args=(url, headers), daemon=True)
        self._thread.start()
        assert self._lines.connected.wait(20), f"the stream did not open ({self.status})"

    def _read(self, url: str, headers: dict[str, str]) -> None:
        try:
            with (
                httpx.Client(timeout=httpx.Timeout(10, read=120)) as client,
                client.stream("GET", f"{url}/api/events", headers=headers) as response,
            ):
                self.status = response.status_code
                for line in response.iter_lines():
                    self._lines.line(line)
        except httpx.HTTPError:
            pass
