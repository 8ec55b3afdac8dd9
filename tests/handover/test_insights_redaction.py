"""The one redaction (handover/domain/redaction.py) on German examples: what must go, and what must stay because
the statistics need it and it identifies nobody. The log formatter uses the same function."""

from __future__ import annotations

import logging

import pytest

from handover.domain.redaction import redact
from handover.shell.log_format import JsonFormatter, RedactingFormatter

REDACTED = [
    # e-mail
    ("Meine E-Mail ist erika.mustermann@example.de", "Meine E-Mail ist [E-MAIL]"),
    ("Antwort bitte an m.mueller+amt@post.musterstadt.example.", "Antwort bitte an [E-MAIL]."),
    # phone numbers
    ("Rufen Sie mich an: 0621 123 4567", "Rufen Sie mich an: [TELEFON]"),
    ("Handy +49 171 2345678, abends", "Handy [TELEFON], abends"),
    ("Tel. 030/12345678", "Tel. [TELEFON]"),
    ("unter (0221) 123 45 67 erreichbar", "unter [TELEFON] erreichbar"),
    ("Festnetz 0049 89 1234567", "Festnetz [TELEFON]"),
    # IBAN
    ("IBAN DE89 3704 0044 0532 0130 00 für die Erstattung", "IBAN [IBAN] für die Erstattung"),
    ("meine iban lautet de89370400440532013000", "meine iban lautet [IBAN]"),
    # case numbers of the city's processes
    ("Wie ist der Stand von MS-2026-000123?", "Wie ist der Stand von [AKTENZEICHEN]?"),
    ("Meldung MM-2026-000042 ist noch offen", "Meldung [AKTENZEICHEN] ist noch offen"),
    ("Aktenzeichen 123/4567/89", "Aktenzeichen [AKTENZEICHEN]"),
    # names after an introduction, and in a closing greeting
    ("Ich heiße Anna Schmidt und brauche einen Ausweis", "Ich heiße [NAME] und brauche einen Ausweis"),
    ("ich heisse mehmet yilmaz und wohne hier", "ich heisse [NAME] und wohne hier"),
    ("Mein Name ist Dr. Hans-Peter Meier.", "Mein Name ist Dr. [NAME]."),
    ("Guten Tag, mein Name ist Frau Özdemir, ich habe eine Frage",
     "Guten Tag, mein Name ist Frau [NAME], ich habe eine Frage"),
    ("Ich bin Frau Schulz", "Ich bin Frau [NAME]"),
    ("My name is John Smith and I need help", "My name is [NAME] and I need help"),
    ("Wie beantrage ich Wohngeld? Viele Grüße, Katrin Vogel", "Wie beantrage ich Wohngeld? Viele Grüße, [NAME]"),
    # street addresses with house numbers
    ("Ich wohne in der Hauptstraße 12a, 12345 Musterstadt", "Ich wohne in der [ADRESSE]"),
    ("Schlagloch vor Berliner Straße 7", "Schlagloch vor [ADRESSE]"),
    ("Am Markt 5 ist die Laterne kaputt", "[ADRESSE] ist die Laterne kaputt"),
    ("umgezogen in die goethestr. 14", "umgezogen in die [ADRESSE]"),
    ("Lange Gasse 3-5, zweiter Stock", "[ADRESSE], zweiter Stock"),
    ("An der Kirche 3", "[ADRESSE]"),
]

KEPT = [
    "Was kostet ein Personalausweis?",
    "Termin am 22.11.2026 um 10:30 Uhr",
    "Die Gebühr beträgt 37,00 Euro",
    "Ich wohne in 12345 Musterstadt",  # a postal code alone identifies nobody
    "Frist bis 2026-11-22",
    "Schuljahr 2025/2026",
    "Mein Kind ist 3 Jahre alt",
    "Ich bin arbeitslos und brauche Bürgergeld",
    "Wo ist die Hauptstraße?",  # a street without a house number
    "Öffnungszeiten Rathaus Marktplatz",
]


@pytest.mark.parametrize(("text", "expected"), REDACTED)
def test_personal_data_is_replaced(text, expected):
    assert redact(text) == expected


@pytest.mark.parametrize("text", KEPT)
def test_what_identifies_nobody_stays(text):
    assert redact(text) == text


def test_empty_and_mixed_text():
    assert redact(None) == "" and redact("") == ""
    mixed = "Ich heiße Max Mustermann, Tel. 0171 2345678, max@example.org, Vorgang MS-2026-000123, Am Hang 4"
    assert redact(mixed) == "Ich heiße [NAME], Tel. [TELEFON], [E-MAIL], Vorgang [AKTENZEICHEN], [ADRESSE]"


def test_log_lines_use_the_same_redaction():
    record = logging.LogRecord("handover", logging.INFO, __file__, 1, "Ticket von %s (%s), IBAN %s",
                               ("Ich heiße Anna Schmidt", "0621 123 4567", "DE89 3704 0044 0532 0130 00"), None)
    json_line = JsonFormatter().format(record)
    text_line = RedactingFormatter("%(message)s").format(record)
    for line in (json_line, text_line):
        assert "Anna" not in line and "123 4567" not in line and "3704" not in line
        assert "[NAME]" in line and "[TELEFON]" in line and "[IBAN]" in line
