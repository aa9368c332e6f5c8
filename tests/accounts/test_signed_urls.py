"""Segment links: signed for one viewer's credential, short-lived, and what happens to
links already handed out when access goes away.

Segments are served ahead of the app without a database lookup (the hot path), so a
link handed out before a track went private, or before a token was revoked, keeps
working until it expires: within one signing window, 1-2 x
``TONEARM_STREAMING_SIGNED_URL_TTL_S``. Everything else (track JSON, playlists, MP3,
original) is checked on every request and refuses at once; no new link is handed out.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.accounts.conftest import MakeSite, song
from tests.fixtures.accounts import Client, Person, Site, build_container, drain
from tests.fixtures.database import BACKENDS, fresh_database
from tonearm.accounts.credentials import binding_of


@dataclass
class Shared:
    site: Site
    ana: Person
    bo: Person
    track: str
    ana_token: str
    bo_token: str
    rung: str


@pytest.fixture(scope="module", params=BACKENDS)
def shared(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Shared]:
    """Ana's processed track, Ana and Bo signed in, each with a read token."""
    folder = tmp_path_factory.mktemp("signed")
    with fresh_database(request.param, folder) as url:
        c = build_container(folder / "data", url)
        try:
            site = Site(c)
            admin = site.setup()
            ana, bo = site.add_user(admin, "ana"), site.add_user(admin, "bo")
            made = ana.browser.post(
                "/api/tracks", files={"file": ("a.flac", song(folder / "audio").read_bytes())}
            )
            drain(c)
            track = made.json()["id"]
            master = ana.browser.get(f"/api/tracks/{track}/hls/master.m3u8").text
            rung = next(x for x in master.splitlines() if x.endswith(".m3u8")).removesuffix(".m3u8")
            yield Shared(
                site, ana, bo, track, site.token(ana, "read"), site.token(bo, "read"), rung
            )
        finally:
            c.close()


def _links(client: Client, track: str, rung: str) -> list[str]:
    variant = client.get(f"/api/tracks/{track}/hls/{rung}.m3u8")
    assert variant.status_code == 200, variant.text
    lines = variant.text.splitlines()
    init = next(x for x in lines if x.startswith("#EXT-X-MAP:")).split('"')[1]
    return [init] + [x for x in lines if x.startswith("/s/")]


def test_a_link_plays_only_with_the_credential_it_was_signed_for(shared: Shared) -> None:
    site = shared.site
    by_token = _links(site.bearer(shared.ana_token), shared.track, shared.rung)
    by_session = _links(shared.ana.browser, shared.track, shared.rung)
    assert by_token[1] != by_session[1]  # one segment, two viewers, two signatures
    for link in by_token:
        assert site.bearer(shared.ana_token).get(link).status_code == 200
        assert site.bearer(shared.bo_token).get(link).status_code == 403
        assert site.client().get(link).status_code == 403
        assert shared.bo.browser.get(link).status_code == 403
        # Bound to the token, not to the person: Ana's browser session is another viewer.
        assert site.client(cookie=shared.ana.cookie).get(link).status_code == 403
    for link in by_session:
        assert shared.ana.browser.get(link).status_code == 200
        assert site.client(cookie=shared.bo.cookie).get(link).status_code == 403
        assert site.bearer(shared.ana_token).get(link).status_code == 403
    # Bo cannot get links of his own for Ana's private track.
    playlist = site.bearer(shared.bo_token).get(f"/api/tracks/{shared.track}/hls/master.m3u8")
    assert playlist.status_code == 404


def test_a_tampered_link_is_refused(shared: Shared) -> None:
    api = shared.site.bearer(shared.ana_token)
    links = _links(api, shared.track, shared.rung)
    link = links[1]
    path, query = link.split("?", 1)
    q = {k: v[0] for k, v in parse_qs(query).items()}
    flipped = q["s"][:-1] + ("A" if q["s"][-1] != "A" else "B")
    init_section = links[0].split("?", 1)[0]
    for tampered in (
        f"{path}?e={q['e']}&s={flipped}",
        f"{path}?e={int(q['e']) + 3600}&s={q['s']}",
        f"{init_section}?{query}",  # a valid query for another file
        f"{path.replace(f'/{shared.rung}/', '/999k/')}?{query}",
        path,
        f"{link}&e={q['e']}",
    ):
        response = api.get(tampered)
        assert response.status_code == 403, tampered
        assert response.headers["content-type"] == "application/problem+json"
    assert api.get(link).status_code == 200


def test_an_expired_link_is_refused(shared: Shared) -> None:
    """Made by the server's own signer for Ana's token, as it would have been two
    windows ago (the signer's windows are at least a minute: a test cannot wait one
    out), and the same link made now."""
    api = shared.site.bearer(shared.ana_token)
    path = _links(api, shared.track, shared.rung)[1].split("?", 1)[0]
    signer = shared.site.c.infra.signer
    binding = binding_of(shared.ana_token)
    ttl = shared.site.c.settings.streaming.signed_url_ttl_s
    expired = signer.sign(path, binding, now=time.time() - 3 * ttl)
    assert int(parse_qs(urlsplit(expired).query)["e"][0]) < time.time()
    response = api.get(expired)
    assert response.status_code == 403 and "expired" in response.json()["detail"]
    assert api.get(signer.sign(path, binding)).status_code == 200


def test_links_already_handed_out_last_one_signing_window(shared: Shared) -> None:
    site, ana = shared.site, shared.ana
    track = f"/api/tracks/{shared.track}"
    ttl = site.c.settings.streaming.signed_url_ttl_s
    assert ana.browser.patch(track, json={"visibility": "unlisted"}).status_code == 200
    bo_api = site.bearer(shared.bo_token)
    links = _links(bo_api, shared.track, shared.rung)  # anyone with the link may play
    assert bo_api.get(links[1]).status_code == 200
    try:
        assert ana.browser.patch(track, json={"visibility": "private"}).status_code == 200
        # At once: no track, no playlist, no file for Bo.
        for path in ("", "/hls/master.m3u8", f"/hls/{shared.rung}.m3u8", "/original"):
            assert bo_api.get(track + path).status_code == 404, path
        # The links he already holds play until they expire, within one window.
        assert bo_api.get(links[1]).status_code == 200
        expires = int(parse_qs(urlsplit(links[1]).query)["e"][0])
        assert expires <= time.time() + 2 * ttl
    finally:
        ana.browser.patch(track, json={"visibility": "private"})

    # A revoked token: refused at once everywhere but in links already signed for it.
    token = site.token(ana, "read")
    token_id = next(i for i, secret in ana.tokens.items() if secret == token)
    held = _links(site.bearer(token), shared.track, shared.rung)
    assert ana.browser.delete(f"/api/me/tokens/{token_id}").status_code == 204
    assert site.bearer(token).get(f"{track}/hls/{shared.rung}.m3u8").status_code == 401
    assert site.bearer(token).get(held[1]).status_code == 200
    assert int(parse_qs(urlsplit(held[1]).query)["e"][0]) <= time.time() + 2 * ttl


def test_links_can_be_bound_to_the_client_address(make_site: MakeSite, tmp_path: Path) -> None:
    site = make_site(accounts={"bind_urls_to_address": True})
    admin = site.setup()
    made = admin.browser.post(
        "/api/tracks", files={"file": ("a.flac", song(tmp_path).read_bytes())}
    )
    drain(site.c)
    token = site.token(admin, "read")
    home = site.client(address="192.0.2.1", headers={"Authorization": f"Bearer {token}"})
    away = site.client(address="192.0.2.2", headers={"Authorization": f"Bearer {token}"})
    master = home.get(f"/api/tracks/{made.json()['id']}/hls/master.m3u8").text
    rung = next(x for x in master.splitlines() if x.endswith(".m3u8")).removesuffix(".m3u8")
    link = _links(home, made.json()["id"], rung)[1]
    assert home.get(link).status_code == 200
    assert away.get(link).status_code == 403  # the same token on another network
