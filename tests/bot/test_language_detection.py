"""Language detection on citizen messages (bot/actions/language_detection.py) with the real py3langid model."""

from __future__ import annotations

import pytest
from rasa_sdk import Tracker

from bot.actions.conversation import conversation_language, language_events
from bot.actions.language_detection import detect_language, follow_language


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Geçen ay bu şehre taşındık, ikametimi nerede bildiririm?", "tr"),
        ("Kimlik kartımı kaybettim, ne yapmalıyım?", "tr"),
        ("Чи можете ви відповісти українською?", "uk"),
        ("Де я можу подати заяву на житлову допомогу?", "uk"),
        ("كيف أسجل عنواني الجديد في المدينة؟", "ar"),
        ("How do I register my new address?", "en"),
        ("Wie beantrage ich einen neuen Personalausweis?", "de"),
        ("Merhaba", "tr"),
        ("Hello", "en"),
        ("مرحبا", "ar"),
        ("Дякую", "uk"),
    ],
)
def test_a_message_that_tells_its_language_sets_it(text: str, expected: str) -> None:
    for current in ("de", "en", "tr", "uk", "ar"):
        assert detect_language(text, current) == expected, current


@pytest.mark.parametrize("text", ["ok", "ja", "?", "12", "MS-2026-000123", "Ok!", "  ", "Personalausweis",
                                  "Wohngeld Antrag", "anmelden@example.org"])
def test_short_or_ambiguous_messages_say_nothing(text: str) -> None:
    for current in ("de", "en", "tr", "uk", "ar"):
        assert detect_language(text, current) is None


def test_the_conversation_keeps_its_language_for_ok_ja_and_a_question_mark() -> None:
    messages = [("Merhaba, nüfus kaydı için ne gerekiyor?", "de"), ("ok", "de"), ("ja", "de"), ("?", "de"),
                ("MS-2026-000123", "de")]
    assert follow_language(messages, "de") == "tr"
    assert follow_language([("Як отримати паспорт?", "de"), ("ok", "de")], "de") == "uk"


def test_the_widget_language_is_the_prior_and_a_button_press_wins() -> None:
    assert follow_language([("ok", "en")], "en") == "en"
    assert follow_language([("ja", "ar")], "ar") == "ar"
    # The citizen pressed the widget's language button: the next message's metadata changes.
    assert follow_language([("Merhaba, bir sorum var", "de"), ("ok", "en")], "de") == "en"
    # The widget stays German while the citizen writes Turkish: the citizen's language wins.
    assert follow_language([("Bir insanla konuşmak istiyorum", "de")], "de") == "tr"
    # and a German sentence later brings the conversation back to German.
    assert follow_language([("Merhaba", "de"), ("Ich möchte doch lieber auf Deutsch schreiben", "de")]) == "de"


def _tracker(messages: list[tuple[str, str]], widget: str = "de", slot: str = "de") -> Tracker:
    events = [{"event": "user", "text": text, "metadata": {"language": language}} for text, language in messages]
    return Tracker.from_dict({
        "sender_id": "t", "events": events, "latest_message": {"text": messages[-1][0] if messages else ""},
        "slots": {"language": slot, "session_started_metadata": {"language": widget}},
    })


def test_actions_read_the_language_from_the_messages_and_set_the_slot() -> None:
    tracker = _tracker([("Merhaba", "de"), ("/affirm", "de"), ("ok", "de")])
    assert conversation_language(tracker) == "tr"
    assert [event["value"] for event in language_events(tracker)] == ["tr"]
    assert language_events(_tracker([("ok", "de")], slot="de")) == []
    assert conversation_language(_tracker([("Hi", "en")], widget="en")) == "en"
