"""The outermost layer: which Host names we answer, and headers on every response.

Host allow-list: a page on another site can point a name it controls at 127.0.0.1
(DNS rebinding) and then read this server as same-origin. Refusing requests whose
``Host`` is not one of ours closes that. The health probes are exempt: load
balancers and orchestrators call them by bare IP address, and they reveal nothing.

Security headers go on every response, segments included (a few bytes against
responses of many kilobytes). The Content-Security-Policy is what the web player
needs and no more: its own scripts and styles, ``blob:`` for the media and worker
URLs hls.js creates for MSE playback, ``data:`` images (the favicon), same-origin
fetches; no inline script, no eval, no framing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from urllib.parse import urlsplit

from tonearm.http.problems import PROBLEM_JSON, problem_body
from tonearm.streaming.fastpath import ASGIApp, Message, Receive, Scope, Send

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "media-src 'self' blob:",
        "worker-src 'self' blob:",
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"cross-origin-opener-policy", b"same-origin"),
)
MEDIA_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
)
"""For segments: a policy for documents (CSP, COOP) means nothing on audio, and its half
kilobyte on every segment response cost the fast path about a tenth of its rate."""
HOST_EXEMPT_PATHS = frozenset({"/healthz", "/readyz"})
ANY_HOST = "*"


def host_name(value: str) -> str:
    """The host part of a ``Host`` value or a configured name, lower-cased, without
    port or trailing dot; IPv6 literals keep their brackets."""
    value = value.strip().lower()
    if value.startswith("["):
        end = value.find("]")
        return value[: end + 1] if end > 0 else value
    if value.count(":") > 1:  # a bare IPv6 address, as configured
        return f"[{value}]"
    name, _, port = value.partition(":")
    return (name if port.isdigit() or not port else value).rstrip(".")


def allowed_hosts(extra: Sequence[str], host: str, public_url: str | None) -> frozenset[str] | None:
    """The names to answer for: the listening host, the loopback names, the public
    URL's host and ``extra`` (``http.allowed_hosts``); None (any) when ``extra``
    holds ``*``."""
    if ANY_HOST in extra:
        return None
    names = [host, "localhost", "127.0.0.1", "[::1]", *extra]
    if public_url:
        public = urlsplit(public_url).hostname
        if public:
            names.append(public)
    return frozenset(host_name(n) for n in names if n.strip())


class EdgeGuard:
    """``passthrough``: a path prefix whose app adds the headers itself, prebuilt (the
    segment fast path), so its responses are not rewritten on the hottest path."""

    def __init__(
        self,
        app: ASGIApp,
        hosts: frozenset[str] | None,
        headers: Iterable[tuple[bytes, bytes]] = SECURITY_HEADERS,
        *,
        passthrough: str | None = None,
    ) -> None:
        self._app = app
        self._hosts = hosts
        self._headers = tuple(headers)
        self._names = frozenset(name for name, _ in self._headers)
        self._passthrough = passthrough
        # Host header values already found allowed (a handful per deployment).
        self._known: set[bytes] = set()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        extra = self._headers
        names = self._names

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                present = {name.lower() for name, _ in headers} & names
                headers.extend(h for h in extra if h[0] not in present)
                message["headers"] = headers
            await send(message)

        path: str = scope["path"]
        if self._hosts is not None and path not in HOST_EXEMPT_PATHS:
            host = next((v for k, v in scope["headers"] if k == b"host"), None)
            if host is None or not self._allowed(host):
                await _refuse_host(send_with_headers)
                return
        if self._passthrough is not None and path.startswith(self._passthrough):
            await self._app(scope, receive, send)
            return
        await self._app(scope, receive, send_with_headers)

    def _allowed(self, host: bytes) -> bool:
        if host in self._known:
            return True
        assert self._hosts is not None
        if host_name(host.decode("latin-1")) not in self._hosts:
            return False
        if len(self._known) < 64:
            self._known.add(host)
        return True


async def _refuse_host(send: Send) -> None:
    body = problem_body(
        400,
        "This server does not answer for that host name. Its administrator can add "
        'the name to TONEARM_HTTP_ALLOWED_HOSTS (a JSON list: ["music.example.org"]).',
        code="unknown-host",
    )
    await send(
        {
            "type": "http.response.start",
            "status": 400,
            "headers": [
                (b"content-type", PROBLEM_JSON.encode()),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
