"""System methods: ping, license, the OpenSubsonic extensions, token info."""

from __future__ import annotations

from tonearm.subsonic.protocol import Call, Handler, Payload

EXTENSIONS: dict[str, list[int]] = {
    "apiKeyAuthentication": [1],
    "formPost": [1],
    "songLyrics": [1],
    "transcodeOffset": [1],
    "indexBasedQueue": [1],
}


def ping(call: Call) -> Payload:
    return {}


def license_(call: Call) -> Payload:
    # Free software: the license is always valid (apps that check it stop nagging).
    return {"license": {"valid": True, "email": "", "licenseExpires": None}}


def extensions(call: Call) -> Payload:
    return {
        "openSubsonicExtensions": [
            {"name": name, "versions": versions} for name, versions in EXTENSIONS.items()
        ]
    }


def token_info(call: Call) -> Payload:
    return {"tokenInfo": {"username": call.username}}


def methods() -> dict[str, Handler]:
    return {
        "ping": ping,
        "getLicense": license_,
        "getOpenSubsonicExtensions": extensions,
        "tokenInfo": token_info,
    }
