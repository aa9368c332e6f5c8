"""The joined ``ByteSource`` over stored pieces, and the transcode limit, in process."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from tests.fixtures.audio import MakeAudio, decoded_duration
from tonearm.errors import Unavailable
from tonearm.media.tools import MediaTools
from tonearm.storage import BlobStore, open_store
from tonearm.streaming.joined import JoinedSource, TailSource
from tonearm.streaming.transcode import Transcoder
from tonearm.types import Kbps, Seconds


@pytest.fixture(params=["memory", "file"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> BlobStore:
    """A store without local paths (read by ranges) and one with (read through files)."""
    return open_store("memory://" if request.param == "memory" else f"file://{tmp_path}")


def test_joined_pieces_read_as_one_by_any_range(store: BlobStore) -> None:
    rng = random.Random(7)
    pieces = [rng.randbytes(n) for n in (700, 1, 300_000, 5, 1024)]
    for i, data in enumerate(pieces):
        store.put_bytes(f"hls/x/{i}.m4s", data)
    whole = b"".join(pieces)
    source = JoinedSource(store, [(f"hls/x/{i}.m4s", len(p)) for i, p in enumerate(pieces)])
    assert source.size == len(whole)
    spans = [(0, len(whole) - 1), (0, 0), (699, 701), (700, 700), (650, 300_800)]
    spans += [(len(whole) - 1, len(whole) - 1), (301_000, len(whole) - 1)]
    for _ in range(30):
        a, b = sorted(rng.sample(range(len(whole)), 2))
        spans.append((a, b))
    for first, last in spans:
        assert b"".join(source.read_range(first, last)) == whole[first : last + 1]
    tail = TailSource(source, 1000)
    assert tail.size == len(whole) - 1000
    assert b"".join(tail.read_range(0, tail.size - 1)) == whole[1000:]
    assert b"".join(tail.read_range(5, 9)) == whole[1005:1010]


def test_transcodes_past_the_limit_are_refused_and_slots_come_back(
    audio: MakeAudio, tmp_path: Path
) -> None:
    wav = audio("long.wav", seconds=30)
    transcoder = Transcoder(MediaTools(), limit=1)
    first = transcoder.start(str(wav), "flac", None, Seconds(0.0))
    with pytest.raises(Unavailable, match="already transcoding 1 streams"):
        transcoder.start(str(wav), "opus", Kbps(96), Seconds(0.0))
    first.close()
    first.close()  # idempotent
    second = transcoder.start(str(wav), "opus", Kbps(96), Seconds(20.0))
    out = tmp_path / "out.opus"
    out.write_bytes(b"".join(second.chunks()))  # the end of the output closes it
    assert abs(decoded_duration(str(out)) - 10.0) <= 0.05
    # A source ffmpeg cannot read is an error at start, and frees its slot.
    with pytest.raises(Unavailable, match="The transcode failed"):
        transcoder.start(str(tmp_path / "missing.wav"), "mp3", Kbps(128), Seconds(0.0))
    transcoder.start(str(wav), "mp3", Kbps(128), Seconds(0.0)).close()
    with pytest.raises(Unavailable):
        Transcoder(MediaTools(), limit=0).start(str(wav), "mp3", None, Seconds(0.0))
