"""Small talk is about the bot or the weather: a question about something else that the NLU took for small talk is
searched like any question (bot/actions/small_talk.py). Called on the real app's action endpoint with the real index."""

from __future__ import annotations

import httpx
import pytest

from tests.bot.servers import ACTION_SECRET, AppServer

RASA_HEADERS = {"Authorization": f"Bearer {ACTION_SECRET}"}
DOMAIN = {"intents": [], "entities": [], "slots": {}, "responses": {}, "actions": [], "forms": {}}


def chitchat_call(text: str, response: str, language: str = "de") -> dict:
    selector = {"chitchat": {"response": {"utter_action": response, "confidence": 1.0}}}
    parse = {"text": text, "intent": {"name": "chitchat", "confidence": 0.95}, "entities": [],
             "response_selector": selector}
    user = {"event": "user", "timestamp": 1.0, "text": text, "parse_data": parse, "metadata": {"language": language}}
    tracker = {"sender_id": "small-talk", "slots": {"language": language}, "latest_message": parse, "events": [user],
               "paused": False, "followup_action": None, "active_loop": {}, "latest_action_name": "action_listen"}
    return {"next_action": "action_chitchat", "sender_id": "small-talk", "tracker": tracker, "domain": DOMAIN,
            "version": "3.6.21"}


def run(app_server: AppServer, text: str, response: str, language: str = "de") -> dict:
    reply = httpx.post(f"{app_server.url}/webhook", json=chitchat_call(text, response, language),
                       headers=RASA_HEADERS, timeout=60)
    assert reply.status_code == 200, reply.text
    return reply.json()


def small_talk_replies(body: dict) -> list[str]:
    return [r["response"] for r in body["responses"] if r.get("response")]


def knowledge(body: dict) -> list[dict]:
    return [r["custom"] for r in body["responses"] if (r.get("custom") or {}).get("type") == "knowledge"]


@pytest.mark.parametrize("text, response", [
    ("Na, wie geht es dir heute?", "utter_chitchat/how_are_you"),
    ("Sag mal, wie heißt du?", "utter_chitchat/ask_name"),
    ("Wobei kannst du mir helfen?", "utter_chitchat/ask_capabilities"),
    ("Regnet es heute Nachmittag?", "utter_chitchat/ask_weather"),
    ("what is your name", "utter_chitchat/ask_name"),
])
def test_small_talk_gets_its_reply(app_server: AppServer, text: str, response: str) -> None:
    body = run(app_server, text, response)
    assert small_talk_replies(body) == [response] and not knowledge(body), body


@pytest.mark.parametrize("text, response", [
    ("Wer regiert eigentlich in Berlin?", "utter_chitchat/ask_name"),
    ("Welche Serie läuft heute Abend im Fernsehen?", "utter_chitchat/ask_weather"),
    ("Wo gibt es in der Stadt das billigste Benzin?", "utter_chitchat/ask_capabilities"),
])
def test_a_question_about_something_else_is_declined_honestly_not_small_talked(app_server: AppServer, text: str,
                                                                               response: str) -> None:
    body = run(app_server, text, response)
    assert not small_talk_replies(body), body
    payloads = knowledge(body)
    assert payloads and payloads[0]["decision"] == "no_answer", body


def test_small_talk_in_another_language_is_trusted(app_server: AppServer) -> None:
    body = run(app_server, "Nasılsın bugün?", "utter_chitchat/how_are_you", "tr")
    assert small_talk_replies(body) == ["utter_chitchat/how_are_you"], body
