"""What the Subsonic list methods cost at scale, through the handlers apps call.

    .venv/bin/python bench/subsonic_lists.py [--tracks 100000] [--db sqlite,postgresql] ...

The library of ``bench/library.py`` (same options), plus play totals for 20 % of the
tracks and the viewer's own plays of 2000; each case calls a Subsonic handler in
process (parameters in, the payload with every song, album or artist mapped out), as
``/rest/<method>`` runs it after authentication.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert
from starlette.requests import Request

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from library import CASES, World, case, main  # type: ignore[import-not-found]
from tonearm.models.listening import ListenerTrack, TrackPlays
from tonearm.subsonic.lists import Lists
from tonearm.subsonic.protocol import Call, Params, Payload

_PLAYED: set[int] = set()


def _plays(w: World) -> None:
    """Totals for every fifth track, the viewer's own for 2000 (once per world)."""
    if id(w) in _PLAYED:
        return
    _PLAYED.add(id(w))
    start = datetime(2026, 6, 1, tzinfo=UTC)
    n = len(w.album_ids) * 10
    totals = [
        {"track_id": f"tr{i:010d}", "plays": 1 + i % 50, "seconds": 200.0, "last_played_at": start}
        for i in range(0, n, 5)
    ]
    mine = [
        {
            "user_id": w.viewer.user_id,
            "track_id": f"tr{i:010d}",
            "plays": 1 + i % 7,
            "seconds": 200.0,
            "last_played_at": start + timedelta(minutes=i),
        }
        for i in range(0, n, n // 2000)
    ]
    with w.c.infra.uows() as uow:
        for first in range(0, len(totals), 5000):
            uow.session.execute(insert(TrackPlays), totals[first : first + 5000])
        uow.session.execute(insert(ListenerTrack), mine)


def _handler(
    method: Callable[[Lists, Call], Payload], **params: str
) -> Callable[[World], Callable[[], object]]:
    def make(w: World) -> Callable[[], object]:
        _plays(w)
        lists = Lists(w.c)
        request = Request({"type": "http", "method": "GET", "path": "/rest", "headers": []})
        call = Call(w.viewer, "bob", Params(list(params.items())), request)
        return lambda: method(lists, call)

    return make


for name, method, params in [
    ("getAlbumList2 alphabeticalByName 50", Lists.album_list2, {"type": "alphabeticalByName"}),
    ("getAlbumList2 newest 50", Lists.album_list2, {"type": "newest"}),
    ("getAlbumList2 byName 500 @5000", Lists.album_list2, {"type": "alphabeticalByName"}),
    ("getAlbumList2 frequent 50", Lists.album_list2, {"type": "frequent"}),
    ("getAlbumList2 recent 50", Lists.album_list2, {"type": "recent"}),
    ("getAlbumList2 random 50", Lists.album_list2, {"type": "random"}),
    ("getAlbumList2 byYear 50", Lists.album_list2, {"type": "byYear"}),
    ("getRandomSongs 50", Lists.random_songs, {}),
    ("getSongsByGenre Jazz 50", Lists.songs_by_genre, {"genre": "Jazz"}),
    ("search3 '' songs 500 @40000", Lists.search3, {"query": ""}),
    ("search3 'album 12' 20 each", Lists.search3, {"query": "album 12"}),
]:
    extra = {"size": "50", "count": "50"}
    if "500" in name:
        extra.update(size="500", offset="5000", songCount="500", songOffset="40000")
        extra.update(artistCount="0", albumCount="0")
    if "byYear" in name:
        extra.update(fromYear="1990", toYear="1970")
    case(name)(_handler(method, **params, **extra))

# Only the Subsonic cases (the page's own are measured by bench/library.py).
for name in [n for n in CASES if not n.startswith(("get", "search3"))]:
    del CASES[name]

if __name__ == "__main__":
    main()
