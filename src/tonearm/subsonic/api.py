"""The Subsonic edge, assembled from the container: every method group, one router.

Each group module (``system``, ``browsing``, ``lists``, ``media``, ...) is handed the
services it needs and answers ``methods()``; a name answered by two groups is a bug.
"""

from __future__ import annotations

from collections.abc import Mapping

from tonearm.container import Container
from tonearm.subsonic import (
    annotation,
    browsing,
    discovery,
    lists,
    media,
    playlists,
    queue,
    sharing,
    system,
    users,
)
from tonearm.subsonic.auth import SubsonicAuth
from tonearm.subsonic.protocol import Handler
from tonearm.subsonic.router import SubsonicRouter


def build(c: Container) -> SubsonicRouter:
    groups: list[Mapping[str, Handler]] = [
        system.methods(),
        browsing.methods(c),
        discovery.methods(c),
        media.methods(c),
        playlists.methods(c),
        queue.methods(c),
        sharing.methods(c),
        users.methods(c),
        lists.methods(c),
        annotation.methods(c),
    ]
    methods: dict[str, Handler] = {}
    for group in groups:
        clash = methods.keys() & group.keys()
        if clash:
            raise RuntimeError(f"Subsonic methods answered twice: {sorted(clash)}")
        methods.update(group)
    auth = SubsonicAuth(c.infra.uows, c.accounts.service, c.accounts.app_passwords)
    return SubsonicRouter(methods, auth)
