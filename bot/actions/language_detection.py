"""Which language a citizen wrote in: de, en, tr, uk or ar, or None when the message does not tell.

py3langid ships its model in the wheel (nothing is downloaded at run time) and is restricted to the five languages
the bot speaks. Its n-gram model is unreliable on a word or two ("Hallo" scores as English), so:
- the script decides first: Arabic letters are Arabic, Cyrillic letters Ukrainian (the bot's only Cyrillic
  language; a Russian question is better answered in Ukrainian than in German);
- case numbers, reference numbers, digits and punctuation are removed before detection; what is left must be a
  real sentence (or a word only one language uses, like "merhaba") to change the language;
- the conversation's current language is the prior: another language must win clearly to take over.
Short or ambiguous messages ("ok", "ja", "?", "12", "MS-2026-000123") therefore keep the conversation's language.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from py3langid.langid import LanguageIdentifier

LANGUAGES = ("de", "en", "tr", "uk", "ar")
# How much more likely the conversation's language is than any other before the text is read.
PRIOR_WEIGHT = 4.0
# Posterior probability another language needs to take over the conversation.
SWITCH_PROBABILITY = 0.9
# A Latin-script message changes the language on the model's word only when it is a sentence: at least three words
# and ten letters, or a long compound (after removing numbers). "Wohngeld Antrag" from a Turkish citizen is a
# German keyword, not a wish to continue in German.
MIN_WORDS = 3
MIN_LETTERS = 10
LONG_LETTERS = 20

# Case numbers (MS-2026-000123), defect references, e-mail addresses, web addresses: not words of a language.
_NOT_LANGUAGE = re.compile(r"\b[A-Za-z]{1,4}-\d[\d-]*\b|\S+@\S+|https?://\S+|\d+")
_WORD = re.compile(r"[^\W\d_]+")
# Words that only one of the five languages uses, short enough for the model to misjudge: a greeting or a thanks
# is often the first thing a citizen writes.
_MARKER_WORDS: dict[str, str] = {
    "merhaba": "tr", "selam": "tr", "teşekkürler": "tr", "teşekkür": "tr", "sağol": "tr", "sağolun": "tr",
    "evet": "tr", "hayır": "tr", "lütfen": "tr", "günaydın": "tr", "iyi": "tr",
    "hello": "en", "hi": "en", "thanks": "en", "thank": "en", "yes": "en", "please": "en", "goodbye": "en",
    "hallo": "de", "danke": "de", "moin": "de", "servus": "de", "tschüss": "de", "bitte": "de", "nein": "de",
}


@lru_cache(maxsize=1)
def _identifier() -> "LanguageIdentifier":
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(LANGUAGES))
    return identifier


def warm_up() -> None:
    """Loads the model (about half a second) so the first citizen message does not wait for it."""
    _identifier()


def script_language(letters: str) -> str | None:
    """Arabic or Cyrillic when most letters are of that script."""
    arabic = sum(1 for char in letters if "ARABIC" in unicodedata.name(char, ""))
    cyrillic = sum(1 for char in letters if "CYRILLIC" in unicodedata.name(char, ""))
    if arabic * 2 > len(letters):
        return "ar"
    if cyrillic * 2 > len(letters):
        return "uk"
    return None


# Every action works out the conversation's language from all of the session's messages (so they all agree), which
# reads each message again on every call: the answer for a message is kept instead.
@lru_cache(maxsize=4096)
def detect_language(text: str, current: str = "de") -> str | None:
    """The language `text` is written in, or None when it does not tell (the conversation keeps `current`).

    `current` is the conversation's language so far (at the start: the widget's language) and acts as the prior.
    """
    if current not in LANGUAGES:
        current = "de"
    cleaned = _NOT_LANGUAGE.sub(" ", text or "")
    words = _WORD.findall(cleaned)
    letters = "".join(words)
    if not letters:
        return None
    by_script = script_language(letters)
    if by_script is not None:
        return by_script
    lowered = [word.casefold() for word in words]
    # Turkish letters that German and English never use decide on their own.
    if any(char in "şğı" for char in letters.casefold()) and len(letters) >= 4:
        return "tr"
    if not (len(words) >= MIN_WORDS and len(letters) >= MIN_LETTERS) and len(letters) < LONG_LETTERS:
        markers = {_MARKER_WORDS[word] for word in lowered if word in _MARKER_WORDS}
        return markers.pop() if len(markers) == 1 else None
    scores = dict(_identifier().rank(cleaned))
    weighted = {language: scores.get(language, 0.0) * (PRIOR_WEIGHT if language == current else 1.0)
                for language in LANGUAGES}
    total = sum(weighted.values()) or 1.0
    best = max(weighted, key=weighted.__getitem__)
    if best == current:
        return current
    return best if weighted[best] / total >= SWITCH_PROBABILITY else None


def follow_language(texts_with_prior: list[tuple[str, str | None] | tuple[str, str | None, bool]],
                    start: str = "de") -> str:
    """The conversation's language after these messages.

    Each item is a citizen message and the widget's language sent with it. A change of the widget's language (the
    citizen pressed the language button) is a choice and wins; otherwise each message that tells its language
    sets it, and one that does not keeps the language so far.

    An optional third item, True, says the language sent is the conversation's as the app keeps it: the bot's
    own decision on the turns before, which the widget follows (handover/domain/conversations/languages.py), or the
    citizen's choice since. Then any difference from the language so far is the citizen's choice — also back to
    the language the widget started with, which a widget that never follows could not tell.
    """
    language = start if start in LANGUAGES else "de"
    widget = language
    for text, chosen, *mirrors in texts_with_prior:
        if chosen in LANGUAGES and chosen != widget:
            widget = language = chosen
        detected = detect_language(text, language)
        if detected is not None:
            language = detected
        if mirrors and mirrors[0]:
            widget = language
    return language
