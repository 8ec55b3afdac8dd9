"""Session start: take the conversation language from the widget's metadata before the first response."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.conversation import SUPPORTED_LANGUAGES

# A new session is a new concern: only the language and the articles talked about before carry over.
CARRIED_OVER = ("language", "matched_articles")


class ActionSessionStart(Action):
    def name(self) -> str:
        return "action_session_start"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        events: list[EventType] = [SessionStarted()]
        events += [SlotSet(name, tracker.get_slot(name)) for name in CARRIED_OVER if tracker.get_slot(name)]
        metadata = tracker.get_slot("session_started_metadata") or {}
        if metadata:
            events.append(SlotSet("session_started_metadata", metadata))
        language = metadata.get("language") if isinstance(metadata, dict) else None
        if language in SUPPORTED_LANGUAGES:
            events.append(SlotSet("language", language))
        events.append(ActionExecuted("action_listen"))
        return events
