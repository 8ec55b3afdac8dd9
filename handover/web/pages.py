"""Static pages: the demo page at `/`, the built widget at `/widget.js`, Prometheus `/metrics`.

`/metrics` (conversation counts, queue lengths, latencies) is for the monitoring, not the public: it answers on
the internal listener (`BUERGERBOT_INTERNAL_PORT`), with `Authorization: Bearer <BUERGERBOT_METRICS_TOKEN>`, or
without either only in development; otherwise 404 (401 for a missing or wrong token when one is configured).
"""

from __future__ import annotations

import secrets
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, PlainTextResponse, Response

from handover.shell.internal_listener import on_internal_listener
from handover.shell.settings import Settings

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"

router = APIRouter(tags=["pages"])


@router.get("/", include_in_schema=False)
async def demo_page() -> Response:
    page = STATIC_DIR / "demo" / "index.html"
    if not page.exists():
        return PlainTextResponse("Die Demoseite fehlt (handover/static/demo/index.html).", status_code=404)
    return FileResponse(page, media_type="text/html")


@router.get("/widget.js", include_in_schema=False)
async def widget_script() -> Response:
    script = STATIC_DIR / "widget.js"
    if not script.exists():
        return PlainTextResponse(
            "// Das Chat-Widget ist noch nicht gebaut. Bitte 'make widget' ausführen.\n",
            status_code=404,
            media_type="application/javascript",
        )
    return FileResponse(script, media_type="application/javascript", headers={"Cache-Control": "no-cache"})


def metrics_refusal(request: Request, settings: Settings) -> Response | None:
    if on_internal_listener(request, settings):
        return None
    token = settings.metrics_token.get_secret_value()
    if token:
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and secrets.compare_digest(given.strip().encode(), token.encode()):
            return None
        return PlainTextResponse("Metrics need the token (Authorization: Bearer …).\n", status_code=401,
                                 headers={"WWW-Authenticate": "Bearer"})
    if settings.environment == "development" and settings.internal_port is None:
        return None
    return PlainTextResponse("Not Found\n", status_code=404)


@router.get("/metrics", include_in_schema=False)
async def metrics(request: Request) -> Response:
    runtime = request.app.state.handover
    refused = metrics_refusal(request, runtime.settings)
    if refused is not None:
        return refused
    return Response(runtime.metrics.render(), media_type=runtime.metrics.content_type)
