"""The citizen's choice of language against the bot's detection (issue 14), when the app sends the conversation's
language with each message (`"language_of": "conversation"`, handover/domain/rasa_client.py): the widget follows the
bot, so a language that differs from the bot's own is the citizen's choice — also back to German."""

from __future__ import annotations

from bot.actions.language_detection import follow_language


def test_choosing_german_again_after_the_bot_switched_to_arabic():
    assert follow_language([("السلام عليكم", "de", True), ("Guten Tag", "de", True)], "de") == "de"
    # a widget that does not follow (constant metadata) cannot tell that choice: the detection keeps Arabic
    assert follow_language([("السلام عليكم", "de"), ("Guten Tag", "de")], "de") == "ar"


def test_short_messages_keep_the_followed_language():
    messages = [("Merhaba", "de", True), ("ok", "tr", True), ("?", "tr", True), ("ja", "tr", True)]
    assert follow_language(messages, "de") == "tr"
    assert follow_language([("Добрий день", "de", True), ("ok", "uk", True), ("ja", "uk", True)], "de") == "uk"


def test_a_sentence_in_another_language_still_switches():
    messages = [("Merhaba", "de", True), ("Where can I register my new address?", "tr", True)]
    assert follow_language(messages, "de") == "en"
