"""The reply to distress (bot/actions/distress.py): empathy, the helplines, the article or referral that helps, and
a person at once — before any topic menu. Runs in front of the knowledge search and of the frustration offer, and
as the action of the `distress` intent.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.context import ActionContext, current_context
from bot.actions.conversation import conversation_language, language_events, latest_citizen_text, only_changes
from bot.actions.distress import HELP_TOPICS, HELPLINES, Concern, detect_distress
from bot.actions.handover import offer_buttons, offer_events
from bot.actions.payloads import HelplinePayload, SupportPayload, as_custom
from bot.actions.texts import say

if TYPE_CHECKING:
    from knowledge.articles import Article


async def _help_article(context: ActionContext, concern: Concern) -> "Article | None":
    topic = HELP_TOPICS[concern]
    if topic is None:
        return None
    result = await asyncio.to_thread(context.knowledge.search, topic, top_k=1)
    return result.hits[0].article if result.hits else None


async def respond_to_distress(
    dispatcher: CollectingDispatcher, tracker: Tracker, concern: Concern
) -> list[EventType]:
    from bot.actions.knowledge_answers import article_payload  # the answer's card, without a cycle at import

    context = current_context()
    language = conversation_language(tracker)
    article = await _help_article(context, concern)
    payload = SupportPayload(
        concern=concern,
        helplines=[HelplinePayload(name=line.name, phone=line.phone, note=line.note.get(language) or line.note["de"])
                   for line in HELPLINES[concern]],
        article=article_payload(article, None) if article is not None else None,
    )
    text = say(f"support_{concern}", language)
    if article is not None:
        text = f"{text}\n{article.title}: {article.summary.strip()}"
    dispatcher.utter_message(text=text, json_message=as_custom(payload))
    dispatcher.utter_message(text=say("support_person", language), buttons=offer_buttons(language))
    return [
        *language_events(tracker),
        SlotSet("last_query", latest_citizen_text(tracker)),
        SlotSet("last_article_id", article.id if article is not None else tracker.get_slot("last_article_id")),
        *offer_events("distress"),
    ]


# Below this NLU confidence a `distress` reading without a distress phrase is more likely a misreading ("eine tote
# Katze auf der Straße gefunden") than a crisis in words the phrases miss: the message is answered as a question.
TRUSTED_DISTRESS_CONFIDENCE = 0.9


class ActionSupport(Action):
    """The `distress` intent: the NLU model heard distress; the phrases decide which kind (crisis if unclear)."""

    def name(self) -> str:
        return "action_support"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        text = latest_citizen_text(tracker)
        concern = detect_distress(text)
        confidence = ((tracker.latest_message or {}).get("intent") or {}).get("confidence") or 0.0
        if concern is None and confidence < TRUSTED_DISTRESS_CONFIDENCE:
            from bot.actions.knowledge_answers import ActionAnswerFromKnowledge

            return await ActionAnswerFromKnowledge().run(dispatcher, tracker, domain)
        return only_changes(tracker, await respond_to_distress(dispatcher, tracker, concern or "crisis"))
