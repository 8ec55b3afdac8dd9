"""Static pages: the demo page at `/`, the built widget at `/widget.js`, Prometheus `/metrics`."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, PlainTextResponse, Response

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


@router.get("/metrics", include_in_schema=False)
async def metrics(request: Request) -> Response:
    runtime = request.app.state.handover
    return Response(runtime.metrics.render(), media_type=runtime.metrics.content_type)
