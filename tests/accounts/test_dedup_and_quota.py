"""Shared storage never leaks who stored what, and quotas count every reference.

The same bytes uploaded by two people are stored once (one blob, two tracks), but each
uploader gets the answer a new upload gets; only a duplicate of one's *own* upload may
say so. Each copy counts in full against its owner's quota, so dedup cannot be used to
store more than the quota allows.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select

from tests.accounts.conftest import song
from tests.fixtures.accounts import Person, Site, drain
from tonearm.ingest.staging import format_bytes
from tonearm.models import Blob, Track, Upload

TUS = {"Tus-Resumable": "1.0.0"}
PATCH = {**TUS, "Content-Type": "application/offset+octet-stream"}


def _multipart(person: Person, path: Path, name: str = "mine.flac") -> httpx.Response:
    return person.browser.post("/api/tracks", files={"file": (name, path.read_bytes())})


def _tus(person: Person, data: bytes, name: str = "mine.flac") -> httpx.Response:
    meta = "filename " + base64.b64encode(name.encode()).decode()
    created = person.browser.post(
        "/api/uploads",
        headers={**TUS, "Upload-Length": str(len(data)), "Upload-Metadata": meta},
    )
    assert created.status_code == 201, created.text
    return person.browser.patch(
        created.headers["location"], headers={**PATCH, "Upload-Offset": "0"}, content=data
    )


def _as_anyone(track: dict[str, Any]) -> dict[str, Any]:
    """The answer without what names this track or its owner."""
    mine = ("id", "owner_id", "owner_name", "created_at", "updated_at")
    out = {k: v for k, v in track.items() if k not in mine}
    out["urls"] = {
        k: v.replace(track["id"], "ID") if isinstance(v, str) else v
        for k, v in track["urls"].items()
    }
    return out


def _used(person: Person) -> int:
    return int(person.browser.get("/api/me").json()["used_bytes"])


def _count(site: Site, model: type, **where: object) -> int:
    with site.c.infra.uows.read() as s:
        q = select(func.count()).select_from(model)
        for name, value in where.items():
            q = q.where(getattr(model, name) == value)
        return int(s.scalar(q) or 0)


def test_the_same_bytes_from_two_people(site: Site, tmp_path: Path) -> None:
    admin = site.setup()
    ana, bo, cy = (site.add_user(admin, name) for name in ("ana", "bo", "cy"))
    source = song(tmp_path)
    size = source.stat().st_size

    first = _multipart(ana, source)
    second = _multipart(bo, source)
    assert first.status_code == second.status_code == 201
    a, b = first.json(), second.json()
    assert _as_anyone(a) == _as_anyone(b)
    assert b["deduplicated"] is False and b["owner_id"] == bo.user_id != a["owner_id"]
    assert "already" not in second.text.lower()
    # The resumable way says the same.
    third = _tus(cy, source.read_bytes())
    assert third.status_code == 204, third.text
    assert third.headers["tonearm-deduplicated"] == "false"
    upload_id = third.request.url.path.rsplit("/", 1)[-1]
    assert cy.browser.get(f"/api/uploads/{upload_id}").json()["deduplicated"] is False
    c = cy.browser.get(f"/api/tracks/{third.headers['tonearm-track-id']}").json()
    # Read later than ``a`` was answered: the held-back track may show encoding by now,
    # as a fresh upload's would; everything else is the same.
    assert c["status"] in ("uploaded", "processing")
    moving = ("status", "progress")
    assert {k: v for k, v in _as_anyone(c).items() if k not in moving} == {
        k: v for k, v in _as_anyone(a).items() if k not in moving
    }

    # One blob, three owners, each charged in full.
    blob_hash = a["source"]["sha256"]
    with site.c.infra.uows.read() as s:
        owners = set(s.scalars(select(Track.owner_id).where(Track.blob_hash == blob_hash)))
        blob = s.get(Blob, blob_hash)
    assert owners == {ana.user_id, bo.user_id, cy.user_id}
    assert blob is not None and blob.refcount == 3
    originals = [
        p for p in (site.c.settings.data_dir / "blobs").rglob(f"{blob_hash}*") if p.is_file()
    ]
    assert len(originals) == 1
    assert _used(ana) == _used(bo) == _used(cy) == size

    # One's own bytes again: the track one has, said so, nothing added or counted.
    tracks = _count(site, Track)
    again = _multipart(ana, source, "mine again.flac")
    assert again.status_code == 200, again.text
    assert again.json()["deduplicated"] is True and again.json()["id"] == a["id"]
    assert again.headers["location"] == f"/api/tracks/{a['id']}"
    resumed = _tus(ana, source.read_bytes(), "once more.flac")
    assert resumed.status_code == 204, resumed.text
    assert resumed.headers["tonearm-track-id"] == a["id"]
    assert resumed.headers["tonearm-deduplicated"] == "true"
    assert _count(site, Track) == tracks
    assert _used(ana) == size

    # Nobody sees the others' private copies; deleting one leaves the others whole.
    mine = {t["id"] for t in bo.browser.get("/api/tracks").json()["items"]}
    assert mine == {b["id"]}
    assert bo.browser.get(f"/api/tracks/{a['id']}").status_code == 404
    assert bo.browser.delete(f"/api/tracks/{b['id']}").status_code == 204
    assert _used(bo) == 0
    with site.c.infra.uows.read() as s:
        assert s.get(Blob, blob_hash).refcount == 2  # type: ignore[union-attr]
    assert ana.browser.get(a["urls"]["original"]).content == source.read_bytes()


def test_bytes_someone_else_had_processed_answer_as_new_ones(site: Site, tmp_path: Path) -> None:
    """Ready audio someone else uploaded would come back ready at once, with its tags
    and loudness: the uploader would learn that the file was stored before."""
    admin = site.setup()
    ana, bo = site.add_user(admin, "ana"), site.add_user(admin, "bo")
    source = song(tmp_path)
    fresh = _multipart(ana, source).json()
    drain(site.c)
    assert ana.browser.get(f"/api/tracks/{fresh['id']}").json()["status"] == "ready"
    late = _multipart(bo, source).json()
    assert _as_anyone(late) == _as_anyone(fresh)
    # Held back as a fresh upload would be: no playlist yet, nothing that was read
    # from the audio (tags, loudness, fingerprint).
    again = bo.browser.get(f"/api/tracks/{late['id']}").json()
    assert again["status"] in ("uploaded", "processing") and again["playable"] is False
    assert again["loudness"] is again["fingerprint"] is None
    master = bo.browser.get(f"/api/tracks/{late['id']}/hls/master.m3u8")
    assert master.status_code == 409, master.text


def test_quota_is_refused_when_a_resumable_upload_is_created(site: Site) -> None:
    admin = site.setup()
    quota = 50_000
    ana = site.add_user(admin, "ana", quota_bytes=quota)
    staging = site.c.settings.tmp_dir / "uploads"

    def create(length: int) -> httpx.Response:
        return ana.browser.post("/api/uploads", headers={**TUS, "Upload-Length": str(length)})

    too_big = create(quota + 1)
    assert too_big.status_code == 413
    problem = too_big.json()
    assert problem["type"] == "urn:tonearm:problem:quota-exceeded"
    assert f"only {format_bytes(quota)} of your {format_bytes(quota)}" in problem["detail"]
    assert _count(site, Upload) == 0 and not list(staging.glob("*"))

    # An unfinished upload holds its bytes: what is left shrinks at once.
    held = create(30_000)
    assert held.status_code == 201
    refused = create(20_001)
    assert refused.status_code == 413
    assert f"only {format_bytes(20_000)} " in refused.json()["detail"]
    assert create(20_000).status_code == 201
    full = create(1)
    assert full.status_code == 413 and "only 0 bytes " in full.json()["detail"]
    assert _count(site, Upload) == 2
    # Cancelling gives the room back; an admin may lift the quota.
    assert ana.browser.delete(held.headers["location"], headers=TUS).status_code == 204
    assert create(30_000).status_code == 201
    lifted = admin.browser.patch(f"/api/users/{ana.user_id}", json={"clear_quota": True})
    assert lifted.status_code == 200 and lifted.json()["quota_bytes"] is None
    assert create(10_000_000).status_code == 201


def test_quota_refuses_a_one_request_upload_too(site: Site, tmp_path: Path) -> None:
    admin = site.setup()
    source = song(tmp_path)
    size = source.stat().st_size
    ana = site.add_user(admin, "ana", quota_bytes=size - 1)
    refused = _multipart(ana, source)
    assert refused.status_code == 413, refused.text
    problem = refused.json()
    assert problem["type"] == "urn:tonearm:problem:quota-exceeded"
    assert f"only {format_bytes(size - 1)} " in problem["detail"]
    assert _count(site, Track) == _count(site, Blob) == 0
    assert not [p for p in site.c.settings.tmp_dir.rglob("*") if p.is_file()]

    # Counted per copy: bytes someone else stored take as much room as new ones; one's
    # own bytes again add nothing, so they need no room.
    bo = site.add_user(admin, "bo")
    assert _multipart(bo, source).status_code == 201
    assert _multipart(ana, source).status_code == 413
    grown = admin.browser.patch(f"/api/users/{ana.user_id}", json={"quota_bytes": 2 * size - 1})
    assert grown.status_code == 200
    assert _multipart(ana, source).status_code == 201
    assert _used(ana) == size
    again = _multipart(ana, source, "again.flac")
    assert again.status_code == 200 and again.json()["deduplicated"] is True
    assert _used(ana) == size
    other = _multipart(ana, song(tmp_path / "longer", seconds=6.0, frequency=523.0))
    assert other.status_code == 413
    assert f"only {format_bytes(size - 1)} " in other.json()["detail"]
