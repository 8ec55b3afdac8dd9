"""Personal data out of free text: the one redaction used before anything a citizen wrote is kept for
statistics (the analytics tables, handover/domain/insights/) and for every log line (handover/shell/log_format.py).

What is replaced, each by a bracketed placeholder so the sentence stays readable for an editor:

- e-mail addresses                                          → [E-MAIL]
- IBANs (DE89 3704 0044 0532 0130 00, also lower case)      → [IBAN]
- case and report numbers (MS-2026-000123, 123/4567/89)     → [AKTENZEICHEN]
- phone numbers (0621 123 4567, +49 171 2345678, 030/1234567) → [TELEFON]
- street addresses with a house number (Hauptstraße 12a, Am Markt 5, Berliner Str. 7)  → [ADRESSE]
- names after "ich heiße", "mein Name ist", "my name is" and in a closing greeting ("Viele Grüße, Anna Schmidt")
                                                            → [NAME]

A citizen's message answering a secret form step — the PIN of the application status lookup, asked with the form
payload step `case_pin` — is replaced as a whole by [PIN] wherever it is kept: the transcript agents and the
citizen see (handover/domain/conversations/citizen_turns.py; Rasa still gets the real text) and the statistics
(handover/domain/insights/recording.py). The message is not a pattern that can be recognised (six digits look like
any number), so the question it answers decides: `redact_answer`.

Patterns rather than a language model: the same text always gives the same result, it runs in microseconds on a
log line, and a missed pattern is a test case away. Order matters: the IBAN and the case number go before the
phone number, whose digit runs they contain. Dates (2026-11-22, 22.11.2026), times, amounts and postal codes on
their own stay, because the statistics need them and they identify nobody.
"""

from __future__ import annotations

import re

EMAIL = "[E-MAIL]"
IBAN = "[IBAN]"
CASE_NUMBER = "[AKTENZEICHEN]"
PHONE = "[TELEFON]"
ADDRESS = "[ADRESSE]"
NAME = "[NAME]"
PIN = "[PIN]"

# Form steps (bot/actions/payloads.py FormPayload.step) whose answer is a secret.
SECRET_FORM_STEPS = frozenset({"case_pin"})

_UPPER = "A-ZÄÖÜ"
_WORD = r"[\wÄÖÜäöüß'’-]"

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Country code, check digits, then 11-30 letters/digits in groups of four (spaces optional).
_IBAN = re.compile(r"\b[A-Za-z]{2}\d{2}(?:[ ]?[A-Za-z0-9]{4}){2,7}(?:[ ]?[A-Za-z0-9]{1,3})?\b")
_CASE_NUMBER = re.compile(r"\b(?:[A-Za-z]{1,4}-\d{4}-\d{3,}|\d{2,4}/\d{3,}/\d{2,})\b")
# Digits and separators, starting with a digit, + or 00, with at least seven digits; an ISO date and a pair of
# years (Schuljahr 2025/2026) are not numbers.
_PHONE = re.compile(
    r"(?<![\w/])(?!\d{4}-\d{2}-\d{2}\b)(?!(?:19|20)\d\d\s?[/ -]\s?(?:19|20)?\d\d\b)"
    r"(?:\+|00|\()?\d[\d ()/-]{6,}\d(?![\w/])"
)

_STREET_SUFFIX = (
    r"(?i:straße|strasse|str\.|weg|platz|allee|gasse|ring|damm|ufer|chaussee|pfad|steig|markt|wall|graben|"
    r"anger|kamp|zeile|promenade|hof|berg|tor|brücke|steg)"
)
_STREET_WORD = r"(?i:straße|strasse|str\.|weg|platz|allee|gasse|ring|damm|ufer|chaussee|promenade)"
_HOUSE_NUMBER = r"\d{1,4}(?:\s?[a-zA-Z](?![\wäöüß]))?(?:\s?[-–/]\s?\d{1,4}[a-zA-Z]?)?"
_POSTCODE_CITY = rf"(?:,?\s+\d{{5}}\s+[{_UPPER}][\wäöüß-]+)?"
_ADDRESSES = [
    # Berliner Straße 12, Alte Gasse 3-5 (optionally ", 12345 Musterstadt")
    re.compile(rf"\b[{_UPPER}][a-zäöüß]+\s+{_STREET_WORD}\s*{_HOUSE_NUMBER}(?![\w]){_POSTCODE_CITY}"),
    # Hauptstraße 12, Goethestr. 7a, lindenweg 3 (typed in lower case, too)
    re.compile(rf"\b[A-Za-zÄÖÜäöüß][\wäöüß-]{{2,}}{_STREET_SUFFIX}\s*{_HOUSE_NUMBER}(?![\w]){_POSTCODE_CITY}"),
    # Am Markt 5, An der Kirche 3, Zum Hafen 2, Auf dem Berg 1
    re.compile(
        rf"\b(?:Am|An\s+der|An\s+den|Auf\s+dem|Auf\s+der|Im|In\s+der|In\s+den|Zum|Zur|Unter\s+den|Hinter\s+der|"
        rf"Vor\s+dem)\s+[{_UPPER}][\wäöüß-]+\s+{_HOUSE_NUMBER}(?![\w]){_POSTCODE_CITY}"
    ),
]

# Words after "ich heiße" that are not the name (the name ends there): "ich heiße Anna und wohne …".
_NOT_A_NAME = {
    "und", "aber", "oder", "ich", "bin", "wohne", "habe", "hab", "möchte", "moechte", "will", "wollte", "brauche",
    "komme", "frage", "suche", "bitte", "danke", "mein", "meine", "meinen", "mit", "aus", "in", "im", "bei", "seit",
    "wie", "was", "wo", "wann", "warum", "hallo", "hi", "guten", "and", "i", "am", "need", "want", "from", "live",
    "would", "like", "please", "the", "a", "is", "wegen", "weil", "da", "so", "also", "nicht", "kein", "keine",
}
_TITLES = {"frau", "herr", "dr.", "dr", "prof.", "prof", "mrs", "mrs.", "mr", "mr.", "ms", "ms."}
_NAME_INTRO = re.compile(
    r"\b(?:(?:ich\s+hei(?:ß|ss)e|mein\s+name\s+(?:ist|lautet)|my\s+name\s+is|i\s+am\s+called)[\s:,]+"
    r"|ich\s+bin\s+(?=(?:frau|herr)\b))",
    re.IGNORECASE,
)
_GREETING = re.compile(
    r"\b(?i:mit\s+freundlichen\s+grüßen|freundliche\s+grüße|viele\s+grüße|beste\s+grüße|liebe\s+grüße|"
    r"mfg|lg|gruß|best\s+regards|kind\s+regards|regards)[\s,.:]+"
    rf"((?:(?:Frau|Herr|Dr\.|Prof\.)\s+)*[{_UPPER}]{_WORD}+(?:\s+[{_UPPER}]{_WORD}+)?)"
)
_TOKEN = re.compile(rf"\s*({_WORD}+\.?)")


def _name_after(text: str, start: int) -> tuple[int, int] | None:
    """Span of the name that starts at `start`: up to three words, titles skipped, ending at punctuation or at a
    word that cannot be part of a name."""
    position, name_start, name_end, words = start, None, None, 0
    while words < 3:
        match = _TOKEN.match(text, position)
        if match is None:
            break
        word = match.group(1)
        bare = word.rstrip(".")
        if word.casefold() in _TITLES and name_start is None:
            position = match.end()
            continue
        if bare.casefold() in _NOT_A_NAME or any(ch.isdigit() for ch in bare) or not bare:
            break
        if name_start is None:
            name_start = match.start(1)
        name_end = match.start(1) + len(bare)
        position = match.end()
        words += 1
        if word.endswith(".") and bare.casefold() not in {"dr", "prof"}:
            break  # the sentence ends after this word
    if name_start is None:
        return None
    return name_start, name_end


def _redact_names(text: str) -> str:
    spans = []
    for intro in _NAME_INTRO.finditer(text):
        span = _name_after(text, intro.end())
        if span:
            spans.append(span)
    for greeting in _GREETING.finditer(text):
        spans.append(greeting.span(1))
    for start, end in sorted(spans, reverse=True):
        text = text[:start] + NAME + text[end:]
    return text


def redact(text: str | None) -> str:
    """The text with personal data replaced by placeholders (see the module docstring); None becomes ""."""
    if not text:
        return ""
    text = _EMAIL.sub(EMAIL, text)
    text = _IBAN.sub(lambda m: IBAN if sum(c.isdigit() for c in m.group(0)) >= 10 else m.group(0), text)
    text = _CASE_NUMBER.sub(CASE_NUMBER, text)
    for pattern in _ADDRESSES:
        text = pattern.sub(ADDRESS, text)
    text = _PHONE.sub(lambda m: PHONE if sum(c.isdigit() for c in m.group(0)) >= 7 else m.group(0), text)
    return _redact_names(text)


def asks_for_secret(payload: dict | None) -> bool:
    """True for the bot's form payload of a step whose answer is a secret (the status lookup's PIN)."""
    return isinstance(payload, dict) and payload.get("type") == "form" and payload.get("step") in SECRET_FORM_STEPS


def redact_answer(text: str, asked: dict | None) -> str:
    """The citizen's message as it may be kept: [PIN] when it answers a secret step (`asked` is the payload of the
    bot's last question), whatever it says; a button payload ("/cancel_form") stays, it carries nothing typed."""
    if asks_for_secret(asked) and not text.strip().startswith("/"):
        return PIN
    return text
