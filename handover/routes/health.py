"""Liveness and readiness. `/health` answers while the process runs; `/ready` once the knowledge index serves."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from handover.deps import KnowledgeDep

router = APIRouter(tags=["operations"])


@router.get("/health")
async def health(knowledge: KnowledgeDep) -> dict:
    status = knowledge.status()
    return {
        "status": "ok" if not status.errors else "degraded",
        "knowledge": status.model_dump(mode="json"),
    }


@router.get("/ready")
async def ready(knowledge: KnowledgeDep) -> JSONResponse:
    status = knowledge.status()
    ready = status.articles > 0
    return JSONResponse({"ready": ready}, status_code=200 if ready else 503)
