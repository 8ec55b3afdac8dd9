"""Questions the NLU misread as anger (in English, Turkish, Ukrainian, Arabic) or as a request for a person get the
answer when the knowledge base has one outright; in those four languages a question that asks for no one is searched
like any other question (answer, menu or decline). Real anger gets the apology and the offer of a person, a real
request for a person (in words, naming a language, or the button) the handover (bot/actions/handover.py); a question
misread as a defect report is searched instead of starting the form, a real defect report starts it
(bot/actions/form_entry.py). Called on the real app's action endpoint with the real index."""

from __future__ import annotations

import httpx
import pytest

from tests.bot.servers import ACTION_SECRET, AppServer

RASA_HEADERS = {"Authorization": f"Bearer {ACTION_SECRET}"}
DOMAIN = {"intents": [], "entities": [], "slots": {}, "responses": {}, "actions": [], "forms": {}}


def frustrated(text: str, intent: str = "frustration", action: str = "action_offer_handover") -> dict:
    parse = {"text": text, "intent": {"name": intent, "confidence": 0.8}, "entities": []}
    user = {"event": "user", "timestamp": 1.0, "text": text, "parse_data": parse, "metadata": {"language": "de"}}
    tracker = {"sender_id": "misread-frustration", "slots": {}, "latest_message": parse, "events": [user],
               "paused": False, "followup_action": None, "active_loop": {}, "latest_action_name": "action_listen"}
    return {"next_action": action, "sender_id": "misread-frustration", "tracker": tracker,
            "domain": DOMAIN, "version": "3.6.21"}


def run(app_server: AppServer, text: str, intent: str = "frustration", action: str = "action_offer_handover") -> dict:
    response = httpx.post(f"{app_server.url}/webhook", json=frustrated(text, intent, action), headers=RASA_HEADERS,
                          timeout=60)
    assert response.status_code == 200, response.text
    return response.json()


def knowledge_payloads(body: dict) -> list[dict]:
    return [r["custom"] for r in body["responses"] if (r.get("custom") or {}).get("type") == "knowledge"]


def test_a_question_read_as_anger_is_answered(app_server: AppServer) -> None:
    body = run(app_server, "My ID card was stolen yesterday, what do I have to do?")
    answers = knowledge_payloads(body)
    assert answers and answers[0]["decision"] == "answer" and answers[0]["article"]["id"] == "ausweis-verloren", body


@pytest.mark.parametrize("text", ["This is ridiculous, nobody answers the phone!", "Das ist doch eine Frechheit!"])
def test_anger_gets_the_offer_of_a_person(app_server: AppServer, text: str) -> None:
    body = run(app_server, text)
    assert not knowledge_payloads(body)
    offered = [button["payload"] for r in body["responses"] for button in r.get("buttons") or []]
    assert offered == ["/affirm", "/deny"], body


def test_a_question_read_as_a_request_for_a_person_is_answered(app_server: AppServer) -> None:
    body = run(app_server, "Ich möchte unseren neuen Hund anmelden", "request_human", "action_handover")
    answers = knowledge_payloads(body)
    assert answers and answers[0]["article"]["id"] == "hundesteuer", body
    assert not [r for r in body["responses"] if (r.get("custom") or {}).get("type") == "handover"]


@pytest.mark.parametrize("text", ["Ich möchte mit einem Menschen sprechen, es geht um die Hundesteuer",
                                  "Хочу поговорити з людиною"])
def test_a_request_for_a_person_is_handed_over(app_server: AppServer, text: str) -> None:
    body = run(app_server, text, "request_human", "action_handover")
    assert not knowledge_payloads(body)
    assert [r for r in body["responses"] if (r.get("custom") or {}).get("type") == "handover"], body


def handovers(body: dict) -> list[dict]:
    return [r["custom"] for r in body["responses"] if (r.get("custom") or {}).get("type") == "handover"]


@pytest.mark.parametrize("text", ["Where can I get a copy of my rental contract certified?",
                                  "Коли працює бюро знахідок?",
                                  "Kapalı yüzme havuzunun giriş ücreti ne kadar?",
                                  "ما هي مواعيد عمل مكتب المفقودات؟"])
def test_a_question_in_another_language_read_as_a_request_for_a_person_is_searched(app_server: AppServer,
                                                                                    text: str) -> None:
    body = run(app_server, text, "request_human", "action_handover")
    assert knowledge_payloads(body) and not handovers(body), body


def test_an_unrelated_question_read_as_a_request_for_a_person_is_declined_honestly(app_server: AppServer) -> None:
    body = run(app_server, "Який рецепт борщу найсмачніший?", "request_human", "action_handover")
    answers = knowledge_payloads(body)
    assert answers and answers[0]["decision"] == "no_answer" and not handovers(body), body


@pytest.mark.parametrize("text", ["Türkçe konuşan biri var mı?", "I want to talk to a person",
                                  "Чи можете ви відповісти українською?", "هل يمكنني التحدث مع موظف؟",
                                  "/request_human"])
def test_a_real_request_for_a_person_in_any_language_is_handed_over(app_server: AppServer, text: str) -> None:
    body = run(app_server, text, "request_human", "action_handover")
    assert handovers(body) and not knowledge_payloads(body), body


def test_a_question_in_another_language_read_as_anger_without_a_match_keeps_the_apology(app_server: AppServer) -> None:
    body = run(app_server, "Чому ви мене взагалі не розумієте?")
    assert not knowledge_payloads(body)
    assert [b["payload"] for r in body["responses"] for b in r.get("buttons") or []] == ["/affirm", "/deny"], body


@pytest.mark.parametrize("text", ["Which day is the yellow bin emptied in Lindenallee?",
                                  "Парасольку хтось знайшов? Де бюро знахідок?",
                                  "كيف أطبخ الأرز بالدجاج؟"])
def test_a_question_in_another_language_read_as_a_defect_report_is_searched(app_server: AppServer,
                                                                            text: str) -> None:
    body = run(app_server, text, "report_defect", "action_start_form")
    assert knowledge_payloads(body), body
    assert {"event": "followup", "name": "action_listen"} in [
        {k: e.get(k) for k in ("event", "name")} for e in body["events"]], body


@pytest.mark.parametrize("text", ["The street light in front of number 12 is broken",
                                  "Sokak lambası yanmıyor, kime haber vereyim?",
                                  "Біля школи не працює світлофор, кому повідомити?",
                                  "الرصيف أمام بيتي مكسور، لمن أبلغ؟",
                                  "/report_defect"])
def test_a_real_defect_report_in_any_language_starts_the_form(app_server: AppServer, text: str) -> None:
    body = run(app_server, text, "report_defect", "action_start_form")
    assert body["responses"] == [] and body["events"] == [], body
