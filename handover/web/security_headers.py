"""Security headers on every HTTP response of the app (websockets pass untouched).

- `Content-Security-Policy`: scripts, styles, images, fonts and connections only from the app's own origin, no
  inline script or style, no plugins, no `<base>`, forms only to the app, and `frame-ancestors 'none'`: the
  console, its login and the demo page can neither run injected markup nor be framed (clickjacking). The widget
  lives on the city's pages, which have a policy of their own (docs/security.md lists the lines a city adds).
- `X-Frame-Options: DENY` for browsers that predate `frame-ancestors`; `X-Content-Type-Options: nosniff`;
  `Referrer-Policy: same-origin` (console URLs name conversations and tickets: they never leave the app);
  `Cross-Origin-Opener-Policy: same-origin`; `Strict-Transport-Security` when the public URL is https.

The interactive API documentation (development only: /docs, /redoc) loads Swagger UI and ReDoc from a CDN with
inline script; those two pages get the other headers but not the CSP.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from handover.shell.settings import Settings

CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",  # data: for the console's empty favicon
    "font-src 'self'",
    "connect-src 'self'",  # CSP Level 3: 'self' includes ws:/wss: to the same host and port
    "media-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))


def security_headers(settings: Settings) -> list[tuple[bytes, bytes]]:
    headers = [
        (b"x-content-type-options", b"nosniff"),
        (b"x-frame-options", b"DENY"),
        (b"referrer-policy", b"same-origin"),
        (b"cross-origin-opener-policy", b"same-origin"),
    ]
    if urlsplit(settings.public_url).scheme == "https":
        headers.append((b"strict-transport-security", b"max-age=31536000"))
    return headers


class SecurityHeadersMiddleware:
    """Pure ASGI (not BaseHTTPMiddleware), so streaming responses and websockets are not wrapped."""

    def __init__(self, app: ASGIApp, settings: Settings, csp_exempt_paths: frozenset[str] = frozenset()) -> None:
        self.app = app
        self.headers = security_headers(settings)
        self.csp = (b"content-security-policy", CONTENT_SECURITY_POLICY.encode())
        self.csp_exempt_paths = csp_exempt_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = list(self.headers)
        if scope.get("path", "") not in self.csp_exempt_paths:
            extra.append(self.csp)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                message["headers"] = [*message.get("headers", []),
                                      *((name, value) for name, value in extra if name not in present)]
            await send(message)

        await self.app(scope, receive, send_with_headers)
