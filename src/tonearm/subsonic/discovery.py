"""What tonearm knows about a song, an album or an artist beyond its tags: similar
artists and songs by sound (``radio/``), an artist's most played songs (listening
totals), lyrics (``library/lyrics.py``).

No outside service is asked (no Last.fm): biographies and notes are left out, and
similar things come from tonearm's own audio descriptors, so a library that is still
being analysed answers with fewer or none.
"""

from __future__ import annotations

from typing import Any, Literal

from tonearm.container import Container
from tonearm.library.schemas import LyricsOut, TrackOut
from tonearm.radio.schemas import SeedIn
from tonearm.subsonic import mapping
from tonearm.subsonic.browsing import playable, reader
from tonearm.subsonic.protocol import Call, Code, Handler, Payload, SubsonicError
from tonearm.types import ArtistId, TrackId

UNKNOWN_LANGUAGE = "xxx"
"""OpenSubsonic's ``lang`` for lyrics in a language nobody recorded."""
SEED_KINDS: dict[str, Literal["track", "album", "artist"]] = {
    "song": "track",
    "album": "album",
    "artist": "artist",
}
MAX_SEED_ID = 32
SPARE = 5
"""Songs asked for beyond ``count``, in place of those an app could not play yet."""


def plain_text(lyrics: LyricsOut) -> str:
    """The words alone, one line each (synced lyrics lose their times)."""
    return "\n".join(line.text for line in lyrics.lines)


def structured(lyrics: LyricsOut, track: TrackOut) -> dict[str, Any]:
    """OpenSubsonic ``structuredLyrics``: ``start`` (ms) only on synced lines."""
    return {
        "displayArtist": track.artist or track.album_artist or "",
        "displayTitle": track.title or track.filename,
        "lang": UNKNOWN_LANGUAGE,
        "offset": 0,
        "synced": lyrics.synced,
        "line": [
            {"start": line.start_ms if lyrics.synced else None, "value": line.text}
            for line in lyrics.lines
        ],
    }


class Discovery:
    def __init__(self, c: Container) -> None:
        self._uows = c.infra.uows
        self._library = c.library
        self._catalog = c.catalog.service
        self._lyrics = c.catalog.lyrics
        self._radio = c.radio.service
        self._charts = c.charts.charts
        self._max = c.settings.subsonic.max_list_size

    def _count(self, call: Call, default: int) -> int:
        return call.params.integer("count", default, lo=0, hi=self._max)

    def artist_info(self, call: Call) -> Payload:
        """``similarArtist``: artists whose songs sound nearest this artist's."""
        viewer = reader(call)
        artist_id = ArtistId(mapping.parse(call.params.required("id"), "artist"))
        count = self._count(call, 20)
        with self._uows.read() as session:
            self._catalog.artist(session, viewer, artist_id)
            similar = self._radio.similar_artists(session, viewer, artist_id, count)
            entries = mapping.artists(session, viewer.user_id, similar)
        return {"artistInfo2": {"similarArtist": entries}}

    def similar_songs(self, call: Call) -> Payload:
        """Songs that sound like a song, an album or an artist, nearest first."""
        viewer = reader(call)
        wire = call.params.required("id")
        kind = mapping.kind_of(wire)
        seed_kind = SEED_KINDS.get(kind)
        internal = mapping.parse(wire, kind)
        if seed_kind is None or len(internal) > MAX_SEED_ID:
            raise SubsonicError(Code.NOT_FOUND, f"No song, album or artist has the id {wire!r}.")
        seed = SeedIn(kind=seed_kind, id=internal)
        count = self._count(call, 50)
        with self._uows.read() as session:
            found = self._radio.similar_to(session, viewer, seed, count + SPARE)
            songs = mapping.songs(session, viewer.user_id, playable(found)[:count])
        return {"similarSongs2": {"song": songs}}

    def top_songs(self, call: Call) -> Payload:
        """The artist's most played songs (everyone's plays, all time), then the rest."""
        viewer = reader(call)
        name = call.params.required("artist")
        count = self._count(call, 50)
        with self._uows.read() as session:
            artist = self._catalog.artist_named(session, viewer, name)
            if artist is None:
                return {"topSongs": {"song": []}}
            tracks = self._charts.artist_top(session, viewer, ArtistId(artist.id), count + SPARE)
            songs = mapping.songs(session, viewer.user_id, playable(tracks)[:count])
        return {"topSongs": {"song": songs}}

    def lyrics(self, call: Call) -> Payload:
        """Plain lyrics of a song listed to the caller, found by artist and title."""
        viewer = reader(call)
        with self._uows.read() as session:
            found = self._lyrics.find(
                session, viewer, artist=call.params.get("artist"), title=call.params.get("title")
            )
        if found is None:
            return {"lyrics": {"value": ""}}
        track, words = found
        return {
            "lyrics": {
                "artist": track.artist or track.album_artist,
                "title": track.title,
                "value": plain_text(words),
            }
        }

    def lyrics_by_song(self, call: Call) -> Payload:
        viewer = reader(call)
        track_id = TrackId(mapping.parse(call.params.required("id"), "song"))
        with self._uows.read() as session:
            track = self._library.get(session, viewer, track_id)
            words = self._lyrics.get(session, viewer, track_id)
        if not words.lines:
            return {"lyricsList": {"structuredLyrics": []}}
        return {"lyricsList": {"structuredLyrics": [structured(words, track)]}}


def methods(c: Container) -> dict[str, Handler]:
    d = Discovery(c)
    return {
        "getArtistInfo2": d.artist_info,
        "getSimilarSongs2": d.similar_songs,
        "getTopSongs": d.top_songs,
        "getLyrics": d.lyrics,
        "getLyricsBySongId": d.lyrics_by_song,
    }
