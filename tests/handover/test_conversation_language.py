"""The conversation's language follows the citizen (issue 14): the bot's detection (its `language` slot, seen at the
action endpoint) and the citizen's choice in the widget (a `language` frame) change it; every socket of the
conversation is told, a resuming widget learns it from the welcome, and the app's own messages to the citizen
(rate limits, delivery notices, e-mails, helpline notes) exist in all five languages."""

from __future__ import annotations

import re

import httpx

from bot.actions.distress import HELPLINES
from handover.domain import client_limits
from handover.domain.mail import templates
from handover.web import delivery_notice
from tests.bot.servers import ACTION_SECRET
from tests.handover.conftest import Citizen

LANGUAGES = ("de", "en", "tr", "uk", "ar")


def _placeholders(text: str) -> list[str]:
    return sorted(re.findall(r"\{(\w+)\}", text))


def _action_call(conversation_id: str, text: str, slot: str) -> dict:
    """What Rasa posts for the language slot's mapping action after a citizen message."""
    user = {"event": "user", "text": text, "parse_data": {"intent": {"name": "greet", "confidence": 1.0},
                                                          "entities": []}, "metadata": {"language": slot}}
    tracker = {"sender_id": conversation_id, "slots": {"language": slot}, "latest_message": user,
               "events": [{"event": "action", "name": "action_session_start"}, user], "paused": False,
               "followup_action": None, "active_loop": {}, "latest_action_name": "action_listen"}
    return {"next_action": "action_detect_language", "sender_id": conversation_id, "tracker": tracker,
            "version": "3.6.21"}


async def test_the_bot_detecting_turkish_switches_the_conversation_and_tells_the_widget(server):
    citizen = await Citizen.connect(server, language="de")
    assert citizen.welcome["language"] == "de"
    conversation_id = citizen.welcome["conversation_id"]
    async with httpx.AsyncClient(base_url=server.base, timeout=30) as http:
        response = await http.post("/webhook", json=_action_call(conversation_id, "Merhaba, bir sorum var", "de"),
                                   headers={"Authorization": f"Bearer {ACTION_SECRET}"})
    assert response.status_code == 200, response.text
    assert {"event": "slot", "name": "language", "value": "tr"}.items() <= response.json()["events"][0].items()
    frame = await citizen.expect_type("language")
    assert frame == {"type": "language", "language": "tr", "source": "bot"}
    # A widget that resumes learns it from the welcome; the system messages are Turkish now.
    again = await Citizen.connect(server, token=citizen.token, last_seq=citizen.welcome["last_seq"])
    assert again.welcome["language"] == "tr"
    await again.send({"type": "request_human"})
    said = await again.expect(lambda f: f.get("type") == "message" and f.get("sender") == "system")
    # queued, nobody free or outside the hours: whichever it is, in Turkish
    assert "ekib" in said["text"], said["text"]
    for socket in (citizen, again):
        await socket.close()


async def test_an_unchanged_language_is_not_announced(server):
    citizen = await Citizen.connect(server, language="uk")
    async with httpx.AsyncClient(base_url=server.base, timeout=30) as http:
        response = await http.post("/webhook", json=_action_call(citizen.welcome["conversation_id"], "Дякую", "uk"),
                                   headers={"Authorization": f"Bearer {ACTION_SECRET}"})
    assert response.status_code == 200 and response.json()["events"] == []
    await citizen.send({"type": "ping"})
    await citizen.expect_type("pong")
    assert not [f for f in citizen.frames if f.get("type") == "language"]
    await citizen.close()


async def test_the_citizens_choice_is_stored_and_echoed_to_every_socket(server):
    first = await Citizen.connect(server, language="ar")
    second = await Citizen.connect(server, token=first.token)
    await first.send({"type": "language", "language": "de"})
    for socket in (first, second):
        assert await socket.expect_type("language") == {"type": "language", "language": "de", "source": "citizen"}
    resumed = await Citizen.connect(server, token=first.token)
    assert resumed.welcome["language"] == "de"
    await first.send({"type": "language", "language": "fr"})
    error = await first.expect_type("error")
    assert error["code"] == "invalid" and error["field"] == "language"
    for socket in (first, second, resumed):
        await socket.close()


def test_rate_limit_texts_in_five_languages():
    for language in LANGUAGES:
        for scope in client_limits.SCOPES:
            text = client_limits.refusal_text(scope, language, 37)
            assert "37" in text and "{" not in text, (language, scope)
            if language != "de":
                assert text != client_limits.refusal_text(scope, "de", 37), (language, scope)
    assert "saniye" in client_limits.refusal_text("ticket", "tr", 5)
    assert "ثانية" in client_limits.refusal_text("conversation", "ar", 5)


def test_delivery_notice_in_five_languages():
    assert sorted(delivery_notice.TEXTS) == sorted(LANGUAGES)
    assert len(set(delivery_notice.TEXTS.values())) == len(LANGUAGES)


def test_mail_templates_in_five_languages_with_the_german_placeholders():
    for name, by_language in templates.TEMPLATES.items():
        assert sorted(by_language) == sorted(LANGUAGES), name
        german_subject, german_body = by_language["de"]
        for language, (subject, body) in by_language.items():
            assert _placeholders(subject) == _placeholders(german_subject), (name, language)
            assert _placeholders(body) == _placeholders(german_body), (name, language)
    subject, body = templates.render("ticket_confirmation", "uk", city="Musterstadt", reference="T-2026-000001",
                                     department="Bürgerservice", concern="Питання", name="Олена")
    assert "T-2026-000001" in subject and "Олена" in body.splitlines()[0] and "Питання" in body
    subject, body = templates.render("defect_status", "ar", reference="M-2026-000002", category="Straßenlaterne",
                                     location="Hauptstraße 1", status="قيد المعالجة", comment="", department="Bauhof",
                                     city="Musterstadt")
    assert subject.startswith("بلاغك M-2026-000002") and "{" not in body


def test_helpline_notes_in_five_languages():
    for lines in HELPLINES.values():
        for line in lines:
            assert sorted(line.note) == sorted(LANGUAGES), line.name
