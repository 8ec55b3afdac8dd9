"""Forms citizens can leave and interrupt, through the real Rasa and the real app (issue 13): cancel at every step
of both forms (button and words) stores nothing; a question in between is answered from the knowledge index and
the form goes on; the category is taken from the first message; the place is checked against the street
directory ("hier" is asked again, shared coordinates only inside the city); an e-mail address is kept for status
updates; a defect report's status by its reference number."""

from __future__ import annotations

import sqlite3
import uuid

import pytest

from tests.bot.servers import AppServer, Conversation, buttons, customs, texts

pytestmark = pytest.mark.slow


def form_step(messages: list[dict]) -> dict:
    found = customs(messages, "form")
    assert len(found) == 1, messages
    return found[0]


def report_count(app_server: AppServer, conversation: Conversation) -> int:
    with sqlite3.connect(app_server.database_path) as db:
        return db.execute("SELECT count(*) FROM defect_reports WHERE conversation_id = ?",
                          (conversation.sender,)).fetchone()[0]


STEPS = [("defect_category", None), ("defect_location", "Straßenbeleuchtung"),
         ("defect_description", "Lindenallee 7"), ("defect_photo", "Die Lampe brennt seit einer Woche nicht mehr"),
         ("defect_contact", "nein")]


@pytest.mark.parametrize("step_index", range(len(STEPS)))
def test_cancel_at_every_step_of_the_defect_report_stores_nothing(
    rasa_server, app_server: AppServer, step_index: int
) -> None:
    conversation = Conversation(rasa_server, f"cancel-{uuid.uuid4().hex[:10]}")
    step = form_step(conversation.send("Ich möchte einen Mangel melden"))
    assert step["step"] == "defect_category"
    for name, answer in STEPS[1: step_index + 1]:
        step = form_step(conversation.send(answer))
        assert step["step"] == name, step
    cancel = "/cancel_form" if step_index % 2 == 0 else "abbrechen"  # the button and the word
    messages = conversation.send(cancel)
    assert "nichts gespeichert" in texts(messages) and not customs(messages, "form")
    assert report_count(app_server, conversation) == 0
    # the form is gone: the next message is an ordinary question again, and "abbrechen" has nothing to cancel
    assert "nichts offen" in texts(conversation.send("abbrechen"))
    assert conversation.tracker()["slots"]["defect_location"] is None


def test_every_step_offers_the_cancel_button(conversation: Conversation) -> None:
    messages = conversation.send("Ich möchte einen Mangel melden")
    assert "/cancel_form" in {b["payload"] for b in buttons(messages)}
    messages = conversation.send("Straßenbeleuchtung")
    assert form_step(messages)["step"] == "defect_location" and "/cancel_form" in {b["payload"] for b in buttons(messages)}


def test_a_question_in_the_middle_is_answered_and_not_stored(conversation: Conversation,
                                                             app_server: AppServer) -> None:
    step = form_step(conversation.send("Die Straßenlaterne vor meinem Haus ist kaputt"))
    assert step["step"] == "defect_location"  # the category came with the first message
    messages = conversation.send("Ich will doch nichts melden. Wann hat das Bürgerbüro geöffnet?")
    if customs(messages, "knowledge"):  # read as a question: answered, then asked whether to go on
        step = form_step(messages)
        assert step["step"] == "defect_location" and "weitermachen" in texts(messages)
        messages = conversation.send("abbrechen")
    assert "nichts gespeichert" in texts(messages)
    assert report_count(app_server, conversation) == 0


def test_question_then_the_form_goes_on_to_the_end(conversation: Conversation, app_server: AppServer) -> None:
    assert form_step(conversation.send("Auf dem Spielplatz ist die Schaukel kaputt"))["step"] == "defect_location"
    assert form_step(conversation.send("hier"))["error"]  # "hier" is no place
    step = form_step(conversation.send("Musterweg 3"))
    assert step["step"] == "defect_location" and "Straßenverzeichnis" in step["error"]
    step = form_step(conversation.send("Lindenalle 5"))
    assert "Lindenallee" in step["error"]  # the near miss gets a suggestion
    assert form_step(conversation.send("Spielplatz im Lindenpark"))["step"] == "defect_description"
    messages = conversation.send("Was kostet ein Personalausweis?")
    assert customs(messages, "knowledge") and form_step(messages)["step"] == "defect_description"
    assert form_step(conversation.send("Die Kette der Schaukel ist gerissen, Kinder können sich verletzen"))[
        "step"] == "defect_photo"
    step = form_step(conversation.send("ein Foto"))  # only an upload or "ohne Foto" answers the photo step
    assert step["step"] == "defect_photo" and "Foto" in step["error"]
    assert form_step(conversation.send("Ohne Foto weiter"))["step"] == "defect_contact"
    address = f"eltern-{uuid.uuid4().hex[:6]}@example.de"
    messages = conversation.send(address)
    done = form_step(messages)
    assert done["step"] == "done" and done["result"]["category"] == "spielplatz"
    assert "E-Mail" in texts(messages)  # updates promised
    with sqlite3.connect(app_server.database_path) as db:
        row = db.execute("SELECT location, email, department, status FROM defect_reports WHERE reference = ?",
                         (done["result"]["reference"],)).fetchone()
    assert row == ("Spielplatz im Lindenpark", address, "umwelt", "received")


def test_shared_coordinates_only_inside_the_city(conversation: Conversation, app_server: AppServer) -> None:
    assert form_step(conversation.send("Laterne defekt"))["step"] == "defect_location"
    step = form_step(conversation.send('/inform{"latitude": "48.1371", "longitude": "11.5754"}'))
    assert step["step"] == "defect_location" and "nicht in" in step["error"]
    assert form_step(conversation.send('/inform{"latitude": "52.5201", "longitude": "13.4049"}'))[
        "step"] == "defect_description"
    conversation.send("Die Laterne ist seit Tagen dunkel")
    assert form_step(conversation.send("nein"))["step"] == "defect_contact"  # no photo
    done = form_step(conversation.send("nein"))
    with sqlite3.connect(app_server.database_path) as db:
        row = db.execute("SELECT latitude, longitude FROM defect_reports WHERE reference = ?",
                         (done["result"]["reference"],)).fetchone()
    assert row == (52.5201, 13.4049)


def test_cancel_the_status_query_and_a_report_status_by_reference(conversation: Conversation) -> None:
    messages = conversation.send("Wie ist der Stand meines Antrags?")
    assert form_step(messages)["step"] == "case_number" and "/cancel_form" in {b["payload"] for b in buttons(messages)}
    assert "Statusabfrage abgebrochen" in texts(conversation.send("abbrechen"))

    assert form_step(conversation.send("Laterne defekt"))["step"] == "defect_location"
    conversation.send("Hauptstraße 12")
    conversation.send("Die Laterne flackert die ganze Nacht")
    conversation.send("nein")  # no photo
    reference = form_step(conversation.send("nein"))["result"]["reference"]
    messages = conversation.send(f"Wie ist der Stand meiner Meldung {reference}?")
    status = form_step(messages)
    assert status["result"]["reference"] == reference and status["result"]["status"] == "received"
    assert reference in texts(messages) and "neu" in texts(messages)
