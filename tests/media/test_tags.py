"""read_tags(): every tag family, repaired text, and junk that must not raise."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

from mutagen.flac import FLAC
from mutagen.id3 import ID3, TCON, TDRC, TIT2, TPE1, TPE2, TPOS, TRCK
from mutagen.mp4 import MP4
from mutagen.oggopus import OggOpus
from mutagen.oggvorbis import OggVorbis

from tests.media.conftest import MAX, MIN, TOOLS, ffmpeg
from tonearm.media import Tags, probe, read_tags


def _copy(clips: dict[str, Path], name: str, tmp_path: Path) -> Path:
    target = tmp_path / clips[name].name
    shutil.copy(clips[name], target)
    return target


def _read(path: Path) -> Tags:
    return read_tags(path, probe(path, TOOLS, min_duration=MIN, max_duration=MAX))


def test_flac_vorbis_comments(clips: dict[str, Path], tmp_path: Path) -> None:
    path = _copy(clips, "flac", tmp_path)
    audio = FLAC(path)
    audio["TITLE"] = "  Hyperballad\x00 "
    audio["ARTIST"] = "Björk"
    audio["ALBUM"] = "Post"
    audio["ALBUMARTIST"] = "Björk"
    audio["TRACKNUMBER"] = "3/12"
    audio["DISCNUMBER"] = "1/1"
    audio["DATE"] = "1995-06-13"
    audio["GENRE"] = "Electronic"
    audio.save()
    assert _read(path) == Tags(
        title="Hyperballad",
        artist="Björk",
        album="Post",
        album_artist="Björk",
        track_number=3,
        disc_number=1,
        year=1995,
        genre="Electronic",
    )


def test_mp3_id3(clips: dict[str, Path], tmp_path: Path) -> None:
    path = _copy(clips, "mp3", tmp_path)
    tags = ID3()
    tags.add(TIT2(encoding=3, text="Teardrop"))
    tags.add(TPE1(encoding=3, text="Massive Attack"))
    tags.add(TPE2(encoding=3, text="Massive Attack"))
    tags.add(TRCK(encoding=3, text="03/11"))
    tags.add(TPOS(encoding=3, text="2"))
    tags.add(TDRC(encoding=3, text="1998-04-20"))
    tags.add(TCON(encoding=3, text="(17)"))
    tags.save(path)
    got = _read(path)
    assert (got.title, got.artist, got.album_artist) == (
        "Teardrop",
        "Massive Attack",
        "Massive Attack",
    )
    assert (got.track_number, got.disc_number, got.year, got.genre) == (3, 2, 1998, "Rock")


def test_m4a_atoms(clips: dict[str, Path], tmp_path: Path) -> None:
    path = _copy(clips, "m4a", tmp_path)
    audio = MP4(path)
    audio["\xa9nam"] = "Windowlicker"
    audio["\xa9ART"] = "Aphex Twin"
    audio["aART"] = "Aphex Twin"
    audio["\xa9alb"] = "Windowlicker"
    audio["trkn"] = [(1, 3)]
    audio["disk"] = [(1, 1)]
    audio["\xa9day"] = "1999"
    audio.save()
    got = _read(path)
    assert (got.title, got.artist, got.track_number, got.disc_number, got.year) == (
        "Windowlicker",
        "Aphex Twin",
        1,
        1,
        1999,
    )


def test_ogg_vorbis_and_opus(clips: dict[str, Path], tmp_path: Path) -> None:
    for name, kind in (("ogg", OggVorbis), ("opus", OggOpus)):
        path = _copy(clips, name, tmp_path)
        audio = kind(path)
        audio["title"] = f"{name} title"
        audio["tracknumber"] = "7"
        audio.save()
        got = _read(path)
        assert (got.title, got.track_number) == (f"{name} title", 7)


def test_mojibake_is_repaired(clips: dict[str, Path], tmp_path: Path) -> None:
    path = _copy(clips, "flac", tmp_path)
    audio = FLAC(path)
    audio["ARTIST"] = "BjÃ¶rk"  # UTF-8 bytes once decoded as Latin-1
    audio["TITLE"] = "CafÃ© del Mar"
    audio.save()
    got = _read(path)
    assert (got.artist, got.title) == ("Björk", "Café del Mar")


def test_invalid_utf8_bytes_are_replaced_not_raised(clips: dict[str, Path], tmp_path: Path) -> None:
    # mutagen only writes valid text, so write a placeholder and swap in raw bytes of
    # the same length: the Vorbis comment stays well-formed but is not UTF-8.
    path = _copy(clips, "flac", tmp_path)
    audio = FLAC(path)
    audio["TITLE"] = "PLACEHOLDER"
    audio["ARTIST"] = "Fine Artist"
    audio.save()
    raw = path.read_bytes()
    bad = b"Caf\xe9 \xff\xfeMar!"
    assert len(bad) == len(b"PLACEHOLDER")
    path.write_bytes(raw.replace(b"PLACEHOLDER", bad))
    got = _read(path)
    assert got.artist == "Fine Artist"
    assert got.title is not None
    assert got.title.startswith("Caf")
    assert got.title.endswith("Mar!")


def test_id3_with_broken_utf8_frame_never_raises(clips: dict[str, Path], tmp_path: Path) -> None:
    path = _copy(clips, "mp3", tmp_path)
    tags = ID3()
    tags.add(TIT2(encoding=3, text="PLACEHOLDER"))
    tags.add(TPE1(encoding=3, text="Someone"))
    tags.save(path)
    path.write_bytes(path.read_bytes().replace(b"PLACEHOLDER", b"Caf\xe9 \xff\xfeMar!"))
    got = _read(path)
    assert got.artist == "Someone"


def test_wav_riff_info_tags_are_read_from_the_file(clips: dict[str, Path], tmp_path: Path) -> None:
    path = tmp_path / "info.wav"
    ffmpeg(
        "-i",
        str(clips["wav_s16"]),
        "-c",
        "copy",
        "-metadata",
        "title=Café del Mar",
        "-metadata",
        "artist=Riff Artist",
        "-metadata",
        "album=Chunks",
        "-metadata",
        "date=1999-08-01",
        "-metadata",
        "genre=Ambient",
        "-metadata",
        "track=4/12",
        str(path),
    )
    assert b"LIST" in path.read_bytes()[:200]  # ffmpeg wrote INAM, IART, IPRD ... here
    # The worker rebuilds AudioInfo from the database, without ffprobe's tags: the
    # file alone must be enough.
    info = replace(probe(path, TOOLS, min_duration=MIN, max_duration=MAX), tags=())
    assert read_tags(path, info) == Tags(
        title="Café del Mar",
        artist="Riff Artist",
        album="Chunks",
        year=1999,
        genre="Ambient",
        track_number=4,
    )


def test_wav_riff_info_written_by_other_tools(clips: dict[str, Path], tmp_path: Path) -> None:
    """ITRK for the track (ffmpeg writes IPRT), Windows-1252 text, a LIST after the data."""
    wav = clips["wav_s16"].read_bytes()
    entries = b""
    for key, value in (
        (b"INAM", "Señor".encode("cp1252")),
        (b"ITRK", b"7"),
        (b"IART", b"Someone\x00\x00"),
    ):
        entries += key + len(value).to_bytes(4, "little") + value + b"\x00" * (len(value) & 1)
    chunk = b"LIST" + (len(entries) + 4).to_bytes(4, "little") + b"INFO" + entries
    body = wav[12:] + chunk
    path = tmp_path / "late_info.wav"
    path.write_bytes(b"RIFF" + (len(body) + 4).to_bytes(4, "little") + b"WAVE" + body)
    info = replace(probe(path, TOOLS, min_duration=MIN, max_duration=MAX), tags=())
    got = read_tags(path, info)
    assert (got.title, got.track_number, got.artist) == ("Señor", 7, "Someone")


def test_garbage_tag_block_gives_empty_tags(clips: dict[str, Path], tmp_path: Path) -> None:
    path = _copy(clips, "mp3", tmp_path)
    # An ID3 header announcing a tag, followed by junk.
    path.write_bytes(
        b"ID3\x04\x00\x00\x00\x00\x01\x00" + b"\xff\x00garbage" * 16 + path.read_bytes()
    )
    info = probe(clips["mp3"], TOOLS, min_duration=MIN, max_duration=MAX)
    assert read_tags(path, info) == Tags()


MBID = "b10bbbfc-cf9e-42e0-be17-e2c3e1d2600d"
ALBUM_MBID = "1dc4c347-a1db-32aa-b14f-bc9cc507b843"


def test_musicbrainz_ids_compilation_genres_and_lyrics_in_vorbis(
    clips: dict[str, Path], tmp_path: Path
) -> None:
    path = _copy(clips, "flac", tmp_path)
    audio = FLAC(path)
    audio["MUSICBRAINZ_ARTISTID"] = MBID.upper()
    audio["MUSICBRAINZ_ALBUMID"] = ALBUM_MBID
    audio["MUSICBRAINZ_ALBUMARTISTID"] = "not an id"
    audio["COMPILATION"] = "1"
    audio["GENRE"] = ["Rock", "Drum & Bass"]
    audio["UNSYNCEDLYRICS"] = "first  line\r\nsecond line\n"
    audio.save()
    got = _read(path)
    assert (got.mb_artist_id, got.mb_album_id, got.mb_album_artist_id) == (MBID, ALBUM_MBID, None)
    assert got.compilation is True
    assert got.genre == "Rock; Drum & Bass"
    assert got.lyrics == "first line\nsecond line"


def test_musicbrainz_ids_compilation_and_lyrics_in_id3(
    clips: dict[str, Path], tmp_path: Path
) -> None:
    from mutagen.id3 import TCMP, TXXX, UFID, USLT

    path = _copy(clips, "mp3", tmp_path)
    tags = ID3()
    tags.add(TXXX(encoding=3, desc="MusicBrainz Artist Id", text=MBID))
    tags.add(TXXX(encoding=3, desc="MusicBrainz Album Id", text=ALBUM_MBID))
    tags.add(UFID(owner="http://musicbrainz.org", data=MBID.encode()))
    tags.add(TCMP(encoding=3, text="1"))
    tags.add(USLT(encoding=3, lang="eng", desc="", text="la la\nla"))
    tags.save(path)
    got = _read(path)
    assert (got.mb_artist_id, got.mb_album_id, got.mb_track_id) == (MBID, ALBUM_MBID, MBID)
    assert got.compilation is True and got.lyrics == "la la\nla"


def test_musicbrainz_ids_compilation_and_lyrics_in_mp4(
    clips: dict[str, Path], tmp_path: Path
) -> None:
    from mutagen.mp4 import MP4FreeForm

    path = _copy(clips, "m4a", tmp_path)
    audio = MP4(path)
    audio["----:com.apple.iTunes:MusicBrainz Album Id"] = [MP4FreeForm(ALBUM_MBID.encode())]
    audio["cpil"] = True
    audio["\xa9lyr"] = "words"
    audio["\xa9gen"] = ["Jazz", "Soul"]
    audio.save()
    got = _read(path)
    assert (got.mb_album_id, got.compilation, got.lyrics, got.genre) == (
        ALBUM_MBID,
        True,
        "words",
        "Jazz; Soul",
    )
