from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from tonearm.accounts.credentials import binding_of
from tonearm.models import Rendition, Segment
from tonearm.streaming import playlists
from tonearm.streaming.segments import parse_segment_path
from tonearm.streaming.signing import UrlSigner, parse_query

H = "a" * 64


def test_signed_url_round_trip_and_expiry() -> None:
    signer = UrlSigner(b"k", ttl_s=3600)
    url = signer.sign(f"/s/{H}/64k/{H}.m4s", now=1_000_000)
    parts = urlsplit(url)
    q = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert signer.verify(parts.path, q["e"], q["s"], now=1_000_000 + 3600)
    assert not signer.verify(parts.path, q["e"], q["s"], now=int(q["e"]) + 1)
    assert not signer.verify(parts.path.replace("64k", "128k"), q["e"], q["s"], now=1_000_000)
    assert not UrlSigner(b"other", 3600).verify(parts.path, q["e"], q["s"], now=1_000_000)
    # The same window gives the same URL (cacheable).
    assert signer.sign(f"/s/{H}/64k/{H}.m4s", now=1_000_001) == url


def test_a_signature_names_its_viewer() -> None:
    """The binding (a digest of the viewer's cookie or token, maybe with their address)
    is part of the signed message: the same path and expiry sign differently for each."""
    signer = UrlSigner(b"k", ttl_s=3600)
    path = f"/s/{H}/64k/{H}.m4s"
    ana, bo = binding_of("ana's cookie"), binding_of("tnrm_bo")
    assert ana != bo and "ana" not in ana and len(ana) == 64  # a digest, never the secret
    assert binding_of(None) == ""
    assert binding_of("x", "192.0.2.1") == f"{binding_of('x')}@192.0.2.1"
    url = signer.sign(path, ana, now=1_000_000)
    q = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    assert signer.verify(path, q["e"], q["s"], ana, now=1_000_000)
    for other in (bo, "", binding_of("ana's cookie", "192.0.2.1")):
        assert not signer.verify(path, q["e"], q["s"], other, now=1_000_000)
    assert url != signer.sign(path, bo, now=1_000_000) != signer.sign(path, now=1_000_000)


def test_segment_paths_are_strict() -> None:
    assert parse_segment_path(f"/s/{H}/64k/{H}.m4s") == (f"hls/{H}/64k/{H}.m4s", "audio/mp4")
    for bad in (
        f"/s/{H}/../{H}.m4s",
        f"/s/{H}/64k/{H}.m4s/x",
        f"/s/{H.upper()}/64k/{H}.m4s",
        f"/s/{H}/64k/{H}.exe",
        "/s/x/64k/y.m4s",
        f"/s/{H}/6 4k/{H}.m4s",
    ):
        assert parse_segment_path(bad) is None


def _rendition(complete: bool) -> Rendition:
    return Rendition(
        name="128k",
        bitrate_kbps=128,
        codecs="mp4a.40.2",
        sample_rate=44100,
        channels=2,
        init_hash="i" * 64,
        peak_bandwidth=140_000,
        average_bandwidth=131_000,
        complete=complete,
    )


def test_master_lists_every_rung_with_bandwidth_and_codecs() -> None:
    low = _rendition(True)
    low.name, low.bitrate_kbps, low.peak_bandwidth = "64k", 64, None
    text = playlists.master([low, _rendition(True)], lambda r: f"{r.name}.m3u8")
    lines = text.splitlines()
    assert lines[0] == "#EXTM3U"
    assert lines[4] == (
        '#EXT-X-STREAM-INF:BANDWIDTH=140000,AVERAGE-BANDWIDTH=131000,CODECS="mp4a.40.2"'
    )
    assert lines[5] == "128k.m3u8"
    assert lines[6].startswith("#EXT-X-STREAM-INF:BANDWIDTH=70400,")


def test_variant_grows_as_event_then_ends_as_vod() -> None:
    segs = [
        Segment(sequence=i, hash=str(i) * 64, duration=6.0 if i < 2 else 2.5, size=1)
        for i in range(3)
    ]
    growing = playlists.variant(
        _rendition(False),
        segs[:2],
        init_uri="init.mp4",
        segment_uri=lambda s: f"{s.sequence}.m4s",
        segment_seconds=6,
    )
    assert "#EXT-X-PLAYLIST-TYPE:EVENT" in growing
    assert "#EXT-X-ENDLIST" not in growing
    final = playlists.variant(
        _rendition(True),
        segs,
        init_uri="init.mp4",
        segment_uri=lambda s: f"{s.sequence}.m4s",
        segment_seconds=6,
    )
    assert "#EXT-X-PLAYLIST-TYPE:VOD" in final
    assert final.rstrip().endswith("#EXT-X-ENDLIST")
    assert "#EXT-X-TARGETDURATION:6" in final
    assert '#EXT-X-MAP:URI="init.mp4"' in final
    assert final.count("#EXTINF:") == 3


def test_playlists_ask_players_to_start_at_the_beginning() -> None:
    """A growing (EVENT) playlist looks live, and players join live playlists near the
    end; EXT-X-START:TIME-OFFSET=0, once, before the first variant or segment, in the
    master and in every media playlist (RFC 8216 4.3.5.2), makes them start at 0."""
    segs = [Segment(sequence=i, hash=str(i) * 64, duration=6.0, size=1) for i in range(9)]
    master = playlists.master([_rendition(False)], lambda r: f"{r.name}.m3u8").splitlines()
    assert master.count("#EXT-X-START:TIME-OFFSET=0") == 1
    assert master.index("#EXT-X-START:TIME-OFFSET=0") < master.index("128k.m3u8") - 1
    for complete in (False, True):
        lines = playlists.variant(
            _rendition(complete),
            segs,
            init_uri="init.mp4",
            segment_uri=lambda s: f"{s.sequence}.m4s",
            segment_seconds=6,
        ).splitlines()
        assert lines.count("#EXT-X-START:TIME-OFFSET=0") == 1
        assert lines.index("#EXT-X-START:TIME-OFFSET=0") < lines.index("#EXTINF:6.000000,")


@pytest.mark.parametrize(
    "query",
    [
        b"",
        b"e=2000000000",
        b"s=" + b"A" * 24,
        b"s=" + b"A" * 24 + b"&e=2000000000",  # reordered
        b"e=2000000000&s=" + b"A" * 24 + b"&x=1",  # extra
        b"e=2000000000&e=2000000000&s=" + b"A" * 24,  # repeated
        b"e=2000000000&s=" + b"A" * 24 + b"&s=" + b"A" * 24,
        b"e=02000000000&s=" + b"A" * 24,  # leading zero
        b"e=+2000000000&s=" + b"A" * 24,
        b"e=-1&s=" + b"A" * 24,
        "e=2²&s=".encode() + b"A" * 24,  # a non-ASCII digit
        b"e=" + b"9" * 4400 + b"&s=" + b"A" * 24,
        b"e=2000000000&s=" + b"A" * 23,
        b"e=2000000000&s=" + b"A" * 23 + b"%3D",
        b"e=2000000000&s=" + b"A" * 24 + b"&",
    ],
)
def test_only_the_canonical_signed_query_parses(query: bytes) -> None:
    assert parse_query(query) is None


def test_the_signed_query_round_trips() -> None:
    signer = UrlSigner(b"k", ttl_s=3600)
    path = f"/s/{H}/64k/{H}.m4s"
    url = signer.sign(path, now=1_000_000)
    parsed = parse_query(url.split("?", 1)[1].encode())
    assert parsed is not None
    assert signer.verify_parsed(path, *parsed, now=1_000_000)
    expires, signature = parsed
    for bad in ("²", "9" * 4400, f"0{expires}", f"+{expires}", f" {expires}"):
        assert not signer.verify(path, bad, signature, now=1_000_000)
    assert signer.verify(path, str(expires), signature, now=1_000_000)
