"""Every citizen in their language, through the real Rasa server and the app's actions and index (issue 14).

Questions of our own (never from ../shared/eval). The widget stays German (the metadata language "de"): the
conversation follows the language the citizen writes in, keeps it for "ok", and says so in the handover.
"""

from __future__ import annotations

import uuid

import pytest

from bot.actions.texts import say
from knowledge.articles import scan_folder
from tests.bot.servers import ROOT, Conversation, RasaServer, customs, texts

pytestmark = pytest.mark.slow

CONVERSATIONS = {
    "tr": {
        "greeting": "Merhaba",
        "greeted": "Musterstadt belediyesinin dijital asistanıyım",
        "question": "Yeni bir kimlik kartı çıkarmak istiyorum, nereye başvurmalıyım?",
        "person": "Bir insanla konuşmak istiyorum",
    },
    "uk": {
        "greeting": "Добрий день",
        "greeted": "Я цифровий помічник міста Musterstadt",
        "question": "Як оформити новий закордонний паспорт для поїздки?",
        "person": "Я хочу поговорити з людиною",
    },
    "ar": {
        "greeting": "السلام عليكم",
        "greeted": "أنا المساعد الرقمي لمدينة موسترشتات",
        "question": "أريد تمديد تصريح إقامتي قبل أن ينتهي",
        "person": "أريد التحدث مع موظف",
    },
}


@pytest.fixture(scope="module")
def articles():
    return scan_folder(ROOT / "knowledge" / "articles").articles


@pytest.mark.parametrize("language", sorted(CONVERSATIONS))
def test_a_conversation_in_the_citizens_language(rasa_server: RasaServer, articles, language: str) -> None:
    lines = CONVERSATIONS[language]
    conversation = Conversation(rasa_server, f"test-{language}-{uuid.uuid4().hex[:10]}", language="de")

    assert lines["greeted"] in texts(conversation.send(lines["greeting"]))

    messages = conversation.send(lines["question"])
    [payload] = customs(messages, "knowledge")
    assert payload["decision"] == "answer", payload
    article = articles[payload["article"]["id"]]
    answer = texts(messages)
    translation = article.translation(language)
    if translation is not None:
        # The editors' translation: in the text and on the card.
        assert payload["article"]["title"] == translation.title
        assert answer.startswith(" ".join(translation.summary.split()).split(" ")[0])
    else:
        assert say("german_only", language) in answer
    assert say("did_it_help", language) in answer

    # "ok" says nothing about the language: the conversation keeps it.
    conversation.send("ok")
    assert conversation.tracker()["slots"]["language"] == language

    [handover] = customs(conversation.send(lines["person"]), "handover")
    assert handover["language"] == language


def test_leichte_sprache_on_request(conversation: Conversation, articles) -> None:
    on = texts(conversation.send("Bitte in Leichter Sprache"))
    assert say("leichte_sprache_on", "de") in on
    messages = conversation.send("Wie lange habe ich nach dem Einzug Zeit, mich anzumelden?")
    [payload] = customs(messages, "knowledge")
    assert payload["decision"] == "answer" and payload["article"]["id"] == "wohnsitz-anmelden", payload
    assert articles["wohnsitz-anmelden"].leichte_sprache.strip() in texts(messages)
