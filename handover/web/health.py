"""Liveness and readiness.

`/health` answers 200 while the process runs (liveness) and says per component what works; `/ready` answers
200 only when a citizen would get an answer: the app, the knowledge index and Rasa with its model loaded.
Rasa is asked on every call (2 s at most): a load balancer polling `/ready` must notice a Rasa that died.
"""

from __future__ import annotations

import asyncio
from typing import Literal

import httpx
from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from handover.shell.settings import Settings
from handover.web.deps import KnowledgeDep, SettingsDep
from knowledge.service import KnowledgeService

RASA_PROBE_SECONDS = 2.0

router = APIRouter(tags=["operations"])


class ComponentStatus(BaseModel):
    ok: bool
    detail: str


class Components(BaseModel):
    app: ComponentStatus
    knowledge: ComponentStatus
    rasa: ComponentStatus

    def missing(self) -> list[str]:
        return [name for name, status in self if not status.ok]


class HealthResponse(BaseModel):
    status: Literal["ok", "degraded"]
    ready: bool
    missing: list[str]
    components: Components
    knowledge: dict


class ReadyResponse(BaseModel):
    ready: bool
    missing: list[str]
    components: Components


def knowledge_component(knowledge: KnowledgeService) -> ComponentStatus:
    status = knowledge.status()
    if status.articles == 0:
        return ComponentStatus(ok=False, detail="no articles indexed")
    return ComponentStatus(ok=True, detail=f"{status.articles} articles indexed")


async def rasa_replica_status(rasa_url: str) -> ComponentStatus:
    """Rasa's `/status` (API enabled) answers 409 until the model is loaded and then names the model file."""
    url = f"{rasa_url.rstrip('/')}/status"
    try:
        async with httpx.AsyncClient(timeout=RASA_PROBE_SECONDS) as client:
            response = await client.get(url)
    except httpx.HTTPError as error:
        return ComponentStatus(ok=False, detail=f"not reachable at {rasa_url} ({type(error).__name__})")
    if response.status_code == 409:
        return ComponentStatus(ok=False, detail=f"{rasa_url} running, model not loaded yet")
    if response.status_code != 200:
        return ComponentStatus(ok=False, detail=f"{rasa_url} /status answered {response.status_code}")
    try:
        model_file = response.json().get("model_file")
    except (ValueError, AttributeError):
        model_file = None
    if not model_file:
        return ComponentStatus(ok=False, detail=f"{rasa_url} running, no model loaded")
    return ComponentStatus(ok=True, detail=f"{rasa_url} model {model_file}")


async def rasa_component(rasa_urls: list[str]) -> ComponentStatus:
    """With several Rasa processes one ready replica answers every citizen (the gateway moves on from one that
    does not answer); the detail names each."""
    replicas = await asyncio.gather(*(rasa_replica_status(url) for url in rasa_urls))
    return ComponentStatus(ok=any(replica.ok for replica in replicas),
                           detail="; ".join(replica.detail for replica in replicas))


async def components(settings: Settings, knowledge: KnowledgeService) -> Components:
    return Components(
        app=ComponentStatus(ok=True, detail="answering"),
        knowledge=knowledge_component(knowledge),
        rasa=await rasa_component(settings.rasa_urls),
    )


@router.get("/health", response_model=HealthResponse)
async def health(settings: SettingsDep, knowledge: KnowledgeDep) -> HealthResponse:
    found = await components(settings, knowledge)
    status = knowledge.status()
    missing = found.missing()
    return HealthResponse(
        status="ok" if not missing and not status.errors else "degraded",
        ready=not missing,
        missing=missing,
        components=found,
        knowledge=status.model_dump(mode="json"),
    )


@router.get("/ready", response_model=ReadyResponse, responses={503: {"model": ReadyResponse}})
async def ready(settings: SettingsDep, knowledge: KnowledgeDep) -> JSONResponse:
    found = await components(settings, knowledge)
    missing = found.missing()
    body = ReadyResponse(ready=not missing, missing=missing, components=found)
    return JSONResponse(body.model_dump(mode="json"), status_code=200 if not missing else 503)
