"""Lyrics from every place they come from, end to end: real files made with ffmpeg,
tags written with mutagen, uploaded or imported, processed by the real job, then read
from ``tracks.lyrics`` and from ``GET /api/tracks/{id}/lyrics``."""

from __future__ import annotations

import codecs
import itertools
from pathlib import Path
from typing import Any

from mutagen.flac import FLAC
from mutagen.id3 import ID3, SYLT, USLT, Encoding
from mutagen.mp4 import MP4
from mutagen.oggvorbis import OggVorbis
from mutagen.wave import WAVE

from tests.fixtures.accounts import Site, drain
from tests.fixtures.audio import MakeAudio
from tests.lyrics.conftest import upload
from tonearm.ingest.folders import FolderImporter
from tonearm.media import MediaTools, probe, read_tags
from tonearm.models import Track, Visibility
from tonearm.types import Seconds, TrackId, UserId

_freq = itertools.count(310, 37)

PLAIN = "First line\nSecond line"
LRC = "[00:00.50]First line\n[00:01.00]Second line"


def _tone(audio: MakeAudio, name: str) -> Path:
    return audio(name, seconds=2.0, frequency=float(next(_freq)))


def _lines(browser: Any, track_id: str) -> dict[str, Any]:
    got = browser.get(f"/api/tracks/{track_id}/lyrics")
    assert got.status_code == 200, got.text
    body: dict[str, Any] = got.json()
    return body


def _stored(site: Site, track_id: str) -> str | None:
    with site.c.infra.uows.read() as s:
        track = s.get(Track, TrackId(track_id))
        assert track is not None
        return track.lyrics


def test_lyrics_from_every_tag_kind(site: Site, audio: MakeAudio) -> None:
    admin = site.setup()
    ana = site.add_user(admin, "ana")

    uslt = _tone(audio, "uslt.mp3")
    id3 = ID3()
    id3.add(USLT(encoding=Encoding.UTF8, lang="eng", desc="", text=PLAIN))
    id3.save(uslt)

    # SYLT in milliseconds, UTF-16, beside a USLT of other words: the times win.
    sylt_ms = _tone(audio, "sylt-ms.mp3")
    id3 = ID3()
    id3.add(USLT(encoding=Encoding.UTF8, lang="eng", desc="", text="unsynced words"))
    id3.add(
        SYLT(
            encoding=Encoding.UTF16,
            lang="eng",
            format=2,
            type=1,
            desc="",
            text=[("Första rad", 500), ("Второй", 1000)],
        )
    )
    id3.save(sylt_ms)

    # SYLT in MPEG frames (Latin-1), one piece per syllable: 1152 samples at 44.1 kHz.
    sylt_frames = _tone(audio, "sylt-frames.mp3")
    id3 = ID3()
    id3.add(
        SYLT(
            encoding=Encoding.LATIN1,
            lang="eng",
            format=1,
            type=1,
            desc="",
            text=[("Ca", 10), ("fé ", 20), ("au lait", 40), ("\nNext", 80)],
        )
    )
    id3.save(sylt_frames)

    flac_lyrics = _tone(audio, "lyrics.flac")
    tags: Any = FLAC(flac_lyrics)
    tags["LYRICS"] = LRC
    tags.save()

    flac_unsynced = _tone(audio, "unsynced.flac")
    tags = FLAC(flac_unsynced)
    tags["UNSYNCEDLYRICS"] = PLAIN.replace("\n", "\r\n")
    tags.save()

    vorbis = _tone(audio, "lyrics.ogg")
    tags = OggVorbis(vorbis)
    tags["LYRICS"] = LRC
    tags.save()

    m4a = _tone(audio, "lyrics.m4a")
    tags = MP4(m4a)
    tags["\xa9lyr"] = PLAIN
    tags.save()

    ids = {
        path.name: upload(ana, path)
        for path in (uslt, sylt_ms, sylt_frames, flac_lyrics, flac_unsynced, vorbis, m4a)
    }
    drain(site.c)

    frame_ms = 1152 * 1000 / 44100
    expected = {
        "uslt.mp3": PLAIN,
        "sylt-ms.mp3": "[00:00.50]Första rad\n[00:01.00]Второй",
        "sylt-frames.mp3": (
            f"[00:00.26]<00:00.26>Ca<00:00.52>fé <{_stamp(40 * frame_ms)}>au lait\n"
            f"[{_stamp(80 * frame_ms)}]Next"
        ),
        "lyrics.flac": LRC,
        "unsynced.flac": PLAIN,
        "lyrics.ogg": LRC,
        "lyrics.m4a": PLAIN,
    }
    for name, text in expected.items():
        track_id = ids[name]
        assert _stored(site, track_id) == text, name
        got = _lines(ana.browser, track_id)
        assert got["text"] == text and got["editable"] is True, name
        assert got["synced"] == text.startswith("["), name

    plain = _lines(ana.browser, ids["uslt.mp3"])
    assert plain["lines"] == [
        {"start_ms": None, "text": "First line", "words": []},
        {"start_ms": None, "text": "Second line", "words": []},
    ]
    synced = _lines(ana.browser, ids["lyrics.ogg"])
    assert [(x["start_ms"], x["text"]) for x in synced["lines"]] == [
        (500, "First line"),
        (1000, "Second line"),
    ]
    frames = _lines(ana.browser, ids["sylt-frames.mp3"])["lines"]
    assert [(x["start_ms"], x["text"]) for x in frames] == [
        (260, "Café au lait"),
        (_centis(80 * frame_ms), "Next"),
    ]
    assert [w["start_ms"] for w in frames[0]["words"]] == [260, 520, _centis(40 * frame_ms)]


def _centis(ms: float) -> int:
    """``ms`` as LRC keeps it: rounded to the millisecond, cut to hundredths."""
    return round(ms) // 10 * 10


def _stamp(ms: float) -> str:
    centis = _centis(ms) // 10
    return f"{centis // 6000:02d}:{centis // 100 % 60:02d}.{centis % 100:02d}"


def _importer(site: Site) -> FolderImporter:
    c = site.c
    return FolderImporter(
        c.infra.uows, c.ingest.service, c.ingest.staging, max_bytes=c.settings.uploads.max_bytes
    )


def test_sidecar_lrc_and_txt_from_a_folder_import(
    site: Site, audio: MakeAudio, tmp_path: Path
) -> None:
    admin = site.setup()
    ana = site.add_user(admin, "ana")
    folder = tmp_path / "music"
    folder.mkdir()

    with_lrc = _tone(audio, "one.flac").rename(folder / "01 one.flac")
    (folder / "01 one.lrc").write_text("\ufeff[00:00.50]la la\r\n[00:01.00]lá\r\n", "utf-8")

    with_txt = _tone(audio, "two.ogg").rename(folder / "02 two.ogg")
    # A Windows editor's UTF-16 file.
    (folder / "02 two.txt").write_bytes(codecs.BOM_UTF16_LE + "Plain\r\nwords".encode("utf-16-le"))

    # The file has its own lyrics tag; the sidecar the person put beside it wins, and
    # stays after processing.
    both = _tone(audio, "three.flac").rename(folder / "03 three.flac")
    tags: Any = FLAC(both)
    tags["LYRICS"] = "embedded words"
    tags.save()
    (folder / "03 three.LRC").write_text("[00:00.20]sidecar words\n", "utf-8")

    importer = _importer(site)
    owner = UserId(ana.user_id)
    ledger = importer.ledger(owner)
    ids = {}
    for path in (with_lrc, with_txt, both):
        result = importer.import_file(path, owner, Visibility.PRIVATE, ledger)
        assert result.track_id is not None, result
        ids[path.stem] = str(result.track_id)
    drain(site.c)

    assert _stored(site, ids["01 one"]) == "[00:00.50]la la\n[00:01.00]lá"
    one = _lines(ana.browser, ids["01 one"])
    assert one["synced"] is True
    assert [(x["start_ms"], x["text"]) for x in one["lines"]] == [(500, "la la"), (1000, "lá")]

    assert _stored(site, ids["02 two"]) == "Plain\nwords"
    two = _lines(ana.browser, ids["02 two"])
    assert two["synced"] is False
    assert [x["text"] for x in two["lines"]] == ["Plain", "words"]

    assert _stored(site, ids["03 three"]) == "[00:00.20]sidecar words"
    track = ana.browser.get(f"/api/tracks/{ids['03 three']}").json()
    assert track["status"] == "ready" and "lyrics" in track["edited"]


def _read_lyrics(path: Path) -> str | None:
    info = probe(path, MediaTools(), min_duration=Seconds(1.0), max_duration=Seconds(3600.0))
    return read_tags(path, info).lyrics


def test_sylt_frame_choice_time_units_and_fallbacks(audio: MakeAudio) -> None:
    # MPEG-2 layer III (22.05 kHz): a frame is 576 samples, about 26.1 ms.
    half_rate = audio("half.mp3", seconds=2.0, rate=22050, frequency=float(next(_freq)))
    id3 = ID3()
    id3.add(SYLT(encoding=Encoding.UTF8, lang="eng", format=2, type=2, desc="t", text=[("x", 0)]))
    id3.add(
        SYLT(encoding=Encoding.UTF8, lang="deu", format=1, type=1, desc="", text=[("Eins", 100)])
    )
    id3.save(half_rate)
    # Content type 1 (lyrics) beats type 2 (transcription), whatever the order.
    assert _read_lyrics(half_rate) == f"[{_stamp(100 * 576 * 1000 / 22050)}]Eins"

    # Frame times in a WAV cannot be placed: its USLT is used instead.
    wav = audio("framed.wav", seconds=2.0, frequency=float(next(_freq)))
    riff: Any = WAVE(wav)
    riff.add_tags()  # an "id3 " chunk inside the RIFF file
    riff.tags.add(SYLT(encoding=Encoding.UTF8, lang="eng", format=1, type=1, text=[("a", 5)]))
    riff.tags.add(USLT(encoding=Encoding.UTF8, lang="eng", desc="", text="plain words"))
    riff.save()
    assert _read_lyrics(wav) == "plain words"

    # A SYLT with no text at all falls back too; millisecond times in a WAV are fine.
    empty = audio("empty.mp3", seconds=2.0, frequency=float(next(_freq)))
    id3 = ID3()
    id3.add(SYLT(encoding=Encoding.UTF8, lang="eng", format=2, type=1, desc="", text=[("", 0)]))
    id3.add(USLT(encoding=Encoding.UTF16, lang="eng", desc="", text="ünïcode\r\nwörds"))
    id3.save(empty)
    assert _read_lyrics(empty) == "ünïcode\nwörds"
    riff = WAVE(wav)
    riff.tags.delall("SYLT")
    riff.tags.add(
        SYLT(encoding=Encoding.UTF16BE, lang="eng", format=2, type=1, text=[("ok", 1234)])
    )
    riff.save()
    assert _read_lyrics(wav) == "[00:01.23]ok"
