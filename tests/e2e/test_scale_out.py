"""The scale-out deployment: PostgreSQL, huey on Redis, API and workers in separate processes."""

from __future__ import annotations

import pytest

from tests.fixtures.audio import MakeAudio, decoded_duration, ffprobe_duration
from tests.fixtures.database import PG, fresh_database
from tests.fixtures.server import Server

pytestmark = pytest.mark.e2e


@pytest.mark.skipif(not PG, reason="PostgreSQL is not reachable on 127.0.0.1")
def test_api_and_two_workers_on_postgres_and_redis(
    tmp_path_factory: pytest.TempPathFactory, redis_url: str, audio: MakeAudio
) -> None:
    data = tmp_path_factory.mktemp("scale")
    with fresh_database("postgresql", data) as url:
        api = Server(data, url, workers=0, env={"TONEARM_QUEUE_URL": redis_url})
        workers = [api.worker(), api.worker()]
        try:
            sources = [
                audio(f"s{i}.flac", seconds=6.0, frequency=300.0 + 100 * i) for i in range(4)
            ]
            ids = [api.upload(s).json()["id"] for s in sources]
            for track_id, source in zip(ids, sources, strict=True):
                track = api.wait_ready(track_id)
                played = decoded_duration(
                    api.url + track["urls"]["hls"], extra_input_args=api.ffmpeg_auth()
                )
                assert abs(played - ffprobe_duration(str(source))) < 0.1
            logs = "".join(w.output() for w in workers)
            assert "blobs.process" in logs
        finally:
            for w in workers:
                w.stop()
            api.stop()
