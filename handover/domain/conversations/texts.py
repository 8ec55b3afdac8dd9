"""What the citizen is told by the system at each turn of the handover, German first, then English."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from handover.domain.office_hours import OfficeHours

TEXTS = {
    "de": {
        "queued": (
            "Ich verbinde Sie mit dem Team „{department}“. Ihr bisheriges Gespräch wird übergeben, Sie müssen nichts "
            "wiederholen. Bitte haben Sie einen Moment Geduld."
        ),
        "assigned": "{agent} ({department}) ist jetzt für Sie da.",
        "taken_over": "{agent} ({department}) hat das Gespräch übernommen und ist jetzt für Sie da.",
        "outside_office_hours": (
            "Das Team „{department}“ ist gerade nicht erreichbar: Wir sind außerhalb der Chat-Servicezeiten. "
            "Chat-Servicezeiten: {hours}.{next_open} Sie können uns eine Nachricht mit Ihren Kontaktdaten "
            "hinterlassen – wir melden uns bei Ihnen."
        ),
        "next_open": " Nächste Chat-Servicezeit: {when}.",
        "no_agent_online": (
            "Gerade ist niemand aus dem Team „{department}“ frei, obwohl Chat-Servicezeit ist. Sie können uns eine "
            "Nachricht mit Ihren Kontaktdaten hinterlassen – wir melden uns bei Ihnen."
        ),
        "bot_unavailable": (
            "Der digitale Assistent ist gerade nicht erreichbar. Ihre Nachricht ist gespeichert. Bitte versuchen "
            "Sie es gleich noch einmal, sprechen Sie mit einem Menschen oder hinterlassen Sie uns eine Nachricht."
        ),
        "request_human_button": "Mit einem Menschen sprechen",
        "transferred_department": "Ihr Anliegen wird an das Team „{department}“ weitergegeben. Einen Moment bitte.",
        "transferred_agent": "{agent} übernimmt jetzt Ihr Gespräch.",
        "returned_to_bot": "Sie sind wieder beim digitalen Assistenten.",
        "closed_by_agent": "Das Gespräch wurde beendet. Vielen Dank! Wie zufrieden waren Sie mit der Beratung?",
        "closed_by_citizen": "Sie haben das Gespräch beendet. Vielen Dank! Wie zufrieden waren Sie?",
        "ticket_created": (
            "Vielen Dank! Ihre Nachricht ist bei uns eingegangen (Vorgang {reference}). Wir melden uns über die "
            "angegebenen Kontaktdaten."
        ),
        "weekdays": ("Mo.", "Di.", "Mi.", "Do.", "Fr.", "Sa.", "So."),
        "when": "{weekday} {date} um {time} Uhr",
    },
    "en": {
        "queued": (
            "I am connecting you with the team “{department}”. Your conversation so far is passed on, so you don't "
            "have to repeat anything. Please wait a moment."
        ),
        "assigned": "{agent} ({department}) is now here for you.",
        "taken_over": "{agent} ({department}) has taken over the conversation and is now here for you.",
        "outside_office_hours": (
            "The team “{department}” is not available right now: we are outside the chat service hours. "
            "Chat service hours: {hours}.{next_open} You can leave us a message with your contact details and we "
            "will get back to you."
        ),
        "next_open": " Next chat service hours: {when}.",
        "no_agent_online": (
            "Nobody from the team “{department}” is free right now, although it is within the chat service hours. "
            "You can leave us a message with your contact details and we will get back to you."
        ),
        "bot_unavailable": (
            "The digital assistant is not reachable right now. Your message has been saved. Please try again in a "
            "moment, talk to a person or leave us a message."
        ),
        "request_human_button": "Talk to a person",
        "transferred_department": "Your request is being passed on to the team “{department}”. One moment please.",
        "transferred_agent": "{agent} is taking over your conversation now.",
        "returned_to_bot": "You are back with the digital assistant.",
        "closed_by_agent": "The conversation has ended. Thank you! How satisfied were you?",
        "closed_by_citizen": "You have ended the conversation. Thank you! How satisfied were you?",
        "ticket_created": (
            "Thank you! We have received your message (reference {reference}). We will contact you using the "
            "details you provided."
        ),
        "weekdays": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
        "when": "{weekday} {date} at {time}",
    },
}


def text(language: str, key: str, **values: Any) -> str:
    template = TEXTS.get(language, TEXTS["de"])[key]
    return template.format(**values) if values else template


def format_when(office_hours: OfficeHours, language: str, moment: datetime) -> str:
    """A moment as the citizen reads it, in the office hours' time zone ("Mo. 03.06. um 08:00 Uhr")."""
    local = moment.astimezone(office_hours.tz)
    texts = TEXTS.get(language, TEXTS["de"])
    return texts["when"].format(
        weekday=texts["weekdays"][local.weekday()],
        date=local.strftime("%d.%m.") if language == "de" else local.strftime("%d %b"),
        time=local.strftime("%H:%M"),
    )
