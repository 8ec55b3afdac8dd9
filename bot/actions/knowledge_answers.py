"""Answers from the knowledge index: direct answer with source, "Meinen Sie …?", or an honest "not found".

The structured result goes into the message's custom payload (`knowledge`, docs/bot-payloads.md) and into
slots, so the widget renders source cards, the agent sees what the bot matched, and follow-ups
("und was kostet das?") are searched together with the topic of the previous answer.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any, Callable

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions import search_ahead
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
from bot.actions.plain_language import wants_leichte_sprache
from bot.actions.answer_text import localized_title, referral_answer, service_answer, translated
from bot.actions.distress import detect_distress
from bot.actions.follow_ups import is_follow_up
from bot.actions.support import respond_to_distress
from bot.actions.texts import say

if TYPE_CHECKING:
    from knowledge.articles import Article, Section
    from knowledge.service import KnowledgeService, SearchResult

CANDIDATES = 3
TRAIL_LENGTH = 10


def article_payload(article: "Article", section: "Section | None", language: str = "de") -> ArticlePayload:
    # The card shows the editors' translation of title and summary in the conversation's language when there is one.
    translation = translated(article, language)
    return ArticlePayload(
        id=article.id,
        title=translation.title if translation else article.title,
        summary=translation.summary if translation else article.summary,
        url=article.url,
        online_service=article.online_service,
        updated=article.updated.isoformat(),
        lebenslagen=list(article.lebenslagen),
        office=article.office,
        section=section,
        kind=article.kind,
        sections=list(article.sections),
    )


def _trail(tracker: Tracker, entry: MatchedArticle | None) -> list[dict[str, Any]]:
    trail = list(tracker.get_slot("matched_articles") or [])
    if entry is not None:
        trail.append(entry.model_dump(mode="json"))
    return trail[-TRAIL_LENGTH:]


def search_top_k(context: ActionContext) -> int:
    """How many articles an answer's search asks for: the candidates, and the related ones besides the answer."""
    return max(CANDIDATES, context.settings.bot_related_articles + 1)


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


def related_articles(article: "Article", result: "SearchResult", context: ActionContext) -> list["Article"]:
    """Only what belongs with the answer: articles the editor named (`related:`), then articles of the same life
    event among the search's hits. Never an unrelated article just because it ranked next."""
    limit = context.settings.bot_related_articles
    found: list["Article"] = []
    for article_id in article.related:
        other = context.knowledge.get_article(article_id)
        if other is not None and other.id != article.id:
            found.append(other)
    life_events = set(article.lebenslagen)
    for hit in result.hits:
        if hit.article.id != article.id and life_events & set(hit.article.lebenslagen):
            found.append(hit.article)
    unique = list({item.id: item for item in found}.values())
    return unique[:limit]


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
            concern = detect_distress(query)
            if concern is not None:
                events = await respond_to_distress(dispatcher, tracker, concern)
            else:
                events = await self._search_and_answer(dispatcher, tracker, context, language, query)
        # `language` is the conversation's language computed above (language_events would detect it again).
        return only_changes(tracker, [SlotSet("language", language), SlotSet("article_id", None), *events])

    async def _search_and_answer(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, context: ActionContext, language: str, query: str
    ) -> list[EventType]:
        result: SearchResult = await search_ahead.search(context.knowledge, query, search_top_k(context), language)
        current = self._current_article(tracker, context)
        if current is not None and is_follow_up(query, current.id, result, context.settings.follow_up_max_words):
            # The same article, the asked aspect's section (searched with the topic for the best section otherwise).
            follow = await asyncio.to_thread(
                context.knowledge.search, query, top_k=1, context=current.title, article_ids=frozenset({current.id}),
                language=language,
            )
            hit = follow.hits[0] if follow.hits else None
            return self._answer(dispatcher, tracker, context, language, query, current,
                                hit.section if hit else None, hit.score if hit else 0.0, result,
                                aspect=follow.aspect, follow_up=True)
        if result.decision == "answer" and result.hits:
            best = result.hits[0]
            return self._answer(dispatcher, tracker, context, language, query, best.article, best.section,
                                best.score, result, aspect=result.aspect)
        if result.decision == "clarify" and result.hits:
            return self._clarify(dispatcher, tracker, language, query, result)
        return self._no_answer(dispatcher, tracker, context, language, query, result)

    @staticmethod
    def _current_article(tracker: Tracker, context: ActionContext) -> "Article | None":
        """The article the conversation is about: the last one answered (a menu or a decline leaves no topic)."""
        if tracker.get_slot("last_decision") != "answer":
            return None
        article_id = tracker.get_slot("last_article_id")
        return context.knowledge.get_article(article_id) if article_id else None

    async def _answer_chosen(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, context: ActionContext, language: str,
        article_id: str, query: str,
    ) -> list[EventType]:
        article = context.knowledge.get_article(article_id)
        if article is None:
            return await self._search_and_answer(dispatcher, tracker, context, language, query)
        result = await asyncio.to_thread(context.knowledge.search, query or article.title, top_k=5)
        chosen = await asyncio.to_thread(context.knowledge.search, query or article.title, top_k=1,
                                         article_ids=frozenset({article_id}))
        hit = chosen.hits[0] if chosen.hits else None
        return self._answer(dispatcher, tracker, context, language, query, article, hit.section if hit else None,
                            hit.score if hit else 0.0, result, aspect=chosen.aspect)

    def _answer(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, context: ActionContext, language: str, query: str,
        article: "Article", section: "Section | None", score: float, result: "SearchResult", *,
        aspect: str | None = None, follow_up: bool = False,
    ) -> list[EventType]:
        related = related_articles(article, result, context)
        payload = KnowledgePayload(
            decision="answer", query=query, score=round(score, 4),
            article=article_payload(article, section, language),
            candidates=self._candidates(result),
            related=[RelatedPayload(id=item.id, title=localized_title(item, language)) for item in related],
            feedback=True,
            aspect=aspect,
            follow_up=follow_up,
        )
        if article.kind == "referral":
            text = referral_answer(article, section, language, context.settings.bot_answer_section_chars)
        else:
            text = service_answer(article, section, language, context.settings.bot_answer_section_chars,
                                  leichte_sprache=wants_leichte_sprache(tracker))
        dispatcher.utter_message(text=text, json_message=as_custom(payload))
        buttons = [
            {"title": say("yes", language), "payload": "/feedback_positive"},
            {"title": say("no", language), "payload": "/feedback_negative"},
        ] + [
            {"title": say("see_also", language, title=localized_title(item, language)),
             "payload": f'/ask_question{{"article_id":"{item.id}"}}'}
            for item in related
        ]
        dispatcher.utter_message(text=say("did_it_help", language), buttons=buttons)
        entry = MatchedArticle(id=article.id, title=article.title, score=round(score, 4), decision="answer")
        return [
            SlotSet("last_query", query),
            SlotSet("last_article_id", article.id),
            SlotSet("last_decision", "answer"),
            SlotSet("matched_articles", _trail(tracker, entry)),
            SlotSet("failed_attempts", 0.0),
            SlotSet("awaiting_feedback", True),
            SlotSet("handover_offered", False),
            SlotSet("handover_reason", None),
        ]

    def _clarify(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, language: str, query: str, result: "SearchResult"
    ) -> list[EventType]:
        offered = result.hits[: max(1, result.offered)]
        candidates = [CandidatePayload(id=hit.article.id, title=localized_title(hit.article, language),
                                       score=round(hit.score, 4)) for hit in offered]
        payload = KnowledgePayload(decision="clarify", query=query, score=round(offered[0].score, 4),
                                   candidates=candidates, aspect=result.aspect)
        buttons = [
            {"title": candidate.title, "payload": f'/ask_question{{"article_id":"{candidate.id}"}}'}
            for candidate in candidates
        ] + [{"title": say("clarify_other", language), "payload": "/request_human"}]
        question = say("clarify" if len(candidates) > 1 else "clarify_one", language)
        dispatcher.utter_message(text=question, buttons=buttons, json_message=as_custom(payload))
        best = offered[0]
        entry = MatchedArticle(id=best.article.id, title=best.article.title, score=round(best.score, 4),
                               decision="clarify")
        return [
            SlotSet("last_query", query),
            SlotSet("last_decision", "clarify"),
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
        contact = context.knowledge.general_office()
        payload = KnowledgePayload(decision="no_answer", query=query, score=round(best_score, 4),
                                   candidates=self._candidates(result), decline="not_covered", contact=contact)
        # The city's contact is on the card the widget shows for `contact`, once.
        dispatcher.utter_message(text=say("not_covered", language), json_message=as_custom(payload))
        offer = say("repeated_failure", language) + " " + say("not_covered_offer", language) \
            if reason == "repeated_failure" else say("not_covered_offer", language)
        dispatcher.utter_message(text=offer, buttons=offer_buttons(language))
        # The decision trail keeps what the search saw, so the agent knows what the bot did not find.
        entry = None
        if result.hits:
            best = result.hits[0]
            entry = MatchedArticle(id=best.article.id, title=best.article.title, score=round(best.score, 4),
                                   decision="no_answer")
        return [
            SlotSet("last_query", query),
            SlotSet("last_decision", "no_answer"),
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


class ActionDecline(Action):
    """Out of scope (the NLU's `out_of_scope`): a short, friendly decline that says what the bot is for."""

    def name(self) -> str:
        return "action_decline"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        language = conversation_language(tracker)
        query = latest_citizen_text(tracker)
        concern = detect_distress(query)
        if concern is not None:
            return only_changes(tracker, await respond_to_distress(dispatcher, tracker, concern))
        # The model reads some service questions as small talk ("Hat das Rathaus heute Nachmittag auf?"): when the
        # knowledge base answers it outright, that answer is given instead of the decline.
        context = current_context()
        result = await asyncio.to_thread(context.knowledge.search, query, top_k=1, language=language)
        if result.decision == "answer":
            return await ActionAnswerFromKnowledge().run(dispatcher, tracker, domain)
        payload = KnowledgePayload(decision="no_answer", query=query, score=0.0, decline="offtopic",
                                   contact=context.knowledge.general_office())
        dispatcher.utter_message(text=say("offtopic", language), json_message=as_custom(payload))
        return only_changes(tracker, [*language_events(tracker), SlotSet("last_query", query),
                                      SlotSet("last_decision", "no_answer")])


__all__ = ["ActionAnswerFromKnowledge", "ActionDecline", "Decision", "article_payload", "prefetch_search",
           "related_articles"]
