"""The conversation's language (issue 14), changed by the citizen's choice in the widget (a `language` frame) or by
the bot, when it detects another language in what the citizen writes (the `language` slot its actions set, seen
at the action endpoint, handover/web/rasa_action_endpoint.py).

Stored on the conversation, so the app's system messages, the next turn's metadata for Rasa and the agent's queue
card follow it, and told to the citizen's sockets as the transient frame `{"type":"language","language":…,
"source":"bot"|"citizen"}` (docs/protocol.md §1.2): the widget's texts, `dir` and language menu follow the bot.
A widget that missed the frame gets the language in the next `welcome`."""

from __future__ import annotations

from typing import Literal

from sqlalchemy.orm import Session, noload

from handover.domain.conversations.broadcasts import schedule_overview
from handover.domain.conversations.core import ConversationContext, publish_transient
from handover.domain.models.conversations import Conversation

LANGUAGES = ("de", "en", "tr", "uk", "ar")
Source = Literal["bot", "citizen"]


async def set_language(ctx: ConversationContext, conversation_id: str, language: str, source: Source) -> bool:
    """True when the conversation's language changed (and the citizen's sockets were told)."""
    if language not in LANGUAGES:
        return False

    def work(session: Session) -> bool:
        conversation = session.get(Conversation, conversation_id, options=[noload(Conversation.assigned_agent)])
        if conversation is None or conversation.language == language:
            return False
        conversation.language = language
        return True

    if not await ctx.db.run(work):
        return False
    await publish_transient(ctx, conversation_id, {"type": "language", "language": language, "source": source,
                                                   "conversation_id": conversation_id}, "citizen")
    schedule_overview(ctx)  # the queue cards name the language
    return True


def slot_language(action_call: dict, result: dict | None) -> str | None:
    """The language an action's result sets the `language` slot to, when it differs from the tracker's."""
    events = (result or {}).get("events") or []
    chosen = None
    for event in events:
        if isinstance(event, dict) and event.get("event") == "slot" and event.get("name") == "language":
            chosen = event.get("value")
    if chosen not in LANGUAGES:
        return None
    before = ((action_call.get("tracker") or {}).get("slots") or {}).get("language")
    return chosen if chosen != before else None
