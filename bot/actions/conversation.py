"""Reading the conversation: language, what the citizen wrote, and the slots the actions keep as memory."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet

from bot.actions.language_detection import LANGUAGES, follow_language
from handover.domain.redaction import redact_answer

SUPPORTED_LANGUAGES = LANGUAGES


def _user_events(tracker: Tracker) -> list[dict[str, Any]]:
    return [event for event in tracker.events if event.get("event") == "user"]


def _widget_start_language(tracker: Tracker) -> str:
    metadata = tracker.get_slot("session_started_metadata") or {}
    language = metadata.get("language") if isinstance(metadata, dict) else None
    return language if language in SUPPORTED_LANGUAGES else "de"


def conversation_language(tracker: Tracker) -> str:
    """The language the citizen writes in (bot/actions/language_detection.py), the widget's language as the prior.

    Recomputed from the session's messages, so every action agrees on it: each message that tells its language
    sets it, a short or ambiguous one ("ok", "ja", a case number) keeps it, and the citizen's press on the
    widget's language button (a change of the metadata language) wins.
    """
    messages = []
    for event in _user_events(tracker):
        text, metadata = (event.get("text") or "").strip(), event.get("metadata") or {}
        # "language_of": "conversation" — the app sends the conversation's language, which follows the bot
        mirrors = metadata.get("language_of") == "conversation"
        messages.append((text if not is_button_payload(text) else "", metadata.get("language"), mirrors))
    return follow_language(messages, _widget_start_language(tracker))


def language_events(tracker: Tracker) -> list[SlotSet]:
    """Keep the `language` slot (which selects response variants) in step with the conversation's language."""
    language = conversation_language(tracker)
    return [] if tracker.get_slot("language") == language else [SlotSet("language", language)]


def only_changes(tracker: Tracker, events: list[EventType]) -> list[EventType]:
    """Drop slot events that would set a slot to the value it already has.

    Rasa validates every event an action returns against its JSON schema and appends it to the tracker it sends
    with each later action call, so unchanged slots cost time on every turn and tell the agent nothing.
    """
    values = dict(tracker.slots)
    kept = []
    for event in events:
        if event.get("event") == "slot":
            if event["name"] in values and values[event["name"]] == event.get("value"):
                continue
            values[event["name"]] = event.get("value")
        kept.append(event)
    return kept


def is_button_payload(text: str) -> bool:
    return text.startswith("/")


def citizen_texts(tracker: Tracker) -> list[str]:
    """What the citizen typed, oldest first; button payloads (`/affirm`) are not the citizen's words. The answer to
    the status PIN step is "[PIN]" (handover/domain/redaction.py): it never reaches a summary or a search."""
    texts, asked = [], None
    for event in tracker.events:
        if event.get("event") == "bot":
            asked = (event.get("data") or {}).get("custom")
        elif event.get("event") == "user":
            text = (event.get("text") or "").strip()
            if text and not is_button_payload(text):
                texts.append(redact_answer(text, asked))
    return texts


def latest_citizen_text(tracker: Tracker) -> str:
    texts = citizen_texts(tracker)
    return texts[-1] if texts else ""


def latest_intent(tracker: Tracker) -> str | None:
    return (tracker.latest_message or {}).get("intent", {}).get("name")


def latest_entity(tracker: Tracker, entity: str) -> str | None:
    for item in (tracker.latest_message or {}).get("entities", []) or []:
        if item.get("entity") == entity and item.get("value"):
            return str(item["value"])
    return None
