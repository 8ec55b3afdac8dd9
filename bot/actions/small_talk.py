"""Small talk (the `chitchat` retrieval intent): the response Rasa's ResponseSelector picked — unless the message
is a follow-up to the answer just given that the model mistook for small talk ("wie läuft das ab?" read as "wie
geht's?"), or shows distress."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.context import current_context
from bot.actions.conversation import language_events, latest_citizen_text, only_changes
from bot.actions.distress import detect_distress
from bot.actions.follow_ups import refers_back
from bot.actions.support import respond_to_distress
from knowledge.aspects import detect_aspect


def selected_response(tracker: Tracker) -> str | None:
    """The ResponseSelector's pick for the `chitchat` retrieval intent ("utter_chitchat/how_are_you")."""
    selector = (tracker.latest_message or {}).get("response_selector") or {}
    response = (selector.get("chitchat") or selector.get("default") or {}).get("response") or {}
    return response.get("utter_action")


class ActionChitchat(Action):
    def name(self) -> str:
        return "action_chitchat"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        text = latest_citizen_text(tracker)
        concern = detect_distress(text)
        if concern is not None:
            return only_changes(tracker, await respond_to_distress(dispatcher, tracker, concern))
        answered = tracker.get_slot("last_decision") == "answer" and tracker.get_slot("last_article_id")
        max_words = current_context().settings.follow_up_max_words
        if answered and detect_aspect(text) is not None and refers_back(text, max_words, asks_aspect=True):
            from bot.actions.knowledge_answers import ActionAnswerFromKnowledge  # answers build on small talk's cue

            return await ActionAnswerFromKnowledge().run(dispatcher, tracker, domain)
        response = selected_response(tracker)
        if response:
            dispatcher.utter_message(response=response)
        return only_changes(tracker, language_events(tracker))
