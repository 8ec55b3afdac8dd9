"""Which browser origins may open the websockets: the app's own `public_url` plus the widget sites listed in
`widget_origins`. Non-browser clients send no Origin and are allowed (cross-site websocket hijacking needs
a browser, and browsers always send it)."""

from __future__ import annotations

from urllib.parse import urlsplit

from handover.shell.settings import Settings


def _origin_of(url: str) -> str:
    parts = urlsplit(url.strip())
    return f"{parts.scheme}://{parts.netloc}".lower() if parts.scheme and parts.netloc else url.strip().lower()


def allowed_origins(settings: Settings, *, widget: bool) -> set[str]:
    origins = {_origin_of(settings.public_url)}
    if widget:
        origins |= {_origin_of(item) for item in settings.widget_origins.split(",") if item.strip()}
    return origins


def origin_allowed(origin: str | None, settings: Settings, *, widget: bool, request_host: str | None = None) -> bool:
    if origin is None:
        return True
    origin = origin.lower()
    if origin in allowed_origins(settings, widget=widget):
        return True
    # same-origin pages served by this app under another host name (e.g. 127.0.0.1 vs localhost in dev)
    return request_host is not None and urlsplit(origin).netloc == request_host.lower()
