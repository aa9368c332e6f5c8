"""Who is asking, as FastAPI dependencies: session cookie or ``Authorization: Bearer``.

Every route declares what it needs (``viewer``: anyone, ``member``: signed in,
``scoped(...)``: a token scope, ``admin``). Unsafe methods (POST, PUT, PATCH, DELETE)
made with the session cookie must come from our own origin (``Sec-Fetch-Site`` /
``Origin``) and carry the session's CSRF token in ``X-CSRF-Token``; bearer tokens are
not sent by browsers on their own, so they need neither.
"""

# No `from __future__ import annotations` here: FastAPI reads the dependencies'
# parameter types at definition time, and they name other dependencies (local names).

from collections.abc import Callable, Coroutine
from dataclasses import replace
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer

from tonearm.accounts import credentials
from tonearm.accounts.principal import ANONYMOUS, Viewer
from tonearm.accounts.service import AccountService
from tonearm.db.unit_of_work import UnitOfWorkFactory
from tonearm.errors import Forbidden, Unauthenticated
from tonearm.models import Scope

COOKIE = credentials.SESSION_COOKIE
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

_cookie = APIKeyCookie(name=COOKIE, auto_error=False, scheme_name="session")
_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="token",
    description="A personal API token (Settings → Tokens): `Authorization: Bearer tnrm_...`.",
)

Dependency = Callable[..., Coroutine[Any, Any, Viewer]]


class Authenticator:
    def __init__(
        self,
        uows: UnitOfWorkFactory,
        accounts: AccountService,
        *,
        bind_to_address: bool = False,
        anonymous_listening: bool = False,
    ) -> None:
        self.anonymous_listening = anonymous_listening
        self._uows = uows
        self._accounts = accounts
        self._bind_to_address = bind_to_address

    def _resolve(self, request: Request, cookie: str | None, bearer: str | None) -> Viewer:
        address = None
        if self._bind_to_address:
            address = request.client.host if request.client else ""
        if bearer is not None:
            viewer = self._by_token(bearer)
            return replace(viewer, binding=credentials.binding_of(bearer, address))
        if cookie:
            viewer = self._by_cookie(request, cookie)
            if viewer.signed_in:
                return replace(viewer, binding=credentials.binding_of(cookie, address))
        # The segment fast path binds to whatever cookie it sees: a stale one included.
        return replace(ANONYMOUS, binding=credentials.binding_of(None, address))

    def _by_token(self, secret: str) -> Viewer:
        found = self.token_viewer(secret)
        if found is None:
            raise Unauthenticated("This API token is not valid (revoked or expired).")
        return found[0]

    def token_viewer(self, secret: str) -> tuple[Viewer, str] | None:
        """The viewer a personal API token names and its user name (None: no such token);
        the Subsonic API's ``apiKey`` is the same token."""
        with self._uows.read() as session:
            found = self._accounts.resolve_token(session, secret)
            if found is None:
                return None
            user, row = found
            viewer = self._accounts.viewer_of_token(user, row)
            stale = self._accounts.token_needs_touch(row)
        if stale:
            with self._uows() as uow:
                self._accounts.touch_token(uow, row.id)
        return viewer, user.username

    def _by_cookie(self, request: Request, cookie: str) -> Viewer:
        with self._uows.read() as session:
            found = self._accounts.resolve_session(session, cookie)
            if found is None:
                # An ended or expired session: act as anonymous (the page shows sign-in).
                request.state.csrf = None
                return ANONYMOUS
            user, row = found
            viewer = self._accounts.viewer_of_session(user, row)
            request.state.csrf = row.csrf_token
            stale = self._accounts.needs_touch(row)
        if request.method not in SAFE_METHODS:
            check_csrf(request, row.csrf_token)
        if stale:
            with self._uows() as uow:
                self._accounts.touch_session(uow, row.id_hash)
        return viewer

    async def viewer(
        self,
        request: Request,
        cookie: Annotated[str | None, Depends(_cookie)],
        bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    ) -> Viewer:
        """Anyone, signed in or not (routes decide what an anonymous visitor may see)."""
        token = bearer.credentials if bearer is not None else None
        viewer = await run_in_threadpool(self._resolve, request, cookie, token)
        request.state.viewer = viewer
        return viewer

    def bind(self) -> "Deps":
        """The dependencies routes declare, bound to this authenticator."""
        return Deps(self)


class Deps:
    """What routes declare, as FastAPI dependencies.

    ``viewer``: anyone; ``reader``: anyone, but a token needs the ``read`` scope;
    ``member``: signed in; ``scoped(scope)``: signed in with that scope; ``admin``.
    """

    def __init__(self, auth: Authenticator) -> None:
        self.viewer: Dependency = auth.viewer

        async def member(viewer: Annotated[Viewer, Depends(auth.viewer)]) -> Viewer:
            if not viewer.signed_in:
                raise Unauthenticated("Sign in first.")
            return viewer

        async def admin(viewer: Annotated[Viewer, Depends(member)]) -> Viewer:
            if not viewer.is_admin:
                raise Forbidden("Only admins can do this.")
            return viewer

        async def reader(viewer: Annotated[Viewer, Depends(auth.viewer)]) -> Viewer:
            if not viewer.signed_in and not auth.anonymous_listening:
                raise Unauthenticated("Sign in first.")
            if viewer.via == "token" and Scope.READ not in viewer.scopes:
                raise Forbidden("This needs the 'read' scope.", code="scope")
            return viewer

        self.reader: Dependency = reader
        self.member: Dependency = member
        self.admin: Dependency = admin
        self._scoped: dict[Scope, Dependency] = {}
        for scope in Scope:
            self._scoped[scope] = _scoped(member, scope)

    def scoped(self, scope: Scope) -> Dependency:
        return self._scoped[scope]


def _scoped(member: Dependency, scope: Scope) -> Dependency:
    async def dependency(viewer: Annotated[Viewer, Depends(member)]) -> Viewer:
        if not viewer.can(scope):
            raise Forbidden(f"This needs the {scope.value!r} scope.", code="scope")
        return viewer

    return dependency


def check_csrf(request: Request, expected: str | None) -> None:
    """Refuse a cookie-authenticated unsafe request from another site or without the token."""
    site = request.headers.get("sec-fetch-site")
    if site is not None and site not in ("same-origin", "none"):
        raise Forbidden("Cross-site requests are refused.", code="csrf")
    origin = request.headers.get("origin")
    if origin is not None and not same_origin(origin, request):
        raise Forbidden("Requests from another origin are refused.", code="csrf")
    token = request.headers.get(CSRF_HEADER)
    if expected is None or token is None or not credentials.same(token, expected):
        raise Forbidden(
            "The CSRF token is missing or wrong; reload the page and try again.", code="csrf"
        )


def same_origin(origin: str, request: Request) -> bool:
    host = request.headers.get("host", "")
    return origin.split("://", 1)[-1].rstrip("/") == host
