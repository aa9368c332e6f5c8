"""An exact name is found however many newer documents share its words: candidates are
capped per kind, and the cap must never cost the best answer."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fixtures.accounts import build_container, member_viewer
from tests.search.catalogue import ANCHORS, populate
from tonearm.container import Container
from tonearm.search.index import rebuild
from tonearm.search.service import CANDIDATES, KINDS

# Newer than every anchor, and more of them than the candidate cap reads.
CROWD = [f"Something Else {i}" for i in range(CANDIDATES * 2)] + [
    f"Here Comes the Sun Again {i}" for i in range(CANDIDATES * 2)
]


@pytest.fixture
def crowded(tmp_path: Path, database_url: str) -> Iterator[Container]:
    c = build_container(tmp_path / "data", database_url)
    try:
        owner = member_viewer(c, "curator")
        assert owner.user_id is not None
        anchors = sum(len(songs) for *_, songs in ANCHORS)
        populate(c, owner.user_id, anchors + 50, crowd=CROWD)
        rebuild(c.infra.uows, lambda stage, done, total: None)
        yield c
    finally:
        c.close()


@pytest.mark.parametrize(
    ("q", "title"),
    [
        ("something", "Something"),
        ("Something", "Something"),
        ("somethin", "Something"),  # typing: the prefix of the exact name
        ("here comes the sun", "Here Comes the Sun"),
        ("here comes the su", "Here Comes the Sun"),
    ],
)
def test_the_exact_name_wins_over_a_newer_crowd(crowded: Container, q: str, title: str) -> None:
    viewer = member_viewer(crowded, "listener")
    with crowded.infra.uows.read() as s:
        found = crowded.search.service.search(s, viewer, q, KINDS, 10)
    assert [t.title for t in found.tracks][:1] == [title]
