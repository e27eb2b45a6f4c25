"""Who may talk to the server, and what another website can do with it: nothing.

The server runs on the user's machine while the user browses the web, so every page they visit
could try to reach it. This pure-ASGI guard (it sees WebSockets too) answers, in order:

1. **Host.** Bound to loopback, a request must name a loopback host (``localhost``, any
   127.0.0.0/8 address, ``::1``): a page on ``evil.example`` resolving to 127.0.0.1 (DNS
   rebinding) is refused.
2. **Origin.** A state-changing request (POST, PUT, PATCH, DELETE) or a WebSocket upgrade that
   carries an ``Origin`` other than the server's own (``http://`` + its ``Host``) is refused,
   ``Origin: null`` included; browsers send ``Origin`` on every such request, so a form POST, a
   ``fetch`` (cors or no-cors) and a WebSocket from another page are all stopped here.
3. **Fetch metadata.** A read that a browser marks ``Sec-Fetch-Site: cross-site`` or
   ``same-site`` (another port of 127.0.0.1 is the same *site*) is refused unless it is a
   top-level navigation (following a link to the projector), which the other page cannot read.
4. **Token.** Bound elsewhere, every request and WebSocket must carry the token (``?token=``,
   which the printed URL has and which then becomes a cookie, ``Authorization: Bearer``, or the
   cookie). Tokens are compared as UTF-8 bytes, so any text is a wrong token, never a crash.
5. **Body size.** A request body over ``max_body_bytes`` is answered 413 before it is read
   whole (a ``Content-Length`` over the limit at once, a chunked body as soon as it passes it).

Every HTTP answer carries ``X-Content-Type-Options: nosniff``, ``Cross-Origin-Resource-Policy:
same-origin`` (a foreign ``<img>`` or ``<script>`` cannot embed a PNG, a column or a TSV) and
``X-Frame-Options: DENY`` (no framing, so no clickjacking); none carries a CORS header, so a
cross-origin ``fetch`` can never read an answer. Refusals have the one error shape (403/401/413;
a WebSocket is closed with 1008).
"""

from __future__ import annotations

import hmac
import json
from http.cookies import CookieError, SimpleCookie
from urllib.parse import parse_qs, urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from synthscope.server._errors import error_body
from synthscope.server._settings import MAX_BODY_BYTES, is_loopback

__all__ = ["COOKIE", "SECURITY_HEADERS", "GuardMiddleware", "is_loopback_host"]

COOKIE = "synthscope_token"
_UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_DEFAULT_PORTS = {"http": "80", "https": "443", "ws": "80", "wss": "443"}
#: Headers on every HTTP answer (see the module docstring).
SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-content-type-options", b"nosniff"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
    (b"content-security-policy", b"frame-ancestors 'none'"),
    (b"referrer-policy", b"no-referrer"),
)
_CORS_HEADERS = frozenset(
    {
        b"access-control-allow-origin",
        b"access-control-allow-credentials",
        b"access-control-allow-methods",
        b"access-control-allow-headers",
        b"access-control-expose-headers",
    }
)


class _Refused(Exception):
    def __init__(self, status: int, text: str) -> None:
        super().__init__(text)
        self.status = status
        self.text = text


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin-1")
    return None


def _host_name(host: str) -> str:
    """``127.0.0.2:8765`` -> ``127.0.0.2``, ``[::1]:80`` -> ``[::1]``."""
    if host.startswith("["):
        return host[: host.index("]") + 1] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def is_loopback_host(host_header: str) -> bool:
    """Whether a ``Host`` header names this machine (``localhost``, 127.0.0.0/8, ``[::1]``)."""
    name = _host_name(host_header.strip()).lower().rstrip(".")
    return bool(name) and is_loopback(name)


def _netloc(scheme: str, netloc: str) -> str:
    """``host:port`` in lower case without the scheme's default port."""
    netloc = netloc.lower()
    default = _DEFAULT_PORTS.get(scheme)
    if default and netloc.endswith(f":{default}") and not netloc.endswith("]"):
        netloc = netloc[: -len(default) - 1]
    return netloc


def _same_origin(origin: str, scope: Scope) -> bool:
    """Whether ``Origin`` is this server as the request addressed it (scheme, host, port).

    Behind a reverse proxy the browser addressed the proxy: its ``X-Forwarded-Host`` (and
    ``-Proto``) count too. A page on another origin cannot forge them: a custom header makes the
    browser ask first (a CORS preflight), which this server never grants.
    """
    if origin == "null":
        return False
    try:
        parts = urlsplit(origin)
    except ValueError:
        return False
    if parts.path or parts.query or not parts.netloc:
        return False
    scheme = {"ws": "http", "wss": "https"}.get(scope.get("scheme", "http"), scope.get("scheme"))
    addressed = [(scheme, _header(scope, b"host"))]
    forwarded = _header(scope, b"x-forwarded-host")
    if forwarded:
        proto = (_header(scope, b"x-forwarded-proto") or scheme or "http").split(",")[0].strip()
        addressed.append((proto.lower(), forwarded.split(",")[0].strip()))
    return any(
        host and parts.scheme == kind and _netloc(kind, parts.netloc) == _netloc(kind, host)
        for kind, host in addressed
    )


def _check_origin(scope: Scope) -> None:
    """Refuse what another website's page may have sent (see the module docstring, 2 and 3)."""
    origin = _header(scope, b"origin")
    method = scope.get("method", "GET").upper()
    if scope["type"] == "websocket" or method in _UNSAFE_METHODS:
        if origin is not None and not _same_origin(origin, scope):
            raise _Refused(403, "cross-origin request refused")
        return
    site = (_header(scope, b"sec-fetch-site") or "").lower()
    if site in ("cross-site", "same-site"):
        mode = (_header(scope, b"sec-fetch-mode") or "").lower()
        dest = (_header(scope, b"sec-fetch-dest") or "").lower()
        if mode != "navigate" or dest not in ("document", ""):
            raise _Refused(403, "cross-origin request refused")
    elif origin is not None and not _same_origin(origin, scope):
        raise _Refused(403, "cross-origin request refused")


def _matches(presented: str, token: str) -> bool:
    # compare_digest refuses non-ASCII str; bytes compare any text in constant time.
    return hmac.compare_digest(presented.encode("utf-8", "surrogatepass"), token.encode("utf-8"))


class GuardMiddleware:
    """Refuse foreign hosts, foreign origins, missing tokens and oversized bodies (see module)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        token: str | None,
        loopback: bool,
        max_body_bytes: int = MAX_BODY_BYTES,
    ) -> None:
        self.app = app
        self.token = token
        self.loopback = loopback
        self.max_body_bytes = max_body_bytes

    def _presented(self, scope: Scope) -> tuple[str | None, bool]:
        """The token the request carries, and whether it came in the query string."""
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        if "token" in query:
            return query["token"][0], True
        auth = _header(scope, b"authorization")
        if auth and auth.lower().startswith("bearer "):
            return auth[7:].strip(), False
        cookie = _header(scope, b"cookie")
        if cookie:
            jar: SimpleCookie = SimpleCookie()
            try:
                jar.load(cookie)
            except CookieError:
                return None, False
            if COOKIE in jar:
                return jar[COOKIE].value, False
        return None, False

    def _check(self, scope: Scope) -> bool:
        """Raise :class:`_Refused` for a request to refuse; True when the token came by query."""
        host = _header(scope, b"host") or ""
        if self.loopback and self.token is None and not is_loopback_host(host):
            raise _Refused(403, "forbidden host")
        _check_origin(scope)
        if self.token is None:
            return False
        presented, from_query = self._presented(scope)
        if presented is None or not _matches(presented, self.token):
            raise _Refused(401, "a valid token is required")
        return from_query

    def _too_large(self) -> str:
        return f"request body over the limit of {self.max_body_bytes} bytes"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        try:
            from_query = self._check(scope)
            if scope["type"] == "http":
                length = _header(scope, b"content-length")
                if length is not None and length.strip().isdigit():
                    if int(length) > self.max_body_bytes:
                        raise _Refused(413, self._too_large())
                elif scope.get("method", "GET").upper() in _UNSAFE_METHODS:
                    receive = await self._buffered(receive)
        except _Refused as refused:
            await _deny(scope, send, refused.status, refused.text)
            return
        if scope["type"] == "websocket":
            await self.app(scope, receive, send)
            return

        cookie = None
        if from_query:
            # Hand the page its token as a cookie, so its own fetches carry it from now on.
            cookie = f"{COOKIE}={self.token}; Path=/; HttpOnly; SameSite=Strict".encode()

        async def send_guarded(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (key, value)
                    for key, value in message.get("headers", [])
                    if key.lower() not in _CORS_HEADERS
                ]
                headers += SECURITY_HEADERS
                if cookie is not None:
                    headers.append((b"set-cookie", cookie))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_guarded)

    async def _buffered(self, receive: Receive) -> Receive:
        """Read a body of unknown length up to the limit, then hand it on as one message."""
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                raise _Refused(400, "the client went away")
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                raise _Refused(413, self._too_large())
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": b"".join(chunks), "more_body": False}
            return await receive()

        return replay


async def _deny(scope: Scope, send: Send, status: int, text: str) -> None:
    if scope["type"] == "websocket":
        await send({"type": "websocket.close", "code": 1008, "reason": text})
        return
    kind = {401: "Unauthorized", 403: "Forbidden", 413: "PayloadTooLarge"}.get(status, "HTTPError")
    body = json.dumps(error_body(text, kind)).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                *SECURITY_HEADERS,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
