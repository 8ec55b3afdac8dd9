"""The `language` slot follows the citizen on every message, before the next response is chosen.

The slot's custom mapping in bot/domain.yml names this action, so Rasa's `action_extract_slots` runs it after each
user message: even a response that is no custom action (utter_greet after "Merhaba") is then said in the
citizen's language.

It is also the first action call of every turn, after NLU and before Rasa predicts the next action: for a message
NLU read as a question, it starts the knowledge search ahead (bot/actions/search_ahead.py).
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions import search_ahead
from bot.actions.context import current_context
from bot.actions.conversation import conversation_language, is_button_payload, latest_citizen_text, latest_intent
from bot.actions.knowledge_answers import search_top_k
from bot.actions.language_detection import warm_up

# The action server imports this module at start-up (rasa_sdk's register_package): load the model then, not on the
# first citizen message.
warm_up()


class ActionDetectLanguage(Action):
    def name(self) -> str:
        return "action_detect_language"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        language = conversation_language(tracker)
        message = ((tracker.latest_message or {}).get("text") or "").strip()
        if latest_intent(tracker) in search_ahead.QUESTION_INTENTS and message and not is_button_payload(message):
            context = current_context()
            search_ahead.start(context.knowledge, latest_citizen_text(tracker), search_top_k(context), language)
        return [] if tracker.get_slot("language") == language else [SlotSet("language", language)]
