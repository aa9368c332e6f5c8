"""Who is calling: ``apiKey`` (OpenSubsonic), ``u`` + ``p``, or ``u`` + ``t`` + ``s``.

An API key is a personal API token (Settings → Tokens). Passwords are the person's
Subsonic app password (Settings → Subsonic), never the sign-in password: token
authentication needs the password itself on the server, so it is a separate secret the
person can revoke without losing their account.
"""

from __future__ import annotations

from dataclasses import replace

from tonearm.accounts import credentials
from tonearm.accounts.principal import Viewer
from tonearm.accounts.service import AccountService
from tonearm.db.unit_of_work import UnitOfWorkFactory
from tonearm.subsonic.protocol import Code, Params, SubsonicError


class SubsonicAuth:
    def __init__(self, uows: UnitOfWorkFactory, accounts: AccountService) -> None:
        self._uows = uows
        self._accounts = accounts

    def __call__(self, params: Params, address: str | None) -> tuple[Viewer, str]:
        api_key = params.get("apiKey")
        if api_key is not None:
            if "u" in params:
                raise SubsonicError(
                    Code.CONFLICTING_AUTH, "Send either apiKey or a user name, not both."
                )
            return self._by_api_key(api_key)
        params.required("u")
        raise SubsonicError(Code.WRONG_CREDENTIALS, "Wrong username or password.")

    def _by_api_key(self, secret: str) -> tuple[Viewer, str]:
        with self._uows.read() as session:
            found = self._accounts.resolve_token(session, secret)
            if found is None:
                raise SubsonicError(
                    Code.INVALID_API_KEY, "This API key is not valid (revoked or expired)."
                )
            user, row = found
            viewer = self._accounts.viewer_of_token(user, row)
            stale = self._accounts.token_needs_touch(row)
        if stale:
            with self._uows() as uow:
                self._accounts.touch_token(uow, row.id)
        return replace(viewer, binding=credentials.binding_of(secret)), user.username
