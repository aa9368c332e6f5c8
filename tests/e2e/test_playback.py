"""Upload generated audio to a real server, wait for it, and play it like a client would."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import httpx
import pytest

from tests.fixtures.audio import (
    MakeAudio,
    decoded_duration,
    ebur128_integrated,
    ffprobe_duration,
    image_bytes,
)
from tests.fixtures.server import Server

pytestmark = pytest.mark.e2e

CASES = [
    # name, kwargs for make_audio
    ("tone.flac", {"seconds": 14.0, "rate": 44100, "channels": 2}),
    (
        "noise-24bit-96k.flac",
        {
            "seconds": 9.0,
            "rate": 96000,
            "channels": 2,
            "source": "noise",
            "extra": ["-sample_fmt", "s32", "-bits_per_raw_sample", "24"],
        },
    ),
    ("mono-8k.wav", {"seconds": 7.0, "rate": 8000, "channels": 1}),
    (
        "float-48k.wav",
        {"seconds": 6.5, "rate": 48000, "channels": 2, "extra": ["-c:a", "pcm_f32le"]},
    ),
    ("surround.aiff", {"seconds": 6.0, "rate": 48000, "channels": 6}),
    ("hi-res-192k.flac", {"seconds": 5.0, "rate": 192000, "channels": 2}),
    ("song.mp3", {"seconds": 8.0}),
    ("song.ogg", {"seconds": 8.0, "source": "noise"}),
    ("song.opus", {"seconds": 8.0}),
    ("song.m4a", {"seconds": 8.0, "rate": 48000}),
]


EXPECTED_RUNGS = {"mono-8k.wav": 1, "song.opus": 1, "song.mp3": 2, "song.ogg": 2, "song.m4a": 2}


@pytest.mark.parametrize(("name", "kwargs"), CASES, ids=[c[0] for c in CASES])
def test_upload_process_and_play_every_rung(
    server: Server, audio: MakeAudio, name: str, kwargs: dict[str, object]
) -> None:
    source = audio(name, **kwargs)
    expected = ffprobe_duration(str(source))
    response = server.upload(source)
    assert response.status_code == 201, response.text
    track = server.wait_ready(response.json()["id"])

    assert abs(track["duration"] - expected) < 0.1
    assert track["loudness"]["integrated_lufs"] < 0
    master_url = server.url + track["urls"]["hls"]
    master = httpx.get(master_url, headers=server.auth).text
    # The ladder is shaped to what the source carries (no rung above it, no twins).
    assert master.count("#EXT-X-STREAM-INF") == EXPECTED_RUNGS.get(name, 3)
    for line in master.splitlines():
        if line.startswith("#EXT-X-STREAM-INF"):
            assert "BANDWIDTH=" in line and "AVERAGE-BANDWIDTH=" in line
            assert 'CODECS="mp4a.40.2"' in line
    variants = [line for line in master.splitlines() if line and not line.startswith("#")]
    for variant in variants:
        url = master_url.rsplit("/", 1)[0] + "/" + variant
        played = decoded_duration(url, extra_input_args=server.ffmpeg_auth())
        assert abs(played - expected) < 0.1, variant
    # The master as a whole, as a player opens it.
    played = decoded_duration(master_url, extra_input_args=server.ffmpeg_auth())
    assert abs(played - expected) < 0.1
    mp3 = httpx.get(server.url + track["urls"]["mp3"], headers=server.auth)
    assert mp3.headers["content-type"] == "audio/mpeg"


def test_segments_are_immutable_and_cached(server: Server, audio: MakeAudio) -> None:
    track_id = server.upload(audio("cache.flac", seconds=7.0, frequency=523.0)).json()["id"]
    track = server.wait_ready(track_id)
    master = server.http.get(track["urls"]["hls"])
    assert master.headers["content-type"] == "application/vnd.apple.mpegurl"
    variant_path = track["urls"]["hls"].rsplit("/", 1)[0] + "/64k.m3u8"
    variant = server.http.get(variant_path).text
    assert variant.rstrip().endswith("#EXT-X-ENDLIST")
    seg = next(line for line in variant.splitlines() if line.startswith("/s/") and ".m4s" in line)
    first = server.http.get(seg)
    assert first.status_code == 200
    assert first.headers["cache-control"] == "public, max-age=31536000, immutable"
    etag = first.headers["etag"]
    assert etag.strip('"') in seg  # named by content hash
    again = server.http.get(seg, headers={"if-none-match": etag})
    assert again.status_code == 304
    head = server.http.head(seg)
    assert head.status_code == 200 and head.content == b""
    assert int(head.headers["content-length"]) == len(first.content)
    part = server.http.get(seg, headers={"range": "bytes=10-99"})
    assert part.status_code == 206
    assert part.content == first.content[10:100]
    assert part.headers["content-range"] == f"bytes 10-99/{len(first.content)}"
    beyond = server.http.get(seg, headers={"range": f"bytes={len(first.content)}-"})
    assert beyond.status_code == 416
    assert server.http.post(seg).status_code == 405
    tampered = seg.replace("s=", "s=A")
    assert server.http.get(tampered).status_code == 403
    path_only = seg.split("?", 1)[0]
    assert server.http.get(path_only).status_code == 403


def test_range_requests_are_byte_exact(server: Server, audio: MakeAudio) -> None:
    source = audio("range.flac", seconds=9.0, source="noise")
    original = source.read_bytes()
    track = server.wait_ready(server.upload(source).json()["id"])
    url = track["urls"]["original"]
    size = len(original)

    full = server.http.get(url)
    assert full.status_code == 200 and full.content == original
    etag = full.headers["etag"]
    for start, end in ((0, 0), (100, 4195), (size - 10, size - 1), (1000, size + 500)):
        r = server.http.get(url, headers={"range": f"bytes={start}-{end}"})
        assert r.status_code == 206
        last = min(end, size - 1)
        assert r.headers["content-range"] == f"bytes {start}-{last}/{size}"
        assert r.content == original[start : last + 1]
    suffix = server.http.get(url, headers={"range": "bytes=-500"})
    assert suffix.status_code == 206 and suffix.content == original[-500:]
    bad = server.http.get(url, headers={"range": f"bytes={size}-"})
    assert bad.status_code == 416
    assert bad.headers["content-range"] == f"bytes */{size}"
    # If-Range with the current ETag honours the range; a stale one gets the whole file.
    ok = server.http.get(url, headers={"range": "bytes=0-9", "if-range": etag})
    assert ok.status_code == 206 and ok.content == original[:10]
    stale = server.http.get(url, headers={"range": "bytes=0-9", "if-range": '"stale"'})
    assert stale.status_code == 200 and stale.content == original
    assert server.http.get(url, headers={"if-none-match": etag}).status_code == 304
    head = server.http.head(url)
    assert head.status_code == 200 and int(head.headers["content-length"]) == size

    mp3 = server.http.get(track["urls"]["mp3"])
    part = server.http.get(track["urls"]["mp3"], headers={"range": "bytes=2000-2999"})
    assert part.status_code == 206 and part.content == mp3.content[2000:3000]


def test_track_json_describes_the_music(server: Server, audio: MakeAudio, tmp_path: Path) -> None:
    cover = tmp_path / "cover.png"
    cover.write_bytes(image_bytes((640, 640)))
    plain = audio("plain.flac", seconds=6.0)
    tagged = tmp_path / "tagged.flac"
    subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-i",
            str(plain),
            "-i",
            str(cover),
            "-map",
            "0:a",
            "-map",
            "1:v",
            "-c:a",
            "copy",
            "-c:v",
            "png",
            "-disposition:v",
            "attached_pic",
            "-metadata",
            "title=Jóga",
            "-metadata",
            "artist=Björk",
            "-metadata",
            "album=Homogenic",
            "-metadata",
            "TRACKNUMBER=3/10",
            "-metadata",
            "DATE=1997",
            "-metadata",
            "GENRE=Electronic",
            str(tagged),
        ],
        check=True,
    )
    track = server.wait_ready(server.upload(tagged).json()["id"])
    assert (track["title"], track["artist"], track["album"]) == ("Jóga", "Björk", "Homogenic")
    assert (track["track_number"], track["year"], track["genre"]) == (3, 1997, "Electronic")
    assert set(track["urls"]["artwork"]) >= {"original", "128", "512"}
    thumb = server.http.get(track["urls"]["artwork"]["128"])
    assert thumb.headers["content-type"] == "image/webp" and thumb.content[8:12] == b"WEBP"
    peaks = server.http.get(track["urls"]["waveform"]).json()
    assert peaks["version"] == 2 and len(peaks["data"]) == 2 * peaks["length"]
    assert track["fingerprint"]
    assert track["progress"] == {"percent": 100.0, "step": "done", "attempt": 1}
    listing = server.http.get("/api/tracks", params={"limit": 2}).json()
    assert listing["items"][0]["id"] == track["id"]  # newest first
    assert len(listing["items"]) <= 2
    if listing["next_cursor"]:
        more = server.http.get("/api/tracks", params={"cursor": listing["next_cursor"]}).json()
        assert track["id"] not in [t["id"] for t in more["items"]]
    json.dumps(track)


def test_loudness_matches_ffmpeg_for_a_known_sine(server: Server, tmp_path: Path) -> None:
    """A 997 Hz sine peaking at -20 dBFS (lavfi's sine is 1/8 = -18.06 dBFS, minus 1.94 dB),
    upmixed to stereo at -3 dB per channel: -23 dBFS per channel. Our value must be
    within 0.1 LU of ffmpeg's own ebur128 and match the EBU reference level."""
    path = tmp_path / "sine997.wav"
    subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-f",
            "lavfi",
            "-i",
            "sine=frequency=997:sample_rate=48000:duration=12",
            "-af",
            "volume=-1.94dB,aformat=channel_layouts=stereo",
            "-c:a",
            "pcm_s24le",
            str(path),
        ],
        check=True,
    )
    reference = ebur128_integrated(path)
    track = server.wait_ready(server.upload(path).json()["id"])
    loud = track["loudness"]
    assert abs(loud["integrated_lufs"] - reference) < 0.1
    assert abs(loud["replaygain_track_gain_db"] - (-18 - loud["integrated_lufs"])) < 0.01
    # EBU Tech 3341: a stereo 1 kHz sine at -23 dBFS per channel reads -23.0 LUFS.
    assert abs(loud["integrated_lufs"] - -23.0) < 0.2
    assert -23.5 < loud["true_peak_dbtp"] < -22.5


def test_health_readiness_docs_and_structured_logs(server: Server) -> None:
    assert server.http.get("/healthz").json() == {"status": "ok"}
    ready = server.http.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"]["database"] == "ok"
    assert server.http.get("/docs").status_code == 200
    spec = server.http.get("/openapi.json").json()
    assert {"/api/tracks", "/api/uploads", "/api/tracks/{track_id}/hls/master.m3u8"} <= set(
        spec["paths"]
    )
    lines = [ln for ln in server.process.output().splitlines() if ln.startswith("{")]
    entries = [json.loads(ln) for ln in lines]
    assert any(e.get("path") == "/healthz" and e.get("status") == 200 for e in entries)
    assert all({"ts", "level", "logger", "msg"} <= set(e) for e in entries)
