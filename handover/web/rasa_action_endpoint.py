"""Rasa action server inside the app: rasa_sdk's ActionExecutor behind FastAPI routes.

Rasa (endpoints.yml `action_endpoint`) posts each custom action call to `POST /webhook`; the actions run in
this process with the app's knowledge index, settings and database sessions (bot/actions/context.py).
Status codes follow rasa_sdk's own (sanic) endpoint: 400 rejected/bad body, 404 unknown action,
449 domain missing, 500 action crashed.

Only Rasa may call the actions: every call to `/webhook` and `/actions` must carry the action secret as
`Authorization: Bearer …` (Rasa sends it from its runtime endpoints file, handover/shell/rasa_endpoints.py), else
401. With an internal listener (`BUERGERBOT_INTERNAL_PORT`) these routes answer only there (404 on the public
port). `/actions/health` stays open: it says nothing but "ok" and is what process supervisors poll.

The application status lookup (the case-number validator) counts against the per-IP limit of the citizen's
address (handover/web/ip_limits.py); over it, the call is answered as the validator answers an unknown number:
the slot stays empty and `form_error` says how long to wait, so the form asks again.
"""

from __future__ import annotations

import json
import logging
import secrets
import zlib
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse
from rasa_sdk import Tracker
from rasa_sdk.executor import ActionExecutor
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.interfaces import ActionExecutionRejection, ActionMissingDomainException, ActionNotFoundException
from sqlalchemy.orm import sessionmaker

from bot.actions.context import ActionContext, bound_context
from bot.actions.conversation import conversation_language
from handover.domain.conversations import languages
from handover.shell.internal_listener import on_internal_listener
from handover.shell.rasa_endpoints import action_secret
from handover.shell.settings import Settings
from knowledge.service import KnowledgeService

log = logging.getLogger(__name__)

ACTIONS_PACKAGE = "bot.actions"
# the action that looks an application case up by the number the citizen typed (bot/actions/application_status.py)
STATUS_LOOKUP_ACTION = "validate_application_status_form"

router = APIRouter(tags=["bot actions"])


@dataclass
class BotActions:
    executor: ActionExecutor
    context: ActionContext
    secret: str  # what Rasa sends as `Authorization: Bearer …`
    settings: Settings | None = None  # for the internal listener; None in a bare test app


def configure_bot_actions(app: FastAPI, settings: Settings, knowledge: KnowledgeService, sessions: sessionmaker) -> None:
    """Called by the lifespan: registers the actions and binds them to this app's services."""
    executor = ActionExecutor()
    executor.register_package(ACTIONS_PACKAGE)
    secret = action_secret(settings)
    context = ActionContext(knowledge=knowledge, settings=settings, sessions=sessions)
    app.state.bot_actions = BotActions(executor, context, secret=secret, settings=settings)
    app.state.action_secret = secret  # also keys the client-address hashes and the console's browser cookies
    log.info("bot actions ready: %d actions", len(executor.actions))


def _bot_actions(request: Request) -> BotActions:
    return request.app.state.bot_actions


def _refusal(request: Request, actions: BotActions) -> JSONResponse | None:
    """None when the caller is Rasa: on the internal listener if there is one, and with the action secret."""
    settings = actions.settings
    if settings is not None and settings.internal_port is not None and not on_internal_listener(request, settings):
        return JSONResponse({"detail": "Not Found"}, status_code=404)
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not secrets.compare_digest(given.strip().encode(), actions.secret.encode()):
        log.warning("action call without the action secret refused (from %s)",
                    request.client.host if request.client else "?")
        return JSONResponse({"error": "Action calls need the action secret (Authorization: Bearer …)."},
                            status_code=401, headers={"WWW-Authenticate": "Bearer"})
    return None


def _error(status: int, message: str, action_name: str | None = None) -> JSONResponse:
    body: dict[str, Any] = {"error": message}
    if action_name is not None:
        body["action_name"] = action_name
    return JSONResponse(body, status_code=status)


def _needs_domain(executor: ActionExecutor, action_name: object) -> bool:
    """Form validators read the form's slots from the domain; every other action here ignores it."""
    run = executor.actions.get(action_name) if isinstance(action_name, str) else None
    return isinstance(getattr(run, "__self__", None), FormValidationAction)


@router.post("/webhook", summary="Run a custom action (called by the Rasa server)")
async def webhook(request: Request) -> JSONResponse:
    actions = _bot_actions(request)
    refused = _refusal(request, actions)
    if refused is not None:
        return refused
    raw = await request.body()
    try:
        if request.headers.get("content-encoding") == "deflate":
            raw = zlib.decompress(raw)
        action_call = json.loads(raw) if raw else None
    except (zlib.error, ValueError):
        return _error(400, "Invalid body request")
    if not isinstance(action_call, dict):
        return _error(400, "Invalid body request")

    refused_lookup = await _status_lookup_refusal(request, action_call)
    if refused_lookup is not None:
        return JSONResponse(refused_lookup)
    if "domain" not in action_call and not _needs_domain(actions.executor, action_call.get("next_action")):
        # Rasa 3.6 with `enable_selective_domain` sends the domain only to actions declared with `send_domain`;
        # rasa_sdk 3.21 expects a newer Rasa's domain digest instead and would refuse the others (449).
        action_call["domain"] = {}
    try:
        with bound_context(actions.context):
            result = await actions.executor.run(action_call)
    except ActionExecutionRejection as error:
        log.debug("action rejected: %s", error)
        return _error(400, error.message, error.action_name)
    except ActionNotFoundException as error:
        log.error("%s", error)
        return _error(404, error.message, error.action_name)
    except ActionMissingDomainException as error:
        log.debug("%s", error)
        return _error(449, error.message, error.action_name)
    except Exception as error:  # an action crashed: Rasa logs the 500 and carries on with the conversation
        log.exception("action %s failed", action_call.get("next_action"))
        return _error(500, str(error), action_call.get("next_action"))
    body = result.model_dump() if result else None
    await _follow_bot_language(request, action_call, body)
    return JSONResponse(body, status_code=200)


async def _follow_bot_language(request: Request, action_call: dict, result: dict | None) -> None:
    """The bot switched the conversation's language: the app's conversation and the widget follow (issue 14).
    Before Rasa gets the result, so the citizen's next turn carries the new language (once per switch)."""
    language = languages.slot_language(action_call, result)
    runtime = getattr(request.app.state, "handover", None)
    sender = action_call.get("sender_id")
    if language is None or runtime is None or not isinstance(sender, str):
        return
    try:
        await languages.set_language(runtime.conversations, sender, language, "bot")
    except Exception:  # the answer matters more than the widget's language
        log.exception("following the bot's language failed")


async def _status_lookup_refusal(request: Request, action_call: dict) -> dict | None:
    limits = getattr(request.app.state, "ip_limits", None)
    sender = action_call.get("sender_id")
    if limits is None or action_call.get("next_action") != STATUS_LOOKUP_ACTION or not isinstance(sender, str):
        return None
    try:
        language = conversation_language(Tracker.from_dict(action_call.get("tracker") or {}))
    except Exception:  # a tracker the SDK cannot read: the executor reports it properly
        return None
    text = await limits.status_lookup_refusal(sender, language)
    if text is None:
        return None
    slot = {"event": "slot", "timestamp": None}
    return {"events": [{**slot, "name": "case_number", "value": None}, {**slot, "name": "form_error", "value": text}],
            "responses": []}


@router.get("/actions", summary="List the registered custom actions", response_model=None)
async def list_actions(request: Request) -> list[dict[str, str]] | JSONResponse:
    actions = _bot_actions(request)
    refused = _refusal(request, actions)
    if refused is not None:
        return refused
    return [item.model_dump() for item in actions.executor.list_actions()]


@router.get("/actions/health", summary="Health of the action server (rasa_sdk's /health)")
async def actions_health(request: Request) -> dict[str, str]:
    _bot_actions(request)
    return {"status": "ok"}
