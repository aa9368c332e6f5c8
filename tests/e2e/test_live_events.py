"""Change notices on a real ``tonearm serve``: an open ``/api/events`` stream hears of
changes made by other requests and by processing, only those its viewer may see, and
the server still stops promptly while streams are open."""

from __future__ import annotations

import json
import queue
import signal
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.fixtures.audio import MakeAudio
from tests.fixtures.database import fresh_database
from tests.fixtures.server import PASSWORD, Server

pytestmark = pytest.mark.e2e


class Stream:
    """An open event stream read by a thread: ``(event, data)`` pairs in ``events``."""

    def __init__(self, url: str, headers: dict[str, str]) -> None:
        self.events: queue.Queue[tuple[str, dict[str, Any]]] = queue.Queue()
        self.connected = threading.Event()
        self.status = 0
        self.ended = threading.Event()
        self._thread = threading.Thread(target=self._read, args=(url, headers), daemon=True)
        self._thread.start()
        assert self.connected.wait(20), f"the stream did not open (status {self.status})"

    def _read(self, url: str, headers: dict[str, str]) -> None:
        try:
            with (
                httpx.Client(timeout=httpx.Timeout(10, read=60)) as client,
                client.stream("GET", f"{url}/api/events", headers=headers) as response,
            ):
                self.status = response.status_code
                name, data = "", ""
                for line in response.iter_lines():
                    if line == ": connected":
                        self.connected.set()
                    elif line.startswith("event: "):
                        name = line.removeprefix("event: ")
                    elif line.startswith("data: "):
                        data = line.removeprefix("data: ")
                    elif line == "" and name:
                        self.events.put((name, json.loads(data)))
                        name, data = "", ""
        except httpx.HTTPError:
            pass
        finally:
            self.ended.set()

    def wait_for(self, topic: str, track_id: str, action: str, timeout: float = 60) -> list[Any]:
        """Every event up to the first ``topic`` event about ``track_id`` with ``action``."""
        seen: list[Any] = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                event = self.events.get(timeout=0.5)
            except queue.Empty:
                continue
            seen.append(event)
            if event == (topic, {"id": track_id, "action": action}):
                return seen
        raise AssertionError(f"no {topic} {action} for {track_id} in {timeout}s; saw {seen}")


def member_headers(server: Server, username: str) -> dict[str, str]:
    made = server.http.post(
        "/api/users", json={"username": username, "password": PASSWORD, "role": "member"}
    )
    assert made.status_code == 201, made.text
    with httpx.Client(base_url=server.url, timeout=60) as browser:
        signed = browser.post("/api/auth/login", json={"username": username, "password": PASSWORD})
        token = browser.post(
            "/api/me/tokens",
            json={"name": "t", "scopes": ["read"]},
            headers={"X-CSRF-Token": signed.json()["csrf_token"]},
        )
        assert token.status_code == 201, token.text
    return {"Authorization": f"Bearer {token.json()['token']}"}


def test_an_upload_and_its_processing_reach_an_open_page(server: Server, audio: MakeAudio) -> None:
    stream = Stream(server.url, server.auth)
    assert stream.status == 200
    made = server.upload(audio("live.flac", seconds=3.0))
    assert made.status_code == 201, made.text
    track_id = made.json()["id"]
    stream.wait_for("track", track_id, "created", timeout=10)
    stream.wait_for("track", track_id, "updated")  # processing finished
    assert server.track(track_id)["status"] == "ready"
    assert server.http.delete(f"/api/tracks/{track_id}").status_code == 204
    stream.wait_for("track", track_id, "deleted", timeout=10)


def test_a_private_track_is_not_announced_to_another_member(
    server: Server, audio: MakeAudio
) -> None:
    admin = Stream(server.url, server.auth)
    member = Stream(server.url, member_headers(server, "listener"))
    made = server.upload(audio("secret.flac", seconds=2.0))
    track_id = made.json()["id"]
    admin.wait_for("track", track_id, "created", timeout=10)
    published = server.http.patch(f"/api/tracks/{track_id}", json={"visibility": "public"})
    assert published.status_code == 200, published.text
    admin.wait_for("track", track_id, "updated", timeout=10)
    # The member hears of it only once it is public: nothing before that.
    seen = member.wait_for("track", track_id, "updated", timeout=10)
    assert [e for e in seen if e[1].get("id") == track_id] == [
        ("track", {"id": track_id, "action": "updated"})
    ]


def test_playlist_changes_reach_its_people_only(server: Server) -> None:
    """The admin's private playlist: a member hears nothing until invited as a collaborator,
    then hears of its changes; everyone who could see it hears of its deletion."""
    admin = Stream(server.url, server.auth)
    member = Stream(server.url, member_headers(server, "collaborator"))
    made = server.http.post("/api/playlists", json={"name": "Late night"})
    assert made.status_code == 201, made.text
    pid = made.json()["id"]
    admin.wait_for("playlist", pid, "created", timeout=10)
    renamed = server.http.patch(f"/api/playlists/{pid}", json={"name": "Later night"})
    assert renamed.status_code == 200, renamed.text
    admin.wait_for("playlist", pid, "updated", timeout=10)
    invited = server.http.post(
        f"/api/playlists/{pid}/collaborators", json={"username": "collaborator", "role": "viewer"}
    )
    assert invited.status_code == 201, invited.text
    seen = member.wait_for("playlist", pid, "updated", timeout=10)
    # Nothing from before the invitation: the creation and the rename stayed private.
    assert [e for e in seen if e[1].get("id") == pid] == [
        ("playlist", {"id": pid, "action": "updated"})
    ]
    assert server.http.delete(f"/api/playlists/{pid}").status_code == 204
    member.wait_for("playlist", pid, "deleted", timeout=10)


def test_anonymous_pages_get_no_stream_without_anonymous_listening(server: Server) -> None:
    refused = httpx.get(f"{server.url}/api/events", timeout=10)
    assert refused.status_code == 401
    assert refused.headers["content-type"] == "application/problem+json"


def test_the_server_stops_promptly_with_streams_open(tmp_path: Path) -> None:
    with fresh_database("sqlite", tmp_path) as url:
        srv = Server(tmp_path / "data", url, workers=0)
        streams = [Stream(srv.url, srv.auth) for _ in range(3)]
        srv.stop()  # SIGTERM, then SIGKILL after 15 s
        # uvicorn re-raises the signal it stopped for: -SIGTERM, not the -SIGKILL of a
        # server that waited on its open streams.
        assert srv.process.proc.returncode == -signal.SIGTERM, srv.process.output()[-3000:]
        assert "Finished server process" in srv.process.output()
        assert all(s.ended.wait(5) for s in streams)
