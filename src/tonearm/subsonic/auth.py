"""Who is calling: ``apiKey`` (OpenSubsonic), ``u`` + ``p``, or ``u`` + ``t`` + ``s``.

An API key is a personal API token (Settings → Tokens). Passwords are the person's
Subsonic app password (Settings → Subsonic), never the sign-in password: token
authentication needs the password itself on the server, so it is a separate secret the
person can revoke without losing their account. Failed attempts count against the same
throttle as the page's sign-in.
"""

from __future__ import annotations

from dataclasses import replace

from tonearm.accounts import credentials
from tonearm.accounts.app_passwords import AppPasswordService
from tonearm.accounts.auth import Authenticator
from tonearm.accounts.principal import ALL_SCOPES, Viewer
from tonearm.accounts.service import AccountService
from tonearm.db.unit_of_work import UnitOfWorkFactory
from tonearm.errors import Throttled
from tonearm.models import Role
from tonearm.subsonic.protocol import Code, Params, SubsonicError

WRONG = "Wrong username or password (use your Subsonic app password from Settings)."


class SubsonicAuth:
    def __init__(
        self,
        uows: UnitOfWorkFactory,
        accounts: AccountService,
        app_passwords: AppPasswordService,
        tokens: Authenticator,
    ) -> None:
        self._uows = uows
        self._accounts = accounts
        self._app_passwords = app_passwords
        self._tokens = tokens

    def __call__(self, params: Params, address: str | None) -> tuple[Viewer, str]:
        api_key = params.get("apiKey")
        if api_key is not None:
            if "u" in params or "p" in params or "t" in params:
                raise SubsonicError(
                    Code.CONFLICTING_AUTH, "Send either apiKey or a user name, not both."
                )
            return self._by_api_key(api_key)
        username = params.required("u")
        token, password = params.get("t"), params.get("p")
        if token is not None:
            salt = params.required("s")
            return self._by_secret(username, address, token=token, salt=salt)
        if password is None:
            raise SubsonicError(Code.MISSING_PARAMETER, "Required parameter 'p' or 't' is missing.")
        return self._by_secret(username, address, password=_decoded(password))

    def _by_api_key(self, secret: str) -> tuple[Viewer, str]:
        found = self._tokens.token_viewer(secret)
        if found is None:
            raise SubsonicError(
                Code.INVALID_API_KEY, "This API key is not valid (revoked or expired)."
            )
        viewer, username = found
        return replace(viewer, binding=credentials.binding_of(secret)), username

    def _by_secret(
        self,
        username: str,
        address: str | None,
        *,
        password: str | None = None,
        token: str | None = None,
        salt: str = "",
    ) -> tuple[Viewer, str]:
        with self._uows.read() as session:
            try:
                self._accounts.check_throttle(session, username, address)
            except Throttled as exc:
                raise SubsonicError(Code.WRONG_CREDENTIALS, exc.message) from None
            held = self._app_passwords.holder(session, username)
        stored = held.password if held else None
        if held is None or stored is None:
            self._failed(username, address)
            if token is not None and held is not None:
                raise SubsonicError(
                    Code.TOKEN_NOT_SUPPORTED,
                    "Token authentication needs a Subsonic app password: create one in "
                    "Settings → Subsonic.",
                )
            raise SubsonicError(Code.WRONG_CREDENTIALS, WRONG)
        ok = (
            self._app_passwords.matches_token(stored, token, salt)
            if token is not None
            else self._app_passwords.matches_password(stored, password or "")
        )
        if not ok:
            self._failed(username, address)
            raise SubsonicError(Code.WRONG_CREDENTIALS, WRONG)
        user = held.user
        if self._app_passwords.needs_touch(held):
            with self._uows() as uow:
                self._app_passwords.touch(uow, user.id)
        viewer = Viewer(
            user_id=user.id,
            role=Role(user.role),
            scopes=ALL_SCOPES,
            via="token",
            binding=credentials.binding_of(stored),
        )
        return viewer, user.username

    def _failed(self, username: str, address: str | None) -> None:
        with self._uows() as uow:
            self._accounts.record_failure(uow, username, address)


def _decoded(password: str) -> str:
    """``enc:`` followed by the password's UTF-8 bytes in hex (an obfuscation, not a cipher)."""
    if not password.startswith("enc:"):
        return password
    try:
        return bytes.fromhex(password[4:]).decode()
    except (ValueError, UnicodeDecodeError):
        raise SubsonicError(
            Code.WRONG_CREDENTIALS, "The 'enc:' password is not valid hexadecimal."
        ) from None
