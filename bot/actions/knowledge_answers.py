"""Answers from the knowledge index: direct answer with source, "Meinen Sie …?", or an honest "not found".

The structured result goes into the message's custom payload (`knowledge`, docs/bot-payloads.md) and into
slots, so the widget renders source cards, the agent sees what the bot matched, and follow-ups
("und was kostet das?") are searched together with the topic of the previous answer.
"""

from __future__ import annotations

import asyncio
import re
from typing import TYPE_CHECKING, Any, Callable

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.context import ActionContext, current_context
from bot.actions.conversation import conversation_language, is_button_payload, language_events, latest_citizen_text
from bot.actions.conversation import latest_entity, only_changes
from bot.actions.handover import failure_reason, offer_buttons, offer_events
from bot.actions.payloads import (
    ArticlePayload,
    CandidatePayload,
    Decision,
    KnowledgePayload,
    MatchedArticle,
    RelatedPayload,
    as_custom,
)
from bot.actions.texts import say

if TYPE_CHECKING:
    from knowledge.articles import Article, Section
    from knowledge.service import KnowledgeService, SearchResult

CANDIDATES = 3
TRAIL_LENGTH = 10
TOPICS_LENGTH = 10

# Words that make a short message refer back to the previous topic ("Was kostet das?", "Und für Kinder?").
FOLLOW_UP_OPENERS = ("und ", "aber ", "und wenn", "and ", "what about", "how about")
FOLLOW_UP_REFERENCES = {
    "das", "dafür", "dazu", "davon", "dort", "da", "dies", "diese", "dieser", "es", "ihn", "sie",
    "that", "this", "it", "there", "them",
}
_WORD = re.compile(r"[\wäöüß]+", re.IGNORECASE)


def is_follow_up(text: str, max_words: int) -> bool:
    words = _WORD.findall(text.lower())
    if not words or len(words) > max_words:
        return False
    return text.lower().startswith(FOLLOW_UP_OPENERS) or any(word in FOLLOW_UP_REFERENCES for word in words)


def key_facts(section: "Section | None", max_chars: int) -> str | None:
    """The matching section, cut at a sentence or line end so the answer stays short."""
    if section is None or not section.text.strip():
        return None
    text = re.sub(r"\n\s*\n+", "\n", section.text.strip())
    if len(text) <= max_chars:
        return text
    cut = text[:max_chars]
    boundary = max(cut.rfind(". "), cut.rfind("\n"))
    return (cut[: boundary + 1] if boundary > max_chars // 3 else cut.rstrip()) + " …"


def article_payload(article: "Article", section: "Section | None") -> ArticlePayload:
    return ArticlePayload(
        id=article.id,
        title=article.title,
        summary=article.summary,
        url=article.url,
        online_service=article.online_service,
        updated=article.updated.isoformat(),
        lebenslagen=list(article.lebenslagen),
        office=article.office,
        section=section,
    )


def answer_text(article: "Article", section: "Section | None", language: str, context: ActionContext) -> str:
    lines = [article.summary.strip()]
    facts = key_facts(section, context.settings.bot_answer_section_chars)
    if facts and section is not None:
        lines.append(f"{section.heading}: {facts}")
    source = say("source", language, title=article.title)
    lines.append(f"{source} – {article.url}" if article.url else source)
    lines.append(say("as_of", language, date=article.updated.strftime("%d.%m.%Y")))
    office = say("office", language, name=article.office.name)
    if article.office.phone:
        office += ", " + say("office_phone", language, phone=article.office.phone)
    lines.append(office)
    if language != "de":
        lines.append(say("german_only", language))
    # One line per fact: Rasa's REST channel splits a text at blank lines into separate messages.
    return "\n".join(lines)


def _trail(tracker: Tracker, entry: MatchedArticle | None) -> list[dict[str, Any]]:
    trail = list(tracker.get_slot("matched_articles") or [])
    if entry is not None:
        trail.append(entry.model_dump(mode="json"))
    return trail[-TRAIL_LENGTH:]


def _topics(tracker: Tracker, article_id: str) -> list[str]:
    topics = [topic for topic in (tracker.get_slot("topics") or []) if topic != article_id]
    return (topics + [article_id])[-TOPICS_LENGTH:]


def prefetch_search(knowledge: "KnowledgeService") -> Callable[[str], None]:
    """The gateway's hook for a citizen message on its way to Rasa (RasaClient `before_message`).

    Embeds the text this action would search for (what `latest_citizen_text` reads back: stripped, no button
    payload) in a worker thread while Rasa interprets the message; if Rasa then runs this action, its search
    takes the finished vector instead of embedding the text again, and finds the same articles. Only helps when
    the action runs in the process that relayed the message (one app, or Rasa's action endpoint on the same
    replica); elsewhere the search embeds as before.
    """

    def before_message(text: str) -> None:
        query = text.strip()
        if query and not is_button_payload(query):
            knowledge.model.prefetch_query(query)

    return before_message


class ActionAnswerFromKnowledge(Action):
    def name(self) -> str:
        return "action_answer_from_knowledge"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        context = current_context()
        language = conversation_language(tracker)
        message = (tracker.latest_message or {}).get("text") or ""
        chosen_id = latest_entity(tracker, "article_id") if is_button_payload(message) else None
        if chosen_id:
            # The citizen picked an article from "Meinen Sie …?" or "Siehe auch": answer that one.
            query = tracker.get_slot("last_query") or latest_citizen_text(tracker)
            events = await self._answer_chosen(dispatcher, tracker, context, language, chosen_id, query)
        else:
            query = latest_citizen_text(tracker)
            events = await self._search_and_answer(dispatcher, tracker, context, language, query)
        return only_changes(tracker, [*language_events(tracker), SlotSet("article_id", None), *events])

    async def _search_and_answer(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, context: ActionContext, language: str, query: str
    ) -> list[EventType]:
        previous_id = tracker.get_slot("last_article_id")
        previous = context.knowledge.get_article(previous_id) if previous_id else None
        search_context = None
        if previous is not None and is_follow_up(query, context.settings.follow_up_max_words):
            search_context = f"{previous.title}. {tracker.get_slot('last_query') or ''}".strip()
        result: SearchResult = await asyncio.to_thread(
            context.knowledge.search, query, top_k=max(CANDIDATES, context.settings.bot_related_articles + 1),
            context=search_context,
        )
        if result.decision == "answer" and result.hits:
            best = result.hits[0]
            return self._answer(dispatcher, tracker, context, language, query, best.article, best.section,
                                best.score, result)
        if result.decision == "clarify" and result.hits:
            return self._clarify(dispatcher, tracker, language, query, result)
        return self._no_answer(dispatcher, tracker, context, language, query, result)

    async def _answer_chosen(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, context: ActionContext, language: str,
        article_id: str, query: str,
    ) -> list[EventType]:
        article = context.knowledge.get_article(article_id)
        if article is None:
            return await self._search_and_answer(dispatcher, tracker, context, language, query)
        result = await asyncio.to_thread(context.knowledge.search, query or article.title, top_k=5)
        hit = next((hit for hit in result.hits if hit.article.id == article_id), None)
        section = hit.section if hit else None
        score = hit.score if hit else 0.0
        return self._answer(dispatcher, tracker, context, language, query, article, section, score, result)

    def _answer(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, context: ActionContext, language: str, query: str,
        article: "Article", section: "Section | None", score: float, result: "SearchResult",
    ) -> list[EventType]:
        related = [hit.article for hit in result.hits if hit.article.id != article.id]
        related = related[: context.settings.bot_related_articles]
        payload = KnowledgePayload(
            decision="answer", query=query, score=round(score, 4),
            article=article_payload(article, section),
            candidates=self._candidates(result),
            related=[RelatedPayload(id=item.id, title=item.title) for item in related],
            feedback=True,
        )
        dispatcher.utter_message(text=answer_text(article, section, language, context), json_message=as_custom(payload))
        buttons = [
            {"title": say("yes", language), "payload": "/feedback_positive"},
            {"title": say("no", language), "payload": "/feedback_negative"},
        ] + [
            {"title": say("see_also", language, title=item.title),
             "payload": f'/ask_question{{"article_id":"{item.id}"}}'}
            for item in related
        ]
        dispatcher.utter_message(text=say("did_it_help", language), buttons=buttons)
        entry = MatchedArticle(id=article.id, title=article.title, score=round(score, 4), decision="answer")
        return [
            SlotSet("last_query", query),
            SlotSet("last_article_id", article.id),
            SlotSet("last_decision", "answer"),
            SlotSet("last_score", round(score, 4)),
            SlotSet("topics", _topics(tracker, article.id)),
            SlotSet("matched_articles", _trail(tracker, entry)),
            SlotSet("failed_attempts", 0.0),
            SlotSet("awaiting_feedback", True),
            SlotSet("handover_offered", False),
            SlotSet("handover_reason", None),
        ]

    def _clarify(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, language: str, query: str, result: "SearchResult"
    ) -> list[EventType]:
        candidates = self._candidates(result)
        payload = KnowledgePayload(decision="clarify", query=query, score=round(result.hits[0].score, 4),
                                   candidates=candidates)
        buttons = [
            {"title": candidate.title, "payload": f'/ask_question{{"article_id":"{candidate.id}"}}'}
            for candidate in candidates
        ] + [{"title": say("clarify_other", language), "payload": "/request_human"}]
        dispatcher.utter_message(text=say("clarify", language), buttons=buttons, json_message=as_custom(payload))
        best = result.hits[0]
        entry = MatchedArticle(id=best.article.id, title=best.article.title, score=round(best.score, 4),
                               decision="clarify")
        return [
            SlotSet("last_query", query),
            SlotSet("last_decision", "clarify"),
            SlotSet("last_score", round(best.score, 4)),
            SlotSet("matched_articles", _trail(tracker, entry)),
            SlotSet("awaiting_feedback", False),
            SlotSet("handover_offered", False),
        ]

    def _no_answer(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, context: ActionContext, language: str, query: str,
        result: "SearchResult",
    ) -> list[EventType]:
        failed = int(tracker.get_slot("failed_attempts") or 0) + 1
        reason = failure_reason(failed, context)
        best_score = result.hits[0].score if result.hits else 0.0
        payload = KnowledgePayload(decision="no_answer", query=query, score=round(best_score, 4),
                                   candidates=self._candidates(result))
        follow = say("repeated_failure", language) + " " + say("offer_person", language) \
            if reason == "repeated_failure" else say("rephrase_or_person", language)
        dispatcher.utter_message(text=say("no_answer", language), json_message=as_custom(payload))
        dispatcher.utter_message(text=follow, buttons=offer_buttons(language))
        entry = None
        if result.hits:
            best = result.hits[0]
            entry = MatchedArticle(id=best.article.id, title=best.article.title, score=round(best.score, 4),
                                   decision="no_answer")
        return [
            SlotSet("last_query", query),
            SlotSet("last_decision", "no_answer"),
            SlotSet("last_score", round(best_score, 4)),
            SlotSet("matched_articles", _trail(tracker, entry)),
            SlotSet("failed_attempts", float(failed)),
            *offer_events(reason),
        ]

    @staticmethod
    def _candidates(result: "SearchResult") -> list[CandidatePayload]:
        return [
            CandidatePayload(id=hit.article.id, title=hit.article.title, score=round(hit.score, 4))
            for hit in result.hits[:CANDIDATES]
        ]


__all__ = ["ActionAnswerFromKnowledge", "Decision", "is_follow_up", "key_facts", "prefetch_search"]
