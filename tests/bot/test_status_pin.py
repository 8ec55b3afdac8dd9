"""Status lookup with a second factor (issue 13, point 3), through the real Rasa server and the real app: a case is
shown only with its number and the PIN printed on the receipt (demo PINs: migration services_0002); a wrong PIN
and an unknown number get the same answer; after a few wrong combinations the conversation gets a person instead
of more lookups; "abbrechen" at the PIN step ends the form; nothing typed at the PIN step reaches the knowledge
search."""

from __future__ import annotations

import sqlite3
import uuid

import pytest

from tests.bot.servers import AppServer, Conversation, buttons, customs, texts

pytestmark = pytest.mark.slow

PINS = {"MS-2026-000123": "731904", "MS-2026-000124": "285617", "MS-2026-000125": "946120"}


def form_step(messages: list[dict]) -> dict:
    found = customs(messages, "form")
    assert len(found) == 1, messages
    return found[0]


def fresh(rasa_server) -> Conversation:
    return Conversation(rasa_server, f"pin-{uuid.uuid4().hex[:12]}")


def test_the_number_alone_shows_nothing_and_asks_for_the_pin(rasa_server) -> None:
    conversation = fresh(rasa_server)
    messages = conversation.send("Status von MS-2026-000123")
    step = form_step(messages)
    assert (step["form"], step["step"], step["result"]) == ("application_status", "case_pin", None)
    assert "PIN" in texts(messages) and "Wohngeld" not in str(messages) and "in Bearbeitung" not in texts(messages)
    assert "/cancel_form" in {b["payload"] for b in buttons(messages)}
    # an unknown number is asked for its PIN just the same: the number step does not tell which numbers exist
    other = fresh(rasa_server)
    assert form_step(other.send("Status von MS-2026-999999"))["step"] == "case_pin"


def test_the_right_pin_shows_the_status_and_leaves_the_tracker(rasa_server) -> None:
    conversation = fresh(rasa_server)
    assert form_step(conversation.send("Wie ist der Stand meines Antrags?"))["step"] == "case_number"
    assert form_step(conversation.send("ms 2026 000123"))["step"] == "case_pin"
    messages = conversation.send("731 904")
    done = form_step(messages)
    assert done["step"] == "done" and done["result"]["case_number"] == "MS-2026-000123"
    assert done["result"]["status"] == "in_progress" and "in Bearbeitung" in texts(messages)
    assert conversation.tracker()["slots"]["case_pin"] is None


def test_a_wrong_pin_and_an_unknown_number_get_the_same_answer(rasa_server) -> None:
    wrong_pin, unknown = fresh(rasa_server), fresh(rasa_server)
    wrong_pin.send("Status von MS-2026-000124")
    unknown.send("Status von MS-2026-999999")
    first = wrong_pin.send("123456")
    second = unknown.send(PINS["MS-2026-000124"])
    for messages in (first, second):
        step = form_step(messages)
        assert step["step"] == "case_number" and "keinen Antrag gefunden" in step["error"]
        assert "Personalausweis" not in str(messages) and "abholbereit" not in str(messages)
    assert texts(first).replace("MS-2026-000124", "N") == texts(second).replace("MS-2026-999999", "N")
    assert form_step(first)["error"].replace("MS-2026-000124", "N") == \
        form_step(second)["error"].replace("MS-2026-999999", "N")


def test_text_that_is_not_a_pin_is_asked_again_and_not_searched(rasa_server, app_server: AppServer) -> None:
    conversation = fresh(rasa_server)
    conversation.send("Status von MS-2026-000125")
    messages = conversation.send("Wo finde ich die PIN für meinen Personalausweis?")
    step = form_step(messages)
    assert step["step"] == "case_pin" and "sechs Ziffern" in step["error"]
    assert customs(messages, "knowledge") == []
    # not a wrong combination: nothing counted
    with sqlite3.connect(app_server.database_path) as db:
        assert db.execute("SELECT count(*) FROM status_lookup_failures WHERE conversation_id = ?",
                          (conversation.sender,)).fetchone()[0] == 0
    done = form_step(conversation.send(PINS["MS-2026-000125"]))
    assert done["result"]["status"] == "documents_missing"


def test_after_three_wrong_combinations_the_conversation_gets_a_person(rasa_server, app_server: AppServer) -> None:
    conversation = fresh(rasa_server)
    conversation.send("Status von MS-2026-000123")
    for attempt in ("000000", "111111"):
        assert "keinen Antrag gefunden" in form_step(conversation.send(attempt))["error"]
        conversation.send("MS-2026-000123")
    messages = conversation.send("222222")
    assert "nicht weiter nach" in texts(messages) and customs(messages, "form") == []
    assert {b["payload"] for b in buttons(messages)} == {"/affirm", "/deny"}
    with sqlite3.connect(app_server.database_path) as db:
        assert db.execute("SELECT failures FROM status_lookup_failures WHERE conversation_id = ?",
                          (conversation.sender,)).fetchone()[0] == 3
    # no more lookups in this conversation, also after "/restart": the number is answered with the offer at once
    for reset in (False, True):
        if reset:
            conversation.send("/restart")
        messages = conversation.send("Status von MS-2026-000123")
        assert "nicht weiter nach" in texts(messages) and customs(messages, "form") == []
        assert {b["payload"] for b in buttons(messages)} == {"/affirm", "/deny"}
    request = customs(conversation.send("Ja"), "handover")
    assert request and request[0]["reason"] == "form_needs_human"
    # another conversation is not affected
    other = fresh(rasa_server)
    other.send("Status von MS-2026-000123")
    assert form_step(other.send(PINS["MS-2026-000123"]))["result"]["status"] == "in_progress"


def test_a_person_asked_for_at_the_pin_step_is_told_nothing_about_the_case(rasa_server) -> None:
    """The handover names no department for a number whose PIN was not given: it would tell whose case it is."""
    conversation = fresh(rasa_server)
    conversation.send("Status von MS-2026-000125")
    conversation.send("000000")  # a wrong PIN first: its text stays out of the summary too
    conversation.send("MS-2026-000125")
    requests = customs(conversation.send("Ich möchte mit einem Menschen sprechen"), "handover")
    assert len(requests) == 1 and requests[0]["department"] != "bauen"
    assert "000000" not in requests[0]["summary"] and "[PIN]" in requests[0]["summary"]


def test_cancel_at_the_pin_step(rasa_server) -> None:
    for cancel in ("abbrechen", "/cancel_form"):
        conversation = fresh(rasa_server)
        assert form_step(conversation.send("Status von MS-2026-000123"))["step"] == "case_pin"
        messages = conversation.send(cancel)
        assert "Statusabfrage abgebrochen" in texts(messages) and customs(messages, "form") == []
        slots = conversation.tracker()["slots"]
        assert slots["case_number"] is None and slots["case_pin"] is None and slots["requested_slot"] is None
        # the next message is a new concern, not a PIN
        assert customs(conversation.send("Wie beantrage ich einen Reisepass?"), "knowledge")


def test_english_pin_step(english_conversation: Conversation) -> None:
    messages = english_conversation.send("status of case MS-2026-000126")
    assert form_step(messages)["step"] == "case_pin" and "six-digit PIN" in texts(messages)
    messages = english_conversation.send("530842")
    assert form_step(messages)["result"]["status"] == "approved" and "completed" in texts(messages)
