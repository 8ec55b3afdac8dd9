"""Small talk (the `chitchat` retrieval intent): the response Rasa's ResponseSelector picked — unless the message
is a follow-up to the answer just given that the model mistook for small talk ("wie läuft das ab?" read as "wie
geht's?"), shows distress, or is no small talk at all: small talk is about the bot (its name, how it is, what it can
do) or the weather, and a question about something else that the model took for it ("Wer regiert in Berlin?" read
as "Wer bist du?") is searched like any question — the knowledge base answers, refers, or says honestly that it has
nothing on it."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.context import current_context
from bot.actions.conversation import conversation_language, language_events, latest_citizen_text, only_changes
from bot.actions.distress import detect_distress
from bot.actions.follow_ups import refers_back
from bot.actions.support import respond_to_distress
from knowledge.aspects import detect_aspect

# What a message must contain to be the small talk the response answers, in German and English (the languages of the
# small-talk examples, bot/data/chitchat.yml): a word addressing the bot, or one about the weather.
_ADDRESSES_THE_BOT = re.compile(
    r"\b(du|dich|dir|dein\w*|sie|ihnen|ihr|bot|chat\w*|hilfe|helfen|wem|vorstellen|stell|laune|geht'?s|gehts|"
    r"läuft'?s|was kann ich|you|your|yourself|help|what can i)\b", re.IGNORECASE)
_ABOUT_THE_WEATHER = re.compile(
    r"\b(wetter\w*|regen\w*|regnet|schnee\w*|schneit|sonne|sonnig|scheint|warm|kalt|heiß|temperatur\w*|grad|"
    r"gewitter|wind\w*|draußen|weather|rain\w*|snow\w*|sunny|cold|hot)\b", re.IGNORECASE)
SMALL_TALK_SIGNS = {
    "utter_chitchat/ask_name": _ADDRESSES_THE_BOT,
    "utter_chitchat/how_are_you": _ADDRESSES_THE_BOT,
    "utter_chitchat/ask_capabilities": _ADDRESSES_THE_BOT,
    "utter_chitchat/ask_weather": _ABOUT_THE_WEATHER,
}
SIGN_LANGUAGES = ("de", "en")


def is_small_talk(text: str, response: str | None, language: str = "de") -> bool:
    """Whether the message is the small talk `response` answers (trusted in other languages and for a response
    without signs)."""
    signs = SMALL_TALK_SIGNS.get(response or "") if language in SIGN_LANGUAGES else None
    return signs is None or bool(signs.search(text))


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
        response = selected_response(tracker)
        follow_up = answered and detect_aspect(text) is not None and refers_back(text, max_words, asks_aspect=True)
        if follow_up or not is_small_talk(text, response, conversation_language(tracker)):
            from bot.actions.knowledge_answers import ActionAnswerFromKnowledge  # answers build on small talk's cue

            return await ActionAnswerFromKnowledge().run(dispatcher, tracker, domain)
        if response:
            dispatcher.utter_message(response=response)
        return only_changes(tracker, language_events(tracker))
