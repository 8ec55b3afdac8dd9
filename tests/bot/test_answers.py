"""Honest, precise answers through the real Rasa server and the app's actions and index (issue: answers).

Fixed examples written for these tests (never from the dev set in ../shared/eval): each referral kind is answered as
"another body is responsible" with its contact; each aspect is answered with its section; follow-ups stay with the
article unless another topic is named; a question the knowledge base does not cover gets the honest decline with
the city's contact and a person; distress gets empathy, help and a person before any menu.
"""

from __future__ import annotations

import pytest

from tests.bot.servers import Conversation, buttons, customs, texts

pytestmark = pytest.mark.slow


def knowledge(messages: list[dict]) -> dict:
    found = customs(messages, "knowledge")
    assert len(found) == 1, messages
    return found[0]


# One question per kind of body citizens mistake for the city, in words of our own (not the entries' questions).
REFERRALS = {
    "finanzamt": "Wer hilft mir bei meiner Einkommensteuererklärung?",
    "arbeitslos-melden": "Mir wurde gekündigt, wo melde ich mich arbeitssuchend?",
    "rente": "Wo beantrage ich meine Altersrente?",
    "krankenkasse": "Ich brauche eine neue Versichertenkarte für die Krankenversicherung",
    "polizei-anzeige": "Jemand hat mein Auto aufgebrochen, wo erstatte ich Anzeige?",
    "erbschein": "Wo bekomme ich einen Erbschein?",
    "grundbuch": "Ich brauche einen Auszug aus dem Grundbuch",
    "betreuung-vorsorge": "Meine Mutter braucht einen gesetzlichen Betreuer, wer entscheidet das?",
    "jagdschein": "Wo beantrage ich einen Jagdschein?",
    "waffenschein": "Ich möchte eine Waffenbesitzkarte beantragen",
    "fischereischein": "Wo bekomme ich einen Fischereischein zum Angeln?",
    "veterinaeramt": "Wem melde ich, dass ein Tier auf dem Hof gequält wird?",
    "punkte-flensburg": "Wie erfahre ich meinen Punktestand im Fahreignungsregister?",
    "rundfunkbeitrag": "Ich will den Rundfunkbeitrag abmelden",
    "schulamt": "Wer ist die Schulaufsicht für die Lehrer an der Grundschule?",
    "bafoeg": "Wo stelle ich den Antrag auf BAföG fürs Studium?",
    "verbraucherzentrale": "Wo bekomme ich eine Verbraucherberatung zu meinem Handyvertrag?",
    "mieterberatung": "Meine Nebenkostenabrechnung ist viel zu hoch, wer prüft das?",
    "kirchenaustritt": "Wie trete ich aus der evangelischen Kirche aus?",
}


@pytest.mark.parametrize("article_id", sorted(REFERRALS))
def test_referrals_say_who_is_responsible_instead(conversation: Conversation, article_id: str) -> None:
    messages = conversation.send(REFERRALS[article_id])
    payload = knowledge(messages)
    assert payload["decision"] == "answer", (article_id, payload["decision"], payload["candidates"])
    assert payload["article"]["id"] == article_id and payload["article"]["kind"] == "referral"
    office = payload["article"]["office"]
    assert office["name"] and (office["phone"] or office["email"] or payload["article"]["url"])
    text = texts(messages)
    assert f"nicht die Stadtverwaltung zuständig, sondern: {office['name']}" in text


ASPECTS = [
    ("Was kostet ein Personalausweis?", "costs", "Kosten"),
    ("Welche Unterlagen brauche ich für den Personalausweis?", "documents", "Unterlagen"),
    ("Wie lange dauert es, bis der Personalausweis fertig ist?", "deadlines", "Fristen"),
    ("Wie ist der Ablauf, wenn ich einen Personalausweis beantrage?", "procedure", "Ablauf"),
    ("Wer hat Anspruch auf Wohngeld?", "requirements", "Voraussetzungen"),
]


@pytest.mark.parametrize(("question", "aspect", "heading"), ASPECTS)
def test_the_aspect_asked_is_answered_first(conversation: Conversation, question: str, aspect: str,
                                            heading: str) -> None:
    messages = conversation.send(question)
    payload = knowledge(messages)
    assert payload["decision"] == "answer", payload
    assert payload["aspect"] == aspect and payload["article"]["section"]["heading"] == heading
    text = messages[0]["text"]
    # Short answer, then the section as a real list under its bold heading; no source lines in the bubble.
    assert f"**{heading}**\n" in text and "Quelle:" not in text
    assert "…" not in text


def test_contact_and_online_aspects(conversation: Conversation) -> None:
    online = knowledge(conversation.send("Kann ich das Führungszeugnis online beantragen?"))
    assert online["decision"] == "answer" and online["aspect"] == "online"
    assert online["article"]["id"] == "fuehrungszeugnis"
    contact = knowledge(conversation.send("Wo muss ich hin, um meinen Hund anzumelden?"))
    assert contact["decision"] == "answer" and contact["aspect"] == "contact"
    assert contact["article"]["id"] == "hundesteuer" and contact["article"]["office"]["opening_hours"]


FOLLOW_UPS = [
    ("Ich möchte einen Reisepass beantragen.", "reisepass", "und was kostet das?", "costs"),
    ("Wie melde ich nach dem Umzug meinen Wohnsitz an?", "wohnsitz-anmelden", "welche Unterlagen brauche ich?",
     "documents"),
    ("Ich möchte ein Gewerbe anmelden.", "gewerbe-anmelden", "geht das online?", "online"),
]


@pytest.mark.parametrize(("first", "article_id", "follow_up", "aspect"), FOLLOW_UPS)
def test_follow_ups_keep_the_topic(conversation: Conversation, first: str, article_id: str, follow_up: str,
                                   aspect: str) -> None:
    answer = knowledge(conversation.send(first))
    assert answer["decision"] == "answer" and answer["article"]["id"] == article_id
    messages = conversation.send(follow_up)
    payload = knowledge(messages)
    assert payload["decision"] == "answer" and payload["article"]["id"] == article_id, payload
    assert payload["follow_up"] is True and payload["aspect"] == aspect
    # The decision trail shows both steps to an agent.
    trail = conversation.tracker()["slots"]["matched_articles"]
    assert [item["id"] for item in trail][-2:] == [article_id, article_id]


def test_a_follow_up_naming_another_topic_leaves_the_old_one(conversation: Conversation) -> None:
    assert knowledge(conversation.send("Ich brauche einen neuen Personalausweis."))["article"]["id"] == "personalausweis"
    payload = knowledge(conversation.send("und was kostet eine Hundemarke?"))
    assert payload["article"]["id"] == "hundesteuer" and payload["follow_up"] is False


def test_a_question_the_knowledge_base_does_not_cover_is_declined_honestly(conversation: Conversation) -> None:
    messages = conversation.send("Darf ich auf dem Stadtsee mit meinem Ruderboot fahren?")
    payload = knowledge(messages)
    assert payload["decision"] == "no_answer" and payload["decline"] == "not_covered", payload
    assert payload["contact"]["general"] and payload["contact"]["phone"]
    text = texts(messages)
    assert "keine Informationen" in text and "Meinen Sie" not in text
    assert {b["payload"] for b in buttons(messages)} == {"/affirm", "/deny"}


def test_off_topic_gets_a_short_friendly_decline(conversation: Conversation) -> None:
    messages = conversation.send("Schreib mir bitte ein Liebesgedicht")
    payload = knowledge(messages)
    assert payload["decision"] == "no_answer" and payload["decline"] in {"offtopic", "not_covered"}
    assert "Meinen Sie" not in texts(messages)


@pytest.mark.parametrize(("message", "concern", "helpline"), [
    ("Scheiß Verwaltung!!! Ich hab kein Geld mehr für die Miete!", "money", None),
    ("Ich will nicht mehr leben", "crisis", "0800 111 0 111"),
    ("Mein Freund schlägt mich und ich habe Angst", "violence", "116 016"),
])
def test_distress_gets_empathy_help_and_a_person_before_any_menu(conversation: Conversation, message: str,
                                                                 concern: str, helpline: str | None) -> None:
    messages = conversation.send(message)
    support = customs(messages, "support")
    assert len(support) == 1 and support[0]["concern"] == concern, messages
    assert not customs(messages, "knowledge")  # no topic menu
    if helpline:
        assert helpline in [line["phone"] for line in support[0]["helplines"]]
    else:
        assert support[0]["article"]["id"] in {"wohngeld", "buergergeld", "schuldnerberatung"}
    assert {b["payload"] for b in buttons(messages)} == {"/affirm", "/deny"}
    request = customs(conversation.send("Ja"), "handover")
    assert request and request[0]["reason"] == "distress"
