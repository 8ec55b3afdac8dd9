"""What the actions need from the app (knowledge index, settings, database sessions), bound per request.

The app's lifespan builds one `ActionContext`; the webhook binds it with `bound_context` around each action
call, so actions never read globals that must exist at import time and tests can run several apps.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterator

if TYPE_CHECKING:  # the actions package must stay importable without the app's heavy modules
    from sqlalchemy.orm import sessionmaker

    from handover.shell.settings import Settings
    from knowledge.service import KnowledgeService


@dataclass(frozen=True)
class ActionContext:
    knowledge: "KnowledgeService"
    settings: "Settings"
    sessions: "sessionmaker"


_current: ContextVar[ActionContext | None] = ContextVar("bot_action_context", default=None)


@contextmanager
def bound_context(context: ActionContext) -> Iterator[None]:
    token = _current.set(context)
    try:
        yield
    finally:
        _current.reset(token)


def current_context() -> ActionContext:
    context = _current.get()
    if context is None:
        raise RuntimeError(
            "bot actions run outside the app: no ActionContext is bound (see handover/web/rasa_action_endpoint)")
    return context
