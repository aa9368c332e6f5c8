"""Paging, lookups and the errors people see, through the services."""

from __future__ import annotations

import base64

import pytest

from tests.fixtures.accounts import drain, member_viewer
from tests.fixtures.audio import MakeAudio
from tests.service.conftest import upload
from tonearm.accounts.principal import Viewer
from tonearm.container import Container
from tonearm.errors import BadRequest, Conflict, NotFound
from tonearm.library.schemas import TrackPatch
from tonearm.models import Visibility
from tonearm.types import TrackId


def test_paging_walks_every_track_once_newest_first(
    app: Container, viewer: Viewer, audio: MakeAudio
) -> None:
    ids = [
        upload(app, viewer, audio(f"p{i}.flac", seconds=1.5, frequency=300.0 + i)).track_id
        for i in range(5)
    ]
    seen: list[str] = []
    cursor = None
    with app.infra.uows.read() as s:
        while True:
            page = app.library.page(s, viewer, limit=2, cursor=cursor)
            assert page.total == 5
            seen += [t.id for t in page.items]
            cursor = page.next_cursor
            if cursor is None:
                break
    assert seen == list(reversed(ids))


@pytest.mark.parametrize(
    "cursor",
    [
        "not-base64!",
        base64.urlsafe_b64encode(b"0001-01-01|x").decode(),
        base64.urlsafe_b64encode(b"9999-12-31T23:59:59+00:00").decode(),
        base64.urlsafe_b64encode(b"yesterday|x").decode(),
        base64.urlsafe_b64encode(b"0001-01-01T00:00:00+14:00|x").decode(),
    ],
)
def test_a_bad_cursor_is_a_bad_request(app: Container, viewer: Viewer, cursor: str) -> None:
    with app.infra.uows.read() as s, pytest.raises(BadRequest):
        app.library.page(s, viewer, limit=2, cursor=cursor)


def test_streaming_errors_say_what_is_wrong(
    app: Container, viewer: Viewer, audio: MakeAudio
) -> None:
    accepted = upload(app, viewer, audio("wait.flac", seconds=2.0, frequency=640.0))
    streaming = app.streaming.service
    with app.infra.uows.read() as s:
        with pytest.raises(NotFound):
            streaming.master_playlist(s, viewer, TrackId("0" * 16))
        with pytest.raises(Conflict, match="still being processed"):
            streaming.master_playlist(s, viewer, accepted.track_id)
        with pytest.raises(Conflict, match="not ready"):
            streaming.mp3(s, viewer, accepted.track_id)
    drain(app)
    with app.infra.uows.read() as s:
        master = streaming.master_playlist(s, viewer, accepted.track_id)
        assert "#EXT-X-STREAM-INF" in master
        rung = master.strip().splitlines()[-1].removesuffix(".m3u8")
        text, final = streaming.variant_playlist(s, viewer, accepted.track_id, rung)
        assert final and "#EXT-X-ENDLIST" in text and "/s/" in text
        with pytest.raises(NotFound):
            streaming.variant_playlist(s, viewer, accepted.track_id, "999k")
        out = app.library.get(s, viewer, accepted.track_id)
    assert out.urls.mp3 and out.urls.waveform and out.urls.hls


def test_a_private_track_does_not_exist_for_another_member(
    app: Container, viewer: Viewer, audio: MakeAudio
) -> None:
    accepted = upload(app, viewer, audio("mine.flac", seconds=1.5, frequency=720.0))
    other = member_viewer(app, "other")
    with app.infra.uows.read() as s:
        assert app.library.get(s, viewer, accepted.track_id).editable is True
        with pytest.raises(NotFound):
            app.library.get(s, other, accepted.track_id)
        with pytest.raises(NotFound):
            app.streaming.service.original(s, other, accepted.track_id)
        assert app.library.page(s, other, limit=10, cursor=None).total == 0
    with app.infra.uows() as uow, pytest.raises(NotFound):
        app.library.delete(uow, other, accepted.track_id)
    with app.infra.uows() as uow:
        app.library.update(uow, viewer, accepted.track_id, TrackPatch(visibility=Visibility.PUBLIC))
    with app.infra.uows.read() as s:
        seen = app.library.get(s, other, accepted.track_id)
        assert seen.editable is False
        assert app.library.page(s, other, limit=10, cursor=None).total == 1
