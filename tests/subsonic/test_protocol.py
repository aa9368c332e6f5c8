"""The wire format: envelope, formats, error codes, formPost (in process, no clients)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from tests.fixtures.accounts import Client, Site, admin_token, build_container
from tests.fixtures.database import fresh_database

NS = "{http://subsonic.org/restapi}"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Client, str]]:
    data: Path = tmp_path_factory.mktemp("subsonic")
    with fresh_database("sqlite", data) as url:
        c = build_container(data, url)
        key = admin_token(c)["Authorization"].removeprefix("Bearer ")
        yield Site(c).client(), key
        c.close()


def test_ping_in_every_format(site: tuple[Client, str]) -> None:
    client, key = site
    xml = client.get("/rest/ping.view", params={"apiKey": key})
    assert xml.status_code == 200
    root = ET.fromstring(xml.content)  # noqa: S314
    assert root.tag == f"{NS}subsonic-response"
    assert root.attrib["status"] == "ok"
    assert root.attrib["version"] == "1.16.1"
    assert root.attrib["openSubsonic"] == "true"
    body = client.get("/rest/ping", params={"apiKey": key, "f": "json"}).json()
    response = body["subsonic-response"]
    assert response["status"] == "ok"
    assert response["type"] == "tonearm"
    assert response["openSubsonic"] is True
    jsonp = client.get("/rest/ping", params={"apiKey": key, "f": "jsonp", "callback": "cb"})
    assert jsonp.text.startswith("cb(") and jsonp.text.endswith(");")
    assert json.loads(jsonp.text[3:-2]) == body


def test_a_callback_that_is_not_a_name_gets_plain_json(site: tuple[Client, str]) -> None:
    client, key = site
    r = client.get("/rest/ping", params={"apiKey": key, "f": "jsonp", "callback": "alert(1)//"})
    assert r.headers["content-type"].startswith("application/json")


def test_form_post_carries_the_parameters(site: tuple[Client, str]) -> None:
    client, key = site
    r = client.post("/rest/tokenInfo.view", data={"apiKey": key, "f": "json"})
    assert r.json()["subsonic-response"]["tokenInfo"]["username"] == "admin"


def test_extensions_need_no_credentials(site: tuple[Client, str]) -> None:
    client, _ = site
    body = client.get("/rest/getOpenSubsonicExtensions", params={"f": "json"}).json()
    names = {e["name"] for e in body["subsonic-response"]["openSubsonicExtensions"]}
    assert {"apiKeyAuthentication", "formPost", "songLyrics", "transcodeOffset"} <= names


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({}, 10),
        ({"apiKey": "nope"}, 44),
        ({"apiKey": "nope", "u": "admin"}, 43),
    ],
)
def test_credentials_errors(site: tuple[Client, str], params: dict[str, str], code: int) -> None:
    client, _ = site
    r = client.get("/rest/ping", params={**params, "f": "json"})
    assert r.status_code == 200
    assert r.json()["subsonic-response"]["error"]["code"] == code


def test_unknown_method_is_an_error_body(site: tuple[Client, str]) -> None:
    client, key = site
    r = client.get("/rest/noSuchThing.view", params={"apiKey": key})
    root = ET.fromstring(r.content)  # noqa: S314
    assert root.attrib["status"] == "failed"
    assert root.find(f"{NS}error").attrib["code"] == "70"  # type: ignore[union-attr]
