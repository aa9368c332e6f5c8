"""oEmbed answers and embed pages: only for what was shared, and frameable."""

from __future__ import annotations

import re
import secrets
from pathlib import Path

from tests.accounts.conftest import MakeSite
from tests.fixtures.accounts import Site, drain
from tests.social.conftest import upload
from tonearm.accounts.principal import ALL_SCOPES, Viewer
from tonearm.models import Album, Artist, Playlist, PlaylistItem, Role
from tonearm.types import AlbumId, ArtistId, PlaylistId, PlaylistItemId, TrackId, UserId


def test_oembed_for_a_public_track_and_none_for_a_private_one(site: Site, tmp_path: Path) -> None:
    admin = site.setup()
    public = upload(admin, tmp_path / "a", "public")
    private = upload(admin, tmp_path / "b", "private")
    anyone = site.client()

    answer = anyone.get(
        "/api/oembed", params={"url": f"http://127.0.0.1/#/tracks/{public}", "format": "json"}
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["version"] == "1.0"
    assert body["type"] == "rich"
    assert body["provider_name"] == "tonearm"
    assert body["title"] == "public-3.0"
    assert f'src="http://127.0.0.1/embed/track/{public}"' in body["html"]
    assert body["html"].startswith("<iframe ")
    assert (body["width"], body["height"]) == (480, 140)
    assert body["thumbnail_url"] is None  # nobody signed out may fetch artwork here

    small = anyone.get(
        "/api/oembed",
        params={"url": f"http://127.0.0.1/embed/track/{public}", "maxwidth": 300},
    )
    assert small.json()["width"] == 300
    for url in (
        f"http://127.0.0.1/#/tracks/{private}",
        "http://127.0.0.1/#/tracks/nosuchtrack",
        "http://127.0.0.1/#/settings",
        f"javascript:alert(1)//#/tracks/{public}",
    ):
        refused = admin.browser.get("/api/oembed", params={"url": url})
        assert refused.status_code == 404, url
        assert refused.headers["content-type"] == "application/problem+json"
    xml = anyone.get(
        "/api/oembed", params={"url": f"http://127.0.0.1/#/tracks/{public}", "format": "xml"}
    )
    assert xml.status_code == 501


def test_the_embed_page_is_frameable_and_the_app_is_not(site: Site, tmp_path: Path) -> None:
    admin = site.setup()
    public = upload(admin, tmp_path / "a", "public")
    private = upload(admin, tmp_path / "b", "private")
    anyone = site.client()

    page = anyone.get(f"/embed/track/{public}")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    policy = page.headers["content-security-policy"]
    assert "frame-ancestors *" in policy
    assert "script-src" not in policy and "'unsafe-inline'" not in policy
    nonce = re.search(r"'nonce-([^']+)'", policy)
    assert nonce is not None and f'<style nonce="{nonce.group(1)}">' in page.text
    assert "x-frame-options" not in page.headers
    assert "<title>public-3.0</title>" in page.text
    assert 'type="application/json+oembed"' in page.text
    assert f"url=http%3A//127.0.0.1/embed/track/{public}" in page.text
    # Anonymous listening is off: no player, an invitation to sign in.
    assert "<audio" not in page.text
    assert "Sign in to listen" in page.text
    assert f'href="/#/tracks/{public}"' in page.text

    home = anyone.get("/")
    assert "frame-ancestors 'none'" in home.headers["content-security-policy"]
    api = anyone.get("/api/setup")
    assert "frame-ancestors 'none'" in api.headers["content-security-policy"]

    assert anyone.get(f"/embed/track/{private}").status_code == 404
    assert admin.browser.get(f"/embed/track/{private}").status_code == 404
    assert anyone.get(f"/embed/tape/{public}").status_code == 404


def test_with_anonymous_listening_the_embed_plays(make_site: MakeSite, tmp_path: Path) -> None:
    site = make_site(accounts={"anonymous_listening": True})
    admin = site.setup()
    public = upload(admin, tmp_path, "unlisted")
    anyone = site.client()

    page = anyone.get(f"/embed/track/{public}")
    src = re.search(r'<audio controls preload="none" src="([^"]+)"', page.text)
    assert src is not None, page.text
    assert src.group(1) == f"/api/tracks/{public}/original"  # not processed yet
    audio = anyone.get(src.group(1))
    assert audio.status_code == 200
    assert audio.content[:4] == b"RIFF"
    drain(site.c)
    page = anyone.get(f"/embed/track/{public}")
    assert f'src="/api/tracks/{public}/stream.mp3"' in page.text
    assert anyone.get(f"/api/tracks/{public}/stream.mp3").status_code == 200


def test_albums_and_playlists_embed_only_what_was_shared(site: Site, tmp_path: Path) -> None:
    admin = site.setup()
    public = upload(admin, tmp_path / "a", "public")
    private = upload(admin, tmp_path / "b", "private")
    album_id, playlist_id = AlbumId(secrets.token_hex(8)), PlaylistId(secrets.token_hex(8))
    with site.c.infra.uows() as uow:
        s = uow.session
        s.add(Artist(id=ArtistId("ar1"), name="The Band", match_key="band", sort_key="band"))
        s.flush()
        s.add(Album(id=album_id, title="Record", artist_id="ar1", match_key="r", sort_key="r"))
        s.add(
            Playlist(
                id=playlist_id, owner_id=UserId(admin.user_id), name="Mix", visibility="public"
            )
        )
        s.flush()
        for n, track_id in enumerate((public, private)):
            track = site.c.library.visible(s, _admin_viewer(site, admin.user_id), TrackId(track_id))
            track.album_id = album_id
            s.add(
                PlaylistItem(
                    id=PlaylistItemId(f"i{n}{playlist_id}"[:32]),
                    playlist_id=playlist_id,
                    track_id=TrackId(track_id),
                    position=f"a{n}",
                )
            )
    anyone = site.client()
    for kind, title in (("album", "Record"), ("playlist", "Mix")):
        subject = album_id if kind == "album" else playlist_id
        page = anyone.get(f"/embed/{kind}/{subject}")
        assert page.status_code == 200, page.text
        assert f"<title>{title}</title>" in page.text
        assert "public-3.0" in page.text
        assert "private-3.0" not in page.text
        answer = anyone.get("/api/oembed", params={"url": f"http://h/#/{kind}s/{subject}"})
        assert answer.status_code == 200, answer.text
        assert answer.json()["height"] == 400
    assert anyone.get("/embed/album/nosuchalbum").status_code == 404


def _admin_viewer(site: Site, user_id: str) -> Viewer:
    return Viewer(user_id=UserId(user_id), role=Role.ADMIN, scopes=ALL_SCOPES, via="session")
