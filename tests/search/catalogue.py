"""A generated catalogue for search: well-known names in several scripts (the anchors
the relevance suite asks for) among thousands of made-up ones, inserted in bulk.

Rows go straight into the library's tables (one ``executemany`` per table and batch:
uploads would take hours at a million tracks); the search index is then built by the
real ``search.index.rebuild``, as ``tonearm search reindex`` builds it.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert

from tonearm.container import Container
from tonearm.library.catalog import album_key, match_key, sort_key
from tonearm.models import Album, Artist, Blob, BlobStatus, Like, LikeKind, Track, User
from tonearm.search import normalize
from tonearm.types import UserId

BLOB = "b" * 64
FANS = 40

# (artist, album, genre, [(title, lyrics, likes)])
Anchor = tuple[str, str, str, list[tuple[str, str | None, int]]]
ANCHORS: list[Anchor] = [
    (
        "Röyksopp",
        "Melody A.M.",
        "Electronic",
        [("Eple", None, 20), ("Remind Me", None, 25), ("Poor Leno", None, 12)],
    ),
    ("Dødheimsgard", "Satanic Art", "Black Metal", [("Traces of Reality", None, 5)]),
    (
        "Кино",
        "Группа крови",
        "Рок",
        [
            (
                "Группа крови",
                "[00:30.00]Тёплое место, но улицы ждут\n[00:36.50]отпечатков наших ног",
                30,
            ),
            ("Кукушка", None, 18),
            ("Звезда по имени Солнце", None, 22),
        ],
    ),
    (
        "The Beatles",
        "Abbey Road",
        "Rock",
        [
            ("Come Together", None, 30),
            ("Here Comes the Sun", None, 35),
            ("Something", None, 15),
        ],
    ),
    (
        "The Beatles",
        "Help!",
        "Rock",
        [
            (
                "Yesterday",
                "[00:05.00]Yesterday, all my troubles seemed so far away\n"
                "[00:12.50]Now it looks as though they're here to stay",
                40,
            ),
        ],
    ),
    (
        "AC/DC",
        "High Voltage",
        "Hard Rock",
        [("T.N.T.", None, 25), ("It's a Long Way to the Top", None, 14)],
    ),
    (
        "Sigur Rós",
        "Ágætis byrjun",
        "Post-Rock",
        [("Svefn-g-englar", None, 16), ("Starálfur", None, 11)],
    ),
    ("Björk", "Homogenic", "Art Pop", [("Jóga", None, 19), ("Bachelorette", None, 13)]),
    ("Μίκης Θεοδωράκης", "Zorba the Greek", "Λαϊκό", [("Ζορμπάς", None, 17)]),
    ("宇多田ヒカル", "First Love", "J-Pop", [("Automatic", None, 15)]),
    ("東京事変", "教育", "J-Rock", [("群青日和", None, 14)]),
    ("Mötley Crüe", "Dr. Feelgood", "Glam Metal", [("Kickstart My Heart", None, 12)]),
    ("Beyoncé", "Lemonade", "R&B", [("Formation", None, 24)]),
    ("Daft Punk", "Discovery", "House", [("One More Time", None, 33), ("Digital Love", None, 21)]),
    ("Michael Bublé", "It's Time", "Jazz", [("Home", "I wanna go home\nLet me go home", 26)]),
    ("Queen", "A Night at the Opera", "Rock", [("Bohemian Rhapsody", None, 45)]),
    ("Мумий Тролль", "Морская", "Рок", [("Владивосток 2000", None, 13)]),
    ("Земфира", "Земфира", "Рок", [("Искала", None, 12)]),
    ("Motörhead", "Ace of Spades", "Heavy Metal", [("Ace of Spades", None, 22)]),
    (
        "Sinéad O'Connor",
        "I Do Not Want What I Haven't Got",
        "Pop",
        [("Nothing Compares 2 U", None, 20)],
    ),
    ("Guns N' Roses", "Appetite for Destruction", "Hard Rock", [("Sweet Child o' Mine", None, 31)]),
    ("Jay-Z", "The Black Album", "Hip Hop", [("99 Problems", None, 18)]),
    ("Океан Ельзи", "Модель", "Рок", [("Обійми", None, 16)]),
    ("Ђорђе Балашевић", "Računajte na nas", "Шансона", [("Računajte na nas", None, 9)]),
    (
        "Françoise Hardy",
        "Tous les garçons et les filles",
        "Chanson",
        [("Le temps de l'amour", None, 12)],
    ),
    ("Þursaflokkurinn", "Hinn íslenski Þursaflokkur", "Folk Rock", [("Pínulítill karl", None, 6)]),
    ("فيروز", "Nassam Alayna", "Arabic", [("Li Beirut", None, 14)]),
    ("Ishtar", "Alabina", "World", [("שלום", None, 7)]),
    ("Sputnik", "Orbit", "Synthpop", [("Countdown", None, 8)]),
    ("Los Fabulosos Cadillacs", "Vasos Vacíos", "Ska", [("Matador", None, 11)]),
    (
        "Mari Boine",
        "Gula Gula",
        "Joik",
        [("Gula Gula", "Gula gula, hør mine ord\nfra gammel tid", 7)],
    ),
]

_SYLLABLES = {
    "latin": [
        "ka",
        "lo",
        "mer",
        "vin",
        "sa",
        "tor",
        "ul",
        "bre",
        "den",
        "fa",
        "gri",
        "hol",
        "jas",
        "ko",
        "lum",
        "nar",
        "ost",
        "pel",
        "quin",
        "ras",
        "sel",
        "tam",
        "vor",
        "wen",
        "zé",
        "ñu",
        "øy",
        "å",
        "ç",
        "ü",
    ],
    "cyrillic": [
        "ва",
        "ло",
        "ми",
        "ра",
        "ск",
        "ту",
        "бе",
        "го",
        "да",
        "жи",
        "зо",
        "ку",
        "ны",
        "пе",
        "ре",
        "си",
        "ха",
        "це",
        "чу",
        "ша",
        "ёл",
        "юн",
        "яр",
    ],
    "greek": ["κα", "λο", "μη", "νι", "πα", "ρο", "στ", "τα", "φι", "χο", "ψα", "ωρ", "δε", "γι"],
    "japanese": [
        "か",
        "き",
        "さ",
        "た",
        "な",
        "は",
        "ま",
        "ら",
        "わ",
        "山",
        "川",
        "夜",
        "空",
        "花",
    ],
}
_SCRIPTS = ["latin"] * 6 + ["cyrillic"] * 2 + ["greek", "japanese"]


@dataclass
class Catalogue:
    owner: UserId
    tracks: dict[str, str] = field(default_factory=dict)
    """Anchor title -> track id (titles are unique among anchors)."""
    artists: dict[str, str] = field(default_factory=dict)
    albums: dict[str, str] = field(default_factory=dict)
    size: int = 0


def _banned_words() -> set[str]:
    return {
        w
        for a in ANCHORS
        for text in (a[0], a[1], *(t for t, _, _ in a[3]))
        for w in normalize.tokens(text)
    }


def _deletes(word: str, depth: int = 2) -> set[str]:
    """``word`` with up to ``depth`` letters removed: two words within two edits share one."""
    out = {word}
    frontier = {word}
    for _ in range(depth):
        frontier = {w[:i] + w[i + 1 :] for w in frontier for i in range(len(w))}
        out |= frontier
    return out


class Names:
    """Made-up words in several scripts, none close enough to an anchor word to be
    taken for it by the typo layer (the suite's expectations stay unambiguous)."""

    def __init__(self, rng: random.Random, count: int = 3000) -> None:
        near: set[str] = set()
        for word in (w for w in _banned_words() if len(w) >= 4):
            near |= _deletes(word)
        words: list[str] = []
        seen: set[str] = set()
        while len(words) < count:
            script = rng.choice(_SCRIPTS)
            word = "".join(rng.choice(_SYLLABLES[script]) for _ in range(rng.randint(2, 4)))
            folded = " ".join(normalize.tokens(word))
            if folded in seen or not folded:
                continue
            if any(_deletes(w) & near for w in folded.split()):
                continue
            seen.add(folded)
            words.append(word.capitalize() if script != "japanese" else word)
        self.words = words
        self.rng = rng

    def name(self, low: int, high: int) -> str:
        return " ".join(self.rng.choice(self.words) for _ in range(self.rng.randint(low, high)))


def _id(rng: random.Random) -> str:
    return f"{rng.getrandbits(64):016x}"


def populate(
    c: Container,
    owner: UserId,
    tracks: int,
    *,
    seed: int = 16,
    batch: int = 20_000,
    crowd: Sequence[str] = (),
) -> Catalogue:
    """``tracks`` tracks (the anchors among them) owned by ``owner``, all public; then
    one more track per title in ``crowd``, written last (the newest documents)."""
    rng = random.Random(seed)
    names = Names(rng)
    cat = Catalogue(owner=owner)
    now = datetime.now(UTC)
    artists: dict[str, dict[str, Any]] = {}
    albums: dict[tuple[str, str], dict[str, Any]] = {}

    def artist(name: str) -> str:
        key = match_key(name)
        if key not in artists:
            artists[key] = {
                "id": _id(rng),
                "name": name,
                "match_key": key,
                "sort_key": sort_key(name),
                "created_at": now,
            }
        return str(artists[key]["id"])

    def album(title: str, artist_id: str) -> str:
        key = (artist_id, match_key(title))
        if key not in albums:
            albums[key] = {
                "id": _id(rng),
                "title": title,
                "artist_id": artist_id,
                "match_key": album_key(artist_id, title),
                "sort_key": sort_key(title),
                "compilation": False,
                "year": rng.randint(1960, 2024),
                "created_at": now,
            }
        return str(albums[key]["id"])

    def track_row(
        title: str, artist_name: str, album_title: str, genre: str, lyrics: str | None, n: int
    ) -> dict[str, Any]:
        artist_id = artist(artist_name)
        at = now - timedelta(seconds=n)
        return {
            "id": _id(rng),
            "blob_hash": BLOB,
            "owner_id": owner,
            "visibility": "public",
            "filename": f"{n}.flac",
            "title": title,
            "artist": artist_name,
            "album": album_title,
            "album_artist": None,
            "genre": genre,
            "lyrics": lyrics,
            "compilation": False,
            "edited": [],
            "artist_id": artist_id,
            "album_id": album(album_title, artist_id),
            "tags_applied": True,
            "deduplicated": False,
            "created_at": at,
            "updated_at": at,
        }

    fans = [UserId(f"fan{i:04d}") for i in range(FANS)]
    likes: list[dict[str, Any]] = []
    anchor_rows: list[dict[str, Any]] = []
    for artist_name, album_title, genre, songs in ANCHORS:
        for title, lyrics, liked in songs:
            row = track_row(title, artist_name, album_title, genre, lyrics, len(anchor_rows))
            anchor_rows.append(row)
            cat.tracks[title] = row["id"]
            cat.artists[artist_name] = row["artist_id"]
            cat.albums[album_title] = row["album_id"]
            likes += [
                {"user_id": f, "kind": LikeKind.TRACK, "subject_id": row["id"], "created_at": now}
                for f in fans[: min(liked, FANS)]
            ]
    with c.infra.uows() as uow:
        s = uow.session
        s.execute(
            insert(User),
            [
                {
                    "id": f,
                    "username": f,
                    "username_key": f,
                    "password_hash": "-",
                    "role": "member",
                    "created_at": now,
                    "password_changed_at": now,
                }
                for f in fans
            ],
        )
        s.execute(
            insert(Blob),
            [
                {
                    "hash": BLOB,
                    "size": 1,
                    "refcount": tracks + len(crowd),
                    "status": BlobStatus.READY,
                    "playable": True,
                    "format_name": "flac",
                    "codec": "flac",
                    "sample_rate": 44100,
                    "channels": 2,
                    "duration": 180.0,
                    "tags": {},
                    "artwork_sizes": [],
                    "created_at": now,
                    "updated_at": now,
                }
            ],
        )
    filler_artists = [names.name(1, 2) for _ in range(max(10, tracks // 12))]
    genres = ["Rock", "Pop", "Jazz", "Folk", "Electronic", "Hip Hop", "Рок", "Λαϊκό", "Metal"]

    def rows() -> Iterator[dict[str, Any]]:
        yield from anchor_rows
        for n in range(len(anchor_rows), tracks):
            a = rng.choice(filler_artists)
            lyrics = None
            if rng.random() < 0.15:
                lyrics = "\n".join(f"[00:{10 + 5 * i:02d}.00]{names.name(3, 6)}" for i in range(6))
            yield track_row(names.name(1, 4), a, names.name(1, 3), rng.choice(genres), lyrics, n)
        for n, title in enumerate(crowd, start=tracks):
            yield track_row(title, rng.choice(filler_artists), names.name(1, 3), "Pop", None, n)

    pending: list[dict[str, Any]] = []
    for row in rows():
        pending.append(row)
        if len(pending) >= batch:
            _flush(c, pending, artists, albums)
    _flush(c, pending, artists, albums)
    with c.infra.uows() as uow:
        uow.session.execute(insert(Like), likes)
    cat.size = tracks + len(crowd)
    return cat


def _flush(
    c: Container,
    pending: list[dict[str, Any]],
    artists: dict[str, dict[str, Any]],
    albums: dict[Any, dict[str, Any]],
) -> None:
    """Write the artists and albums made so far (once each), then the tracks."""
    with c.infra.uows() as uow:
        s = uow.session
        new_artists = [a for a in artists.values() if not a.get("_written")]
        new_albums = [a for a in albums.values() if not a.get("_written")]
        if new_artists:
            s.execute(
                insert(Artist.__table__),
                [{k: v for k, v in a.items() if k != "_written"} for a in new_artists],
            )
        if new_albums:
            s.execute(
                insert(Album.__table__),
                [{k: v for k, v in a.items() if k != "_written"} for a in new_albums],
            )
        if pending:
            s.execute(insert(Track.__table__), pending)
        for a in (*new_artists, *new_albums):
            a["_written"] = True
    pending.clear()
