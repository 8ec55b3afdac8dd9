"""Handover to a human agent: the offer, the citizen's yes/no to it, and the machine-readable request.

The request is the `handover` custom payload (docs/bot-payloads.md); the gateway moves the conversation to the
department's queue and stops forwarding messages to Rasa until the agent returns it (`back_to_bot`).
"""

from __future__ import annotations

import asyncio
import re

from typing import TYPE_CHECKING, Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.context import ActionContext, current_context
from bot.actions.conversation import citizen_texts, conversation_language, language_events, latest_citizen_text
from bot.actions.conversation import is_button_payload, latest_intent
from bot.actions.offices import defect_category_office, find_office
from bot.actions.payloads import HandoverPayload, HandoverReason, MatchedArticle, as_custom
from bot.actions.texts import say

if TYPE_CHECKING:
    from knowledge.articles import Office

SUMMARY_MAX_CHARS = 300
SUMMARY_MESSAGES = 3


def offer_buttons(language: str) -> list[dict[str, str]]:
    return [
        {"title": say("offer_yes", language), "payload": "/affirm"},
        {"title": say("offer_no", language), "payload": "/deny"},
    ]


def offer_events(reason: HandoverReason) -> list[EventType]:
    return [SlotSet("handover_offered", True), SlotSet("handover_reason", reason), SlotSet("awaiting_feedback", False)]


def failure_reason(failed_attempts: int, context: ActionContext) -> HandoverReason:
    return "repeated_failure" if failed_attempts >= context.settings.handover_after_failures else "low_confidence"


def _form_was_interrupted(tracker: Tracker) -> bool:
    """True when the citizen asked for a person in the middle of a form (the rule deactivated the loop)."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return False
        if event.get("event") == "active_loop" and event.get("name") is None:
            return True
    return False


def _last_form(tracker: Tracker) -> str | None:
    for event in reversed(tracker.events):
        if event.get("event") == "active_loop" and event.get("name"):
            return event["name"]
    return None


def _form_office(tracker: Tracker, context: ActionContext) -> "Office | None":
    form = _last_form(tracker)
    if form == "defect_report_form" and tracker.get_slot("defect_category"):
        return defect_category_office(context.knowledge, tracker.get_slot("defect_category"))
    if form == "application_status_form" and tracker.get_slot("case_number"):
        office = _shown_case_office(tracker, tracker.get_slot("case_number"))
        return find_office(context.knowledge, office) if office else None
    return None


def _shown_case_office(tracker: Tracker, case_number: str) -> str | None:
    """The office of the case the status form showed this citizen (after number and PIN). Never looked up by the
    number alone: the department a handover names would tell whose case a guessed number is."""
    for event in reversed(tracker.events):
        custom = ((event.get("data") or {}).get("custom") or {}) if event.get("event") == "bot" else {}
        if custom.get("type") == "form" and custom.get("form") == "application_status" and custom.get("step") == "done":
            result = custom.get("result") or {}
            return result.get("office") if result.get("case_number") == case_number else None
    return None


def _department(tracker: Tracker, context: ActionContext, in_form: bool) -> tuple[str | None, str | None, str | None]:
    """(department, office name, lebenslage) of what the citizen is dealing with; None → default queue."""
    if in_form:
        office = _form_office(tracker, context)
        if office is not None:
            return office.department, office.name, None
    article_id = tracker.get_slot("last_article_id")
    article = context.knowledge.get_article(article_id) if article_id else None
    if article is None:
        return None, None, None
    lebenslage = article.lebenslagen[0] if article.lebenslagen else None
    return article.office.department, article.office.name, lebenslage


def summarize_concern(tracker: Tracker, context: ActionContext) -> str:
    texts = citizen_texts(tracker)[-SUMMARY_MESSAGES:]
    article_id = tracker.get_slot("last_article_id")
    article = context.knowledge.get_article(article_id) if article_id else None
    summary = " / ".join(texts) or "(keine Nachricht)"
    if article is not None:
        summary = f"{article.title}: {summary}"
    if len(summary) > SUMMARY_MAX_CHARS:
        summary = summary[: SUMMARY_MAX_CHARS - 1].rstrip() + "…"
    return summary


def perform_handover(
    dispatcher: CollectingDispatcher, tracker: Tracker, reason: HandoverReason | None = None
) -> list[EventType]:
    context = current_context()
    language = conversation_language(tracker)
    in_form = _form_was_interrupted(tracker)
    if reason is None and tracker.get_slot("handover_offered"):
        # "Ja, bitte verbinden" after an offer accepts it: the offer's reason (e.g. repeated_failure) stands.
        reason = tracker.get_slot("handover_reason")
    if reason is None:
        reason = "form_needs_human" if in_form else "citizen_request"
    department, _, lebenslage = _department(tracker, context, in_form or reason == "form_needs_human")
    trail = [MatchedArticle.model_validate(item) for item in (tracker.get_slot("matched_articles") or [])]
    texts = citizen_texts(tracker)
    payload = HandoverPayload(
        reason=reason,
        department=department,
        summary=summarize_concern(tracker, context),
        language=language,  # type: ignore[arg-type]
        lebenslage=lebenslage,
        articles=trail,
        last_query=texts[-1] if texts else None,
    )
    # No text: the gateway checks hours and presence first and tells the citizen what really happens
    # (handover/domain/conversations/handover_requests.py); a "connecting you" here would be withdrawn there.
    dispatcher.utter_message(json_message=as_custom(payload))
    return [
        *language_events(tracker),
        SlotSet("handover_offered", False),
        SlotSet("handover_reason", None),
        SlotSet("awaiting_feedback", False),
        SlotSet("failed_attempts", 0.0),
    ]


class ActionHandover(Action):
    """Explicit request for a person (or one during a form): hand over at once."""

    def name(self) -> str:
        return "action_handover"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        answered = await _answered_instead_of_handover(dispatcher, tracker, domain)
        if answered is not None:
            return answered
        return perform_handover(dispatcher, tracker)


# Words with which citizens ask for a person, in the five languages; a message read as `request_human` without any
# ("Ich möchte mich arbeitslos melden") is not such a request. "in person" is how something is done ("Do I have to
# apply in person?", "a disabled person's pass"), "danışmanlık" the advice a service gives, not the adviser,
# "bağlantı" a link, "літніми людьми" elderly people, "الأحد" Sunday, "أحد أفراد العائلة" one of the family.
PERSON_WORDS = re.compile(
    r"mensch|(?<!\bin )(?<!disabled )\bperson(en)?\b|persönlich|mitarbeiter|kolleg|weiterleit|sachbearbeit|jemand|"
    r"berater|\bagent(in)?\b|sprechen|\breden\b|telefonier|\banruf|rückruf|verbind|"
    r"human|someone|somebody|\bstaff\b|employee|representative|operator|advis[eo]r|\bclerk|"
    r"\btalk|\bspeak|\bcall\b|call me|callback|"
    r"\binsan|\bbiri|\bkimse|yetkili|temsilci|çalışan|memur|personel|danışman(?!lı[kğ])|canlı destek|görüş|konuş|"
    r"bağla(?!ntı)|"
    r"людин|жив[аіу]\w* люд|оператор|співробітни|працівни|консультант|фахів|менеджер|хтось|когось|комусь|"
    r"переведіть|з['’]єднайте|говор|зателефон|дзвон|дзвін|"
    r"شخص|إنسان|انسان|موظف|(?<![\u0600-\u06ff])(أحد|احد|حدا)(?![\u0600-\u06ff])(?!\s+(ال|أفراد))|مستشار|"
    r"أتحدث|التحدث|اتحدث|يتكلم|تكلم|مندوب|اتصل|صلني|وصلني",
    re.IGNORECASE,
)
# A citizen who names a language in a message read as a request for a person ("Чи можете ви відповісти
# українською?", "Is there help in Arabic?") asks for someone who speaks it: that is the handover's language routing.
LANGUAGE_NAMES = re.compile(
    r"deutsch|german|english|englisch|ingilizce|almanca|türkçe|turkce|turkish|türkisch|українськ|англійськ|"
    r"німецьк|турецьк|арабськ|ukrain|arabic|arabisch|arapça|العربية|بالعربي|الإنجليزية|الانجليزية|الألمانية|التركية",
    re.IGNORECASE,
)
# What makes a message a question in English, Turkish, Ukrainian or Arabic: a question mark, a question word, the
# Turkish question particle, or asking for information without one ("I'm looking for …", "Підкажіть …", "أبحث عن …").
# German conversations keep trusting the NLU (the German data is far larger).
QUESTION_SIGNS = re.compile(
    r"[?؟]|"
    r"looking for|\b(tell me|recommend|explain|i'?d like to know|i want to know|i need information)\b|"
    r"arıyorum|ariyorum|öğrenmek istiyorum|ogrenmek istiyorum|bilgi almak|söyler misiniz|önerir misiniz|"
    r"шукаю|шукаємо|підкажіть|порадьте|скажіть|поясніть|хочу дізнатися|хотів би дізнатися|хотіла б дізнатися|"
    r"أبحث عن|ابحث عن|نبحث عن|أخبرني|اخبرني|دلني|انصحني|أريد أن أعرف|اريد ان اعرف|أود أن أعرف|"
    r"^\s*(what|when|where|which|who|whom|whose|why|how|can|could|may|do|does|did|is|are|should|must|will|would)\b|"
    r"\b(ne|neden|niye|nasıl|nasil|nerede|nereye|nereden|hangi|kaç|kac|kim|kime|kimden)\b|"
    r"\b(mı|mi|mu|mü)(yım|yim|yum|yüm|sın|sin|sun|sün|yız|yiz|sınız|siniz|sunuz|sünüz|dır|dir|dur|dür)?\b|"
    r"^\s*що\b|\b(як|де|куди|звідки|коли|скільки|чи|який|яка|яке|які|якої|кому|хто|навіщо|чому|котрій|котра)\b|"
    r"(^|\s)[وف]?(كيف|أين|اين|وين|متى|كم|ماذا|هل|لماذا|ليش|ما هي|ما هو)(\s|$)",
    re.IGNORECASE,
)


def asks_a_question(text: str) -> bool:
    return bool(QUESTION_SIGNS.search(text))


async def _answer_if_outright(
    dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any], *, in_german: bool,
    menu_too: bool = False,
) -> list[EventType] | None:
    """The knowledge base's answer to the citizen's message when it answers it outright (SearchResult.
    answers_outright), else None; `in_german=False` trusts the NLU in German conversations; `menu_too` also lets
    the search's "Meinen Sie …?" menu through."""
    language = conversation_language(tracker)
    if language == "de" and not in_german:
        return None
    text = latest_citizen_text(tracker)
    result = await asyncio.to_thread(current_context().knowledge.search, text, top_k=1, language=language)
    offers_menu = menu_too and result.decision == "clarify" and bool(result.hits)
    if not (result.answers_outright(language) or offers_menu):
        return None
    from bot.actions.knowledge_answers import ActionAnswerFromKnowledge  # answers build on this module's offers

    return await ActionAnswerFromKnowledge().run(dispatcher, tracker, domain)


async def _answered_instead_of_handover(
    dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
) -> list[EventType] | None:
    """A typed message the NLU read as a request for a person but that asks for no one gets the knowledge base's
    answer when there is one outright (with the usual offer of a person if it does not help)."""
    message = (tracker.latest_message or {}).get("text") or ""
    text = latest_citizen_text(tracker)
    if not text or is_button_payload(message) or PERSON_WORDS.search(text) or tracker.active_loop_name:
        return None
    if conversation_language(tracker) != "de" and not LANGUAGE_NAMES.search(text) and asks_a_question(text):
        # The NLU knows few examples in the other four languages and reads many of their service questions as a
        # request for a person: a question that asks for no one is searched, and answered, offered as a menu or
        # declined with the offer of a person like any other question.
        from bot.actions.knowledge_answers import ActionAnswerFromKnowledge  # answers build on this module's offers

        return await ActionAnswerFromKnowledge().run(dispatcher, tracker, domain)
    return await _answer_if_outright(dispatcher, tracker, domain, in_german=True)


def offer_handover_after_failure(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """'Nein, hat nicht geholfen': one more failure; the offer names it when it happened repeatedly."""
    context = current_context()
    language = conversation_language(tracker)
    failed = int(tracker.get_slot("failed_attempts") or 0) + 1
    reason = failure_reason(failed, context)
    opening = say("repeated_failure" if reason == "repeated_failure" else "sorry_not_helpful", language)
    dispatcher.utter_message(text=f"{opening} {say('offer_person', language)}", buttons=offer_buttons(language))
    return [*language_events(tracker), SlotSet("failed_attempts", float(failed)), *offer_events(reason)]


class ActionOfferHandover(Action):
    """Frustration or a negative feedback: apologize and offer a person (the citizen decides)."""

    def name(self) -> str:
        return "action_offer_handover"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        from bot.actions.distress import detect_distress
        from bot.actions.support import respond_to_distress  # support builds on this module's offer

        concern = detect_distress(latest_citizen_text(tracker))
        if concern is not None and latest_intent(tracker) == "frustration":
            # "Scheiß Verwaltung!!! Ich hab kein Geld mehr für die Miete!" is distress first, anger second.
            return await respond_to_distress(dispatcher, tracker, concern)
        if latest_intent(tracker) == "frustration":
            language = conversation_language(tracker)
            # The NLU knows few examples in English, Turkish, Ukrainian and Arabic and reads some questions as anger
            # ("My ID card was stolen yesterday, what do I have to do?"); in German anger gets the offer of a person.
            # A question that asks for no one may also get the menu; anger without a question, or a search that finds
            # nothing, gets the apology and the offer of a person.
            text = latest_citizen_text(tracker)
            question = asks_a_question(text) and not PERSON_WORDS.search(text)
            answered = await _answer_if_outright(dispatcher, tracker, domain, in_german=False, menu_too=question)
            if answered is not None:
                return answered
            text = f"{say('sorry_frustration', language)} {say('offer_person', language)}"
            dispatcher.utter_message(text=text, buttons=offer_buttons(language))
            return [*language_events(tracker), *offer_events("frustration")]
        return offer_handover_after_failure(dispatcher, tracker)


# A "yes" or "no" is short. A longer message the model read as one, with nothing pending to say yes or no to
# ("Ich brauche einen Bibliotheksausweis" read as `deny`), is a question and gets searched.
MAX_YES_NO_WORDS = 3


async def _as_question_if_nothing_pending(
    dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
) -> list[EventType] | None:
    if tracker.get_slot("handover_offered") or tracker.get_slot("awaiting_feedback"):
        return None
    text = latest_citizen_text(tracker)
    if len(text.split()) <= MAX_YES_NO_WORDS or (tracker.latest_message or {}).get("text", "").startswith("/"):
        return None
    from bot.actions.knowledge_answers import ActionAnswerFromKnowledge  # answers build on this module's offers

    return await ActionAnswerFromKnowledge().run(dispatcher, tracker, domain)


class ActionHandleAffirm(Action):
    """'Ja' (and "Das hat geholfen"): accepts a pending handover offer, or confirms that the last answer helped."""

    def name(self) -> str:
        return "action_handle_affirm"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        language = conversation_language(tracker)
        as_question = await _as_question_if_nothing_pending(dispatcher, tracker, domain)
        if as_question is not None:
            return as_question
        if tracker.get_slot("handover_offered"):
            return perform_handover(dispatcher, tracker, tracker.get_slot("handover_reason") or "low_confidence")
        if tracker.get_slot("awaiting_feedback"):
            dispatcher.utter_message(text=say("glad", language))
            return [*language_events(tracker), SlotSet("awaiting_feedback", False), SlotSet("failed_attempts", 0.0)]
        dispatcher.utter_message(text=say("anything_else", language))
        return language_events(tracker)


class ActionHandleDeny(Action):
    """'Nein': declines a pending handover offer, or says the last answer did not help."""

    def name(self) -> str:
        return "action_handle_deny"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        language = conversation_language(tracker)
        as_question = await _as_question_if_nothing_pending(dispatcher, tracker, domain)
        if as_question is not None:
            return as_question
        if tracker.get_slot("handover_offered"):
            dispatcher.utter_message(text=say("declined", language))
            return [*language_events(tracker), SlotSet("handover_offered", False), SlotSet("handover_reason", None)]
        if tracker.get_slot("awaiting_feedback"):
            return offer_handover_after_failure(dispatcher, tracker)
        dispatcher.utter_message(text=say("anything_else", language))
        return language_events(tracker)
