"""A form starts only when the citizen means it.

The NLU reads some service questions as the start of a process: "Ich möchte mich arbeitslos melden" as a defect
report (`report_defect`), "bis wann muss der Antrag gestellt sein?" after the Elterngeld answer as a status query
(`check_status`). Asking such a citizen for the location of a defect, or for a case number, answers nothing and
stores their question as a form answer. `action_start_form` runs before the form (bot/data/rules.yml): when the
message is a question the knowledge base answers — another service named outright, or a follow-up on the article
just answered — it is answered, and the form does not start. In English, Turkish, Ukrainian and Arabic, where the NLU
has far fewer examples (questions naming a street or something found there were read as defect reports), a question
without any sign of a defect is searched like any other question.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.application_status import CASE_NUMBER, REPORT_NUMBER
from bot.actions.context import current_context
from bot.actions.conversation import conversation_language, is_button_payload, latest_citizen_text
from bot.actions.follow_ups import is_follow_up
from bot.actions.handover import asks_a_question
from bot.actions.knowledge_answers import ActionAnswerFromKnowledge

# The articles that describe the forms themselves: a search landing there is the form's own topic.
FORM_ARTICLES = frozenset({"maengelmelder", "bearbeitungsstatus"})
# Words that make a message a report of something broken or dirty whatever else it names ("Der Altkleidercontainer
# ist kaputt" names the recycling article and is still a defect report), in the five languages; none of them a German
# word ("Welche Kosten fallen an?", "Wann hole ich den Ausweis ab?" are questions).
DEFECT_SIGNS = re.compile(
    r"kaputt|defekt|beschädigt|beschaedigt|schaden|schlagloch|\bloch\b|verstopft|fällt aus|faellt aus|ausgefallen|"
    r"funktioniert nicht|geht nicht|brennt nicht|leuchtet nicht|umgekippt|umgestürzt|wilder? müll|illegal|"
    r"vermüllt|verschmutzt|graffiti|"
    r"broken|damage|defect|pothole|\b(a|big|deep|large) hole\b|crack|blocked|clogged|not working|doesn'?t work|"
    r"does not work|out of order|(lamp|light)s?\b.{0,40}\b(off|out|dark)\b|flicker|(has|have) fallen|"
    r"fallen (tree|branch|sign)|knocked (over|down)|\bloose\b|\bstuck\b|fly-?tipping|dumped|dumping|overflowing|"
    r"vandal|leak|report (a|an|the) (problem|defect|fault|issue)|"
    r"bozuk|kırık|kirik|kırıl|hasar|arıza|ariza|çukur|cukur|çatlak|catlak|yanmıyor|yanmiyor|çalışmıyor|calismiyor|"
    r"devril|devrik|düşmüş|taşıyor|tasiyor|dökül|döküm|çöp bırak|tıkan|sızıntı|grafiti|"
    r"зламан|зламал|пошкодж|несправн|\bям[аиуі]\b|вибоїн|тріщин|не працює|не світить|не горить|не перемика|погас|згас|впал|"
    r"звалищ|викинул|викинув|переповнен|засмічен|протіка|графіті|"
    r"مكسور|معطل|عطل(?!ة)|تالف|ضرر|حفرة|تشقق|لا يعمل|لا تعمل|لا يضيء|مطفأ|سقط|(?<![\u0600-\u06ff])رمى|مرمي|"
    r"ممتلئة|تسرب|انسداد|مسدود|كتابات على الجدران",
    re.IGNORECASE,
)
# Words that make a message ask about the state of one's own case ("Wie weit ist mein Wohngeldantrag?").
STATUS_SIGNS = re.compile(
    r"\bstand\b|status|wie weit|bearbeit|schon fertig|noch nicht|aktenzeichen|vorgang|meldung|meine[mnrs]? antrag|"
    r"mein antrag|application status|my application|my case|my report|"
    r"ne durumda|durumunu|durumu nedir|aşama|asama|başvurum|basvurum|dosyam|işlemim|"
    r"\bстан\b|\bстану\b|статус|етап|моя заява|моєї заяви|мою заяву|моя справа|моєї справи|"
    r"حالة (ال)?(طلب|معامل|ملف)|مرحلة|طلبي|معاملتي|ملفي",
    re.IGNORECASE,
)


def is_misread_question(text: str, intent: str, result, current_id: str | None, max_words: int,
                        language: str = "de") -> bool:
    """Whether a message read as the start of a form is a question the knowledge base answers instead: a follow-up
    on the article just answered, one answered outright with another article than the form's own, or — outside
    German, where the NLU knows few examples — a question with no sign of a defect that the search does not send to
    the form's own article (the knowledge action then answers, offers a menu or declines)."""
    if intent == "check_status":
        if CASE_NUMBER.search(text) or REPORT_NUMBER.search(text) or STATUS_SIGNS.search(text):
            return False
    elif DEFECT_SIGNS.search(text):
        return False
    if current_id is not None and current_id not in FORM_ARTICLES and is_follow_up(text, current_id, result,
                                                                                     max_words):
        return True
    names_form_article = bool(result.hits) and result.hits[0].article.id in FORM_ARTICLES
    if language != "de" and intent == "report_defect" and asks_a_question(text):
        return not (names_form_article and result.decision == "answer")
    return result.answers_outright(language) and not names_form_article


class ActionStartForm(Action):
    def name(self) -> str:
        return "action_start_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        message = (tracker.latest_message or {}).get("text") or ""
        intent = ((tracker.latest_message or {}).get("intent") or {}).get("name") or ""
        if is_button_payload(message):
            return []
        context = current_context()
        text = latest_citizen_text(tracker)
        language = conversation_language(tracker)
        result = await asyncio.to_thread(context.knowledge.search, text, top_k=1, language=language)
        answered = tracker.get_slot("last_article_id") if tracker.get_slot("last_decision") == "answer" else None
        if not is_misread_question(text, intent, result, answered, context.settings.follow_up_max_words, language):
            return []
        events = await ActionAnswerFromKnowledge().run(dispatcher, tracker, domain)
        # The rule goes on to the form; the answer ends the turn instead.
        return [*events, FollowupAction("action_listen")]
