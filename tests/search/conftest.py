"""One generated catalogue per database for the whole search package (built once: it is
the slow part), searched by a member who owns none of it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.fixtures.accounts import build_container, member_viewer
from tests.fixtures.database import BACKENDS, fresh_database
from tests.search.catalogue import Catalogue, populate
from tonearm.accounts.principal import Viewer
from tonearm.container import Container
from tonearm.search.index import rebuild

TRACKS = 5000


@dataclass
class Indexed:
    c: Container
    cat: Catalogue
    viewer: Viewer
    backend: str


@pytest.fixture(scope="package", params=BACKENDS)
def indexed(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Indexed]:
    tmp = tmp_path_factory.mktemp("search")
    with fresh_database(request.param, tmp) as url:
        c = build_container(tmp / "data", url)
        try:
            owner = member_viewer(c, "curator")
            assert owner.user_id is not None
            cat = populate(c, owner.user_id, TRACKS)
            rebuild(c.infra.uows, lambda stage, done, total: None)
            yield Indexed(c, cat, member_viewer(c, "listener"), request.param)
        finally:
            c.close()
