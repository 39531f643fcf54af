"""The outermost layer of every request, as a plain ASGI middleware: body size, security headers, /metrics.

**Body size, before anything parses or spools it.** Each path has a limit (the longest matching prefix in
:attr:`RequestGuard.limits`, else the default). A declared ``Content-Length`` over it is answered 413 at
once; a body without one (chunked) is counted as it streams, and the request is answered 413 the moment it
passes the limit — the application never sees more than the limit, and no multipart upload is written to
the temporary directory past it. Without this, a 200 MB JSON login body was read into memory whole.

A request without credentials gets the default limit whatever the path says, except on the paths WeChat
itself calls: a form route that reads its bearer token only after parsing the body cannot make an anonymous
caller spool 90 MB of photos first. Credentials are an ``Authorization`` header, or under a prefix of
:attr:`RequestGuard.signed` the header that carries that route's signature (the platform's status calls:
their route screens the key, timestamp and replay memory before it receives the body, and checks the
signature over the body before it parses it).

**Headers** on every response: a strict Content-Security-Policy (everything from this origin, no inline
script, no framing), ``X-Frame-Options: DENY``, ``X-Content-Type-Options: nosniff`` and a referrer policy.

**/metrics** answers only to ``Authorization: Bearer <metrics token>`` when a token is configured.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Mapping
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy",
     b"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
     b"connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
)
TOO_LARGE = "请求内容太大，请压缩照片或分几次提交"


class BodyTooLarge(Exception):
    """The body passed the path's limit while streaming."""


class RequestGuard:
    def __init__(self, app: ASGIApp, *, default_limit: int, limits: Mapping[str, int] | None = None,
                 metrics_token: str | None = None, anonymous_prefixes: tuple[str, ...] = ("/wechat", "/sandbox"),
                 signed: Mapping[str, bytes] | None = None) -> None:
        self.app = app
        self.signed = dict(signed or {})  # path prefix → the header that signs its requests
        self.default_limit = default_limit
        self.anonymous_prefixes = anonymous_prefixes
        # Longest prefix first, so "/api/mp/reports" wins over "/api/mp".
        self.limits = sorted((limits or {}).items(), key=lambda item: len(item[0]), reverse=True)
        self.metrics_token = metrics_token

    def limit_for(self, path: str, *, authorised: bool = True) -> int:
        for prefix, limit in self.limits:
            if _under(path, prefix):
                if authorised or any(_under(path, p) for p in self.anonymous_prefixes):
                    return limit
                return min(limit, self.default_limit)
        return self.default_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                names = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(name, value) for name, value in SECURITY_HEADERS if name not in names]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        path: str = scope.get("path", "")
        if path == "/metrics" and self.metrics_token and not self._metrics_allowed(scope):
            await _plain(send_with_headers, 401, "metrics need the configured bearer token",
                         [(b"www-authenticate", b"Bearer")])
            return
        limit = self.limit_for(path, authorised=self._has_credentials(scope, path))
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _refuse(send_with_headers, limit)
            return

        received = 0
        refused = False

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge
            return message

        async def send_unless_refused(message: Message) -> None:
            nonlocal refused
            if refused:
                return
            if received > limit:  # the app turned our signal into an answer of its own (FastAPI: 400)
                refused = True
                if not started:
                    await _refuse(send_with_headers, limit)
                return
            await send_with_headers(message)

        try:
            await self.app(scope, counted_receive, send_unless_refused)
        except BodyTooLarge:
            refused = True
            if not started:
                await _refuse(send_with_headers, limit)
            return
        except Exception:
            if received > limit and not started:  # the app wrapped our signal in an error of its own
                refused = True
                await _refuse(send_with_headers, limit)
                return
            raise

    def _has_credentials(self, scope: Scope, path: str) -> bool:
        if _has_header(scope, b"authorization"):
            return True
        return any(_under(path, prefix) and _has_header(scope, header) for prefix, header in self.signed.items())

    def _metrics_allowed(self, scope: Scope) -> bool:
        for name, value in scope.get("headers", []):
            if name == b"authorization":
                expected = f"Bearer {self.metrics_token}".encode()
                return hmac.compare_digest(value, expected)
        return False


def _under(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith(prefix.rstrip("/") + "/")


def _has_header(scope: Scope, name: bytes) -> bool:
    return any(key == name for key, _ in scope.get("headers", []))


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _refuse(send: Send, limit: int) -> None:
    """413 with a JSON detail like the API's other errors; the connection closes after it."""
    body = json.dumps({"detail": TOO_LARGE, "error": "too_large", "limit_bytes": limit}, ensure_ascii=False).encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})


async def _plain(send: Send, status: int, text: str, headers: list[tuple[bytes, bytes]] | None = None) -> None:
    body = text.encode()
    response_headers: list[Any] = [(b"content-type", b"text/plain; charset=utf-8"),
                                   (b"content-length", str(len(body)).encode()), *(headers or [])]
    await send({"type": "http.response.start", "status": status, "headers": response_headers})
    await send({"type": "http.response.body", "body": body})
