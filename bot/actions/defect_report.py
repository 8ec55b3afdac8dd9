"""Mängelmelder: the defect report form (category, location, description, optional contact) and its storage.

The category is taken from the first message when it names one ("Die Straßenlaterne … ist kaputt" →
Straßenbeleuchtung); the place is checked against the street directory (handover/domain/defect_report_locations.py)
or, shared from the browser, must lie inside the city; an optional photo comes from the upload endpoint
(handover/web/uploads.py, stored without EXIF) as its id; an e-mail address brings status updates. The report is
stored with its department and photo (handover/domain/defect_reports.record_chat_report)."""

from __future__ import annotations

import asyncio
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.orm import sessionmaker

from bot.actions.context import current_context
from bot.actions.conversation import conversation_language, language_events
from bot.actions.form_steps import AskFormStep
from bot.actions.offices import defect_category_office
from bot.actions.payloads import FormPayload, as_custom
from bot.actions.service_records import save_defect_report
from bot.actions.texts import DEFECT_CATEGORY_LABELS, label, say
from handover.domain.defect_report_locations import StreetDirectory
from handover.domain.models.defect_report_history import PhotoUpload

NO_CONTACT = "-"
NO_PHOTO_ANSWER = "-"
FORM_SLOTS = ("defect_category", "defect_location", "defect_description", "defect_photo", "defect_contact",
              "defect_latitude", "defect_longitude")
# Coordinates the widget sends after the citizen pressed "Standort senden":
# /inform{"latitude": "52.52", "longitude": "13.40"} (or typed as "52.52, 13.40").
COORDINATES = re.compile(r'"?latitude"?\s*:\s*"?(-?\d{1,2}\.\d+)"?\s*,\s*"?longitude"?\s*:\s*"?(-?\d{1,3}\.\d+)'
                         r'|^\s*(-?\d{1,2}\.\d{3,})\s*,\s*(-?\d{1,3}\.\d{3,})\s*$')


@lru_cache(maxsize=4)
def _directory(path: str, modified: float) -> StreetDirectory:
    return StreetDirectory.from_file(Path(path))


def street_directory(settings) -> StreetDirectory:
    """The street directory of the settings, read again when the file changes."""
    path = Path(settings.streets_file)
    return _directory(str(path), path.stat().st_mtime)


# The widget's answer to the photo step after the upload: /inform{"photo": "<the upload's 32-hex id>"}.
PHOTO = re.compile(r'"photo"\s*:\s*"([0-9a-f]{32})"')
# "Ohne Foto weiter", "Ich habe kein Foto", "no photo, sorry": the citizen goes on without one.
NO_PHOTO = re.compile(
    r"\b(ohne|kein|keins|keine)\s+(foto|bild)|\bfoto habe ich (leider )?(nicht|keins)|\bno (photo|picture)"
    r"|\bwithout a (photo|picture)|\bdon'?t have a (photo|picture)|^(skip|überspringen)$",
    re.IGNORECASE,
)


def photo_id_in(text: str) -> str | None:
    match = PHOTO.search(text or "")
    return match.group(1) if match else None


def upload_waiting(sessions: sessionmaker, upload_id: str, conversation_id: str) -> bool:
    """True when the photo was uploaded in this conversation and belongs to no report yet."""
    with sessions() as session:
        upload = session.get(PhotoUpload, upload_id)
        return upload is not None and upload.conversation_id == conversation_id and upload.report_id is None


def coordinates_in(text: str) -> tuple[float, float] | None:
    match = COORDINATES.search(text or "")
    if match is None:
        return None
    lat, lon = (match.group(1), match.group(2)) if match.group(1) else (match.group(3), match.group(4))
    return float(lat), float(lon)

# Words citizens use for each category (matched as word starts, so "Schlaglöcher" and "Laternen" match).
CATEGORY_WORDS: dict[str, tuple[str, ...]] = {
    "strassenschaden": ("straßenschaden", "strassenschaden", "schlagloch", "schlaglö", "straße", "strasse", "gehweg",
                        "radweg", "fahrbahn", "pflaster", "pothole", "road", "pavement"),
    "beleuchtung": ("beleuchtung", "straßenbeleuchtung", "laterne", "straßenlaterne", "licht", "lampe", "street light",
                    "streetlight", "light", "lighting"),
    "muell": ("müll", "muell", "abfall", "sperrmüll", "ablagerung", "dreck", "litter", "dumping", "rubbish", "waste"),
    "gruenflaeche": ("grünfläche", "gruenflaeche", "grün", "baum", "bäume", "ast", "äste", "park", "hecke", "wiese",
                     "tree", "green"),
    "spielplatz": ("spielplatz", "schaukel", "rutsche", "sandkasten", "playground"),
    "verkehrszeichen": ("verkehrszeichen", "verkehrsschild", "schild", "ampel", "sign", "traffic"),
    "sonstiges": ("sonstiges", "sonstige", "anderes", "etwas anderes", "other"),
}
NO_WORDS = {"nein", "nö", "nee", "keine", "kein", "no", "none", "nope", "-", "nein danke", "no thanks", "ohne"}
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", re.IGNORECASE)
PHONE = re.compile(r"^\+?[\d\s/()\-]{6,20}$")


def normalize_category(value: str) -> str | None:
    """The category a text names; the most specific word wins ("Straßenlaterne" is street lighting, not the
    street, although it starts with "Straße")."""
    text = value.strip().lower()
    if text in DEFECT_CATEGORY_LABELS:
        return text
    for key, labels in DEFECT_CATEGORY_LABELS.items():
        if text in (labels["de"].lower(), labels["en"].lower()):
            return key
    words = re.findall(r"[\wäöüß]+", text)
    best: tuple[int, str] | None = None
    for key, markers in CATEGORY_WORDS.items():
        for marker in markers:
            hit = marker in text if " " in marker else any(word.startswith(marker) for word in words)
            if hit and (best is None or len(marker) > best[0]):
                best = (len(marker), key)
    return best[1] if best else None


class ValidateDefectReportForm(FormValidationAction):
    def name(self) -> str:
        return "validate_defect_report_form"

    async def extract_defect_category(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """When the form starts, the message that started it may already name the category."""
        if tracker.get_slot("defect_category") or tracker.get_slot("requested_slot"):
            return {}
        category = normalize_category(str((tracker.latest_message or {}).get("text") or ""))
        return {"defect_category": category} if category and category != "sonstiges" else {}

    async def validate_defect_category(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        category = normalize_category(str(slot_value or ""))
        if category is None:
            return {"defect_category": None, "form_error": say("error_category", conversation_language(tracker))}
        return {"defect_category": category}

    async def validate_defect_location(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A place of the street directory (the citizen's words are kept: "Lindenallee 7, vor der Grundschule"),
        or coordinates shared from the browser inside the city. "hier", "da", "bei mir" are asked again."""
        language = conversation_language(tracker)
        settings = current_context().settings
        directory = street_directory(settings)
        location = str(slot_value or "").strip()
        shared = coordinates_in(location)
        if shared is not None:
            check = directory.check_coordinates(*shared)
            if not check.ok:
                return {"defect_location": None,
                        "form_error": say("error_location_outside", language, city=settings.city_name)}
            return {"defect_location": check.location, "defect_latitude": shared[0], "defect_longitude": shared[1]}
        if len(location) > 300:
            return {"defect_location": None, "form_error": say("error_location_vague", language)}
        check = directory.check(location)
        if check.ok:
            return {"defect_location": location, "defect_latitude": None, "defect_longitude": None}
        if check.problem == "number":
            error = say("error_location_number", language, street=check.street, range=check.suggestion)
        elif check.problem == "unknown":
            suggestion = say("location_suggestion", language, name=check.suggestion) if check.suggestion else ""
            shown = location if len(location) <= 60 else location[:59] + "…"
            error = say("error_location_unknown", language, value=shown, city=settings.city_name,
                        suggestion=suggestion)
        else:
            error = say("error_location_vague", language)
        return {"defect_location": None, "form_error": error}

    async def validate_defect_description(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        description = str(slot_value or "").strip()
        if len(description) < 10 or len(description.split()) < 2:
            return {"defect_description": None,
                    "form_error": say("error_description", conversation_language(tracker))}
        return {"defect_description": description[:4000]}

    async def validate_defect_photo(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """The id of a photo this conversation uploaded (the widget sends it after the upload), or none."""
        text = str(slot_value or "").strip()
        if text.lower().rstrip(".!") in NO_WORDS or NO_PHOTO.search(text):
            return {"defect_photo": NO_PHOTO_ANSWER}
        upload_id = photo_id_in(text)
        if upload_id and await asyncio.to_thread(upload_waiting, current_context().sessions, upload_id,
                                                 tracker.sender_id):
            return {"defect_photo": upload_id}
        return {"defect_photo": None, "form_error": say("error_photo", conversation_language(tracker))}

    async def validate_defect_contact(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        contact = str(slot_value or "").strip()
        if contact.lower().rstrip(".!") in NO_WORDS:
            return {"defect_contact": NO_CONTACT}
        if EMAIL.match(contact) or (PHONE.match(contact) and sum(c.isdigit() for c in contact) >= 6):
            return {"defect_contact": contact}
        return {"defect_contact": None, "form_error": say("error_contact", conversation_language(tracker))}


class ActionAskDefectCategory(AskFormStep):
    form = "defect_report"  # type: ignore[assignment]
    slot = "defect_category"  # type: ignore[assignment]

    def buttons(self, language: str) -> list[dict[str, str]]:
        # The payload is the category's name: the form takes the text as the slot value.
        return [{"title": label(DEFECT_CATEGORY_LABELS, key, language),
                 "payload": label(DEFECT_CATEGORY_LABELS, key, language)} for key in DEFECT_CATEGORY_LABELS]


class ActionAskDefectLocation(AskFormStep):
    form = "defect_report"  # type: ignore[assignment]
    slot = "defect_location"  # type: ignore[assignment]


class ActionAskDefectDescription(AskFormStep):
    form = "defect_report"  # type: ignore[assignment]
    slot = "defect_description"  # type: ignore[assignment]


class ActionAskDefectPhoto(AskFormStep):
    form = "defect_report"  # type: ignore[assignment]
    slot = "defect_photo"  # type: ignore[assignment]

    def buttons(self, language: str) -> list[dict[str, str]]:
        # The widget adds the photo picker to this step; the button skips it.
        return [{"title": say("no_photo", language), "payload": "nein" if language == "de" else "no"}]


class ActionAskDefectContact(AskFormStep):
    form = "defect_report"  # type: ignore[assignment]
    slot = "defect_contact"  # type: ignore[assignment]

    def buttons(self, language: str) -> list[dict[str, str]]:
        return [{"title": say("no_contact", language), "payload": "nein" if language == "de" else "no"}]


class ActionSubmitDefectReport(Action):
    def name(self) -> str:
        return "action_submit_defect_report"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        context = current_context()
        language = conversation_language(tracker)
        category = tracker.get_slot("defect_category") or "sonstiges"
        location = tracker.get_slot("defect_location") or ""
        contact = tracker.get_slot("defect_contact")
        contact = None if contact in (None, NO_CONTACT) else contact
        photo = tracker.get_slot("defect_photo")
        photo = None if photo in (None, NO_PHOTO_ANSWER) else photo
        reference = await asyncio.to_thread(
            save_defect_report, context.sessions,
            category=category, location=location,
            description=tracker.get_slot("defect_description") or "",
            contact=contact, conversation_id=tracker.sender_id, language=language,
            latitude=tracker.get_slot("defect_latitude"), longitude=tracker.get_slot("defect_longitude"),
            upload_id=photo,
        )
        office = defect_category_office(context.knowledge, category)
        office_name = office.name if office else context.settings.city_name
        updates = say("defect_updates", language) if contact and EMAIL.match(contact) else ""
        # Said again where the citizen reads the outcome: what the stored photo no longer carries.
        if photo:
            updates = f"{say('defect_photo_saved', language)}{updates}"
        text = say("defect_saved", language, category=label(DEFECT_CATEGORY_LABELS, category, language),
                   location=location, reference=reference, office=office_name, updates=updates)
        payload = FormPayload(
            form="defect_report", step="done",
            result={"reference": reference, "category": category, "location": location,
                    "department": office.department if office else None, "photo": bool(photo)},
        )
        dispatcher.utter_message(text=text, json_message=as_custom(payload))
        # Cleared so a second report in the same conversation starts empty.
        return [*language_events(tracker), *(SlotSet(slot, None) for slot in FORM_SLOTS)]
