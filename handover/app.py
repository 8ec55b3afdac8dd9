"""Application factory. Nothing happens at import time; the lifespan builds and tears down services."""

from __future__ import annotations

import asyncio
import logging
from contextlib import asynccontextmanager
from typing import AsyncIterator

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from bot.actions.knowledge_answers import prefetch_search
from handover.runtime import start_handover
from handover.shell.database import make_engine, make_sessionmaker, upgrade_database
from handover.shell.internal_listener import start_internal_listener
from handover.shell.log_format import configure_logging
from handover.shell.settings import Settings, get_settings
from handover.web import agent_ws, citizen_ws, console_api, health, knowledge_api, pages, rasa_action_endpoint
from handover.web import access_audit_api
from handover.web import console_login
from handover.web import console_setup, open311, report_api, ticket_api, uploads  # issue 13
from handover.web import insights_api  # issue 15
from handover.web.ip_limits import IpLimits
from handover.web.pages import STATIC_DIR
from handover.web.rasa_action_endpoint import configure_bot_actions
from handover.web.security_headers import SecurityHeadersMiddleware
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
        configure_logging(settings.log_format, settings.log_level)
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        upgrade_database(settings.resolved_database_url)
        # One engine for the whole process: the bot's form actions and the handover service share its pool.
        engine = make_engine(settings.resolved_database_url)
        knowledge = build_knowledge_service(settings)
        knowledge.load()
        if settings.watch_articles:
            await knowledge.start_watching()
        app.state.knowledge = knowledge
        configure_bot_actions(app, settings, knowledge, make_sessionmaker(engine))
        # The query embedding of a citizen's message starts while Rasa interprets it (bot/actions/knowledge_answers).
        app.state.handover = await start_handover(settings, engine, get_article=knowledge.get_article,
                                                  before_rasa_message=prefetch_search(knowledge))
        app.state.ip_limits = IpLimits(settings, app.state.handover.db, app.state.action_secret)
        log.info("app ready: %s articles indexed", knowledge.status().articles)
        # Rasa's first inference is slow; done here once its model is loaded, not for the first citizen.
        warm_up = asyncio.create_task(app.state.handover.rasa.warm_up())
        internal = await start_internal_listener(app, settings)  # /webhook, /actions, /metrics (docs/security.md)
        if settings.environment == "development" and settings.host not in ("127.0.0.1", "::1", "localhost"):
            log.warning("BUERGERBOT_ENVIRONMENT=development on %s: API documentation and /metrics are open; "
                        "set BUERGERBOT_ENVIRONMENT=production for an installation (docs/security.md)", settings.host)
        try:
            yield
        finally:
            if internal is not None:
                await internal.stop()
            warm_up.cancel()
            await asyncio.gather(warm_up, return_exceptions=True)
            await app.state.handover.stop()
            await knowledge.stop_watching()
            engine.dispose()

    # The interactive API documentation is for developers (make run's demo); production serves none of it.
    development = settings.environment == "development"
    app = FastAPI(
        title="Bürgerbot",
        description="Citizen-service assistant: knowledge search, Rasa actions, handover to human agents.",
        version="0.1.0",
        lifespan=lifespan,
        docs_url="/docs" if development else None,
        redoc_url="/redoc" if development else None,
        openapi_url="/openapi.json" if development else None,
    )
    app.state.settings = settings
    app.add_middleware(SecurityHeadersMiddleware, settings=settings,
                       csp_exempt_paths=frozenset({"/docs", "/redoc"} if development else ()))

    for router in (
        health.router,
        knowledge_api.router,
        rasa_action_endpoint.router,
        citizen_ws.router,
        agent_ws.router,
        console_login.router,
        console_api.router,
        access_audit_api.router,
        console_setup.router,
        ticket_api.router,
        report_api.router,
        uploads.router,
        open311.router,
        insights_api.router,
        pages.router,
    ):
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR, check_dir=False), name="static")
    app.mount("/demo", StaticFiles(directory=STATIC_DIR / "demo", check_dir=False), name="demo")
    return app
