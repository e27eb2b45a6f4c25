"""Who may talk to the server: a token off loopback, and only loopback Host names on loopback.

Bound to loopback, the server still checks the ``Host`` header, so that a web page on another
site cannot reach it through DNS rebinding. Bound elsewhere, every request must carry the
token: ``?token=`` (the printed URL has it; the page then gets it as a cookie),
``Authorization: Bearer``, or the cookie. This is pure ASGI so it guards WebSockets too.
"""

from __future__ import annotations

import hmac
import json
from http.cookies import SimpleCookie
from urllib.parse import parse_qs

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from synthscope.server._errors import error_body

__all__ = ["COOKIE", "LOOPBACK_HOSTS", "GuardMiddleware"]

COOKIE = "synthscope_token"
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "[::1]", "::1"})


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin-1")
    return None


def _host_name(host: str) -> str:
    if host.startswith("["):
        return host[: host.index("]") + 1] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


class GuardMiddleware:
    """Reject requests without the token (when one is set) or with a foreign Host on loopback."""

    def __init__(self, app: ASGIApp, *, token: str | None, loopback: bool) -> None:
        self.app = app
        self.token = token
        self.loopback = loopback

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
            jar = SimpleCookie()
            jar.load(cookie)
            if COOKIE in jar:
                return jar[COOKIE].value, False
        return None, False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        if self.loopback and self.token is None:
            host = _host_name(_header(scope, b"host") or "")
            if host not in LOOPBACK_HOSTS:
                await self._deny(scope, receive, send, 403, "forbidden host")
                return
        from_query = False
        if self.token is not None:
            presented, from_query = self._presented(scope)
            if presented is None or not hmac.compare_digest(presented, self.token):
                await self._deny(scope, receive, send, 401, "a valid token is required")
                return
        if not (from_query and scope["type"] == "http"):
            await self.app(scope, receive, send)
            return

        async def send_with_cookie(message: Message) -> None:
            # Hand the page its token as a cookie, so its own fetches carry it from now on.
            if message["type"] == "http.response.start":
                cookie = f"{COOKIE}={self.token}; Path=/; HttpOnly; SameSite=Strict"
                headers = [*message.get("headers", []), (b"set-cookie", cookie.encode())]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_cookie)

    @staticmethod
    async def _deny(scope: Scope, receive: Receive, send: Send, status: int, text: str) -> None:
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008, "reason": text})
            return
        kind = {401: "Unauthorized", 403: "Forbidden"}.get(status, "HTTPError")
        body = json.dumps(error_body(text, kind)).encode()
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
