"""The knowledge search started ahead by action_detect_language (bot/actions/search_ahead.py) gives the knowledge
action the answer it would have found itself; the language action still returns only the `language` slot."""

from __future__ import annotations

import httpx

from tests.bot.servers import ACTION_SECRET, AppServer

RASA_HEADERS = {"Authorization": f"Bearer {ACTION_SECRET}"}
QUESTION = "Wie viel kostet ein neuer Personalausweis?"


def _call(action: str, sender: str, text: str, intent: str) -> dict:
    """What Rasa posts after NLU read `text` as `intent` (the user event is the tracker's last one)."""
    user = {"event": "user", "text": text, "parse_data": {"intent": {"name": intent, "confidence": 0.99},
                                                          "entities": []}, "metadata": {"language": "de"}}
    tracker = {"sender_id": sender, "slots": {"language": "de"}, "latest_message": {**user["parse_data"], "text": text},
               "events": [{"event": "action", "name": "action_session_start"}, user], "paused": False,
               "followup_action": None, "active_loop": {}, "latest_action_name": "action_listen"}
    return {"next_action": action, "sender_id": sender, "tracker": tracker, "version": "3.6.21"}


def _post(app: AppServer, body: dict) -> dict:
    response = httpx.post(f"{app.url}/webhook", json=body, headers=RASA_HEADERS, timeout=60)
    assert response.status_code == 200, response.text
    return response.json()


def test_the_answer_with_the_search_started_ahead_is_the_answer_without(app_server: AppServer) -> None:
    # Without: the knowledge action searches itself.
    alone = _post(app_server, _call("action_answer_from_knowledge", "ahead-1", QUESTION, "ask_question"))
    # With: the language slot's action starts the search, the knowledge action takes its result.
    assert _post(app_server, _call("action_detect_language", "ahead-2", QUESTION, "ask_question"))["events"] == []
    ahead = _post(app_server, _call("action_answer_from_knowledge", "ahead-2", QUESTION, "ask_question"))
    assert alone["responses"][0]["custom"]["article"]["id"] == "personalausweis"
    assert ahead["responses"] == alone["responses"]
    assert ahead["events"] == alone["events"]


def test_the_language_action_still_returns_only_the_language_slot(app_server: AppServer) -> None:
    assert _post(app_server, _call("action_detect_language", "ahead-3", "Hallo", "greet"))["events"] == []
    turkish = _post(app_server, _call("action_detect_language", "ahead-4", "Merhaba, bir sorum var", "greet"))
    assert [(e["name"], e["value"]) for e in turkish["events"]] == [("language", "tr")]
