"""The `language` slot follows the citizen on every message, before the next response is chosen.

The slot's custom mapping in bot/domain.yml names this action, so Rasa's `action_extract_slots` runs it after each
user message: even a response that is no custom action (utter_greet after "Merhaba") is then said in the
citizen's language.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.conversation import language_events
from bot.actions.language_detection import warm_up

# The action server imports this module at start-up (rasa_sdk's register_package): load the model then, not on the
# first citizen message.
warm_up()


class ActionDetectLanguage(Action):
    def name(self) -> str:
        return "action_detect_language"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        return list(language_events(tracker))
