"""`Annotated` dependency aliases so routes declare what they need, not how to get it."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from handover.shell.settings import Settings
from knowledge.service import KnowledgeService


def _settings(request: Request) -> Settings:
    return request.app.state.settings


def _knowledge(request: Request) -> KnowledgeService:
    return request.app.state.knowledge


SettingsDep = Annotated[Settings, Depends(_settings)]
KnowledgeDep = Annotated[KnowledgeService, Depends(_knowledge)]
