"""Application factory. Nothing happens at import time; the lifespan builds and tears down services."""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager
from typing import AsyncIterator

from fastapi import FastAPI

from handover.settings import Settings, get_settings
from knowledge.service import KnowledgeService, Thresholds

log = logging.getLogger(__name__)


def build_knowledge_service(settings: Settings) -> KnowledgeService:
    return KnowledgeService(
        articles_dir=settings.articles_dir,
        index_dir=settings.resolved_index_dir,
        model_name=settings.embedding_model,
        thresholds=Thresholds(
            answer=settings.answer_threshold,
            clarify=settings.clarify_threshold,
            margin=settings.answer_margin,
        ),
        ann_min_chunks=settings.ann_min_chunks,
    )


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        knowledge = build_knowledge_service(settings)
        knowledge.load()
        if settings.watch_articles:
            await knowledge.start_watching()
        app.state.knowledge = knowledge
        log.info("app ready: %s articles indexed", knowledge.status().articles)
        try:
            yield
        finally:
            await knowledge.stop_watching()

    app = FastAPI(
        title="Bürgerbot",
        description="Citizen-service assistant: knowledge search, Rasa actions, handover to human agents.",
        version="0.1.0",
        lifespan=lifespan,
    )
    app.state.settings = settings

    from handover.routes import health, knowledge as knowledge_routes

    app.include_router(health.router)
    app.include_router(knowledge_routes.router)
    return app
