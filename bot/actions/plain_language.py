"""Leichte Sprache (issue 14): the citizen switches it on ("Leichte Sprache bitte", the widget's toggle); answers then
use the article's `leichte_sprache:` text where the editors wrote one (bot/actions/answer_text.py)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.context import current_context
from bot.actions.conversation import conversation_language, language_events, only_changes
from bot.actions.texts import say


def wants_leichte_sprache(tracker: Tracker) -> bool:
    return bool(tracker.get_slot("leichte_sprache"))


class ActionLeichteSprache(Action):
    def name(self) -> str:
        return "action_leichte_sprache"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        language = conversation_language(tracker)
        dispatcher.utter_message(text=say("leichte_sprache_on", language))
        # The topic just answered is said again at once in Leichte Sprache, when there is such a text.
        article_id = tracker.get_slot("last_article_id") if tracker.get_slot("last_decision") == "answer" else None
        article = current_context().knowledge.get_article(article_id) if article_id else None
        if article is not None and article.leichte_sprache:
            dispatcher.utter_message(text=article.leichte_sprache.strip())
        return only_changes(tracker, [*language_events(tracker), SlotSet("leichte_sprache", True)])
