"""Mängelmelder: the defect report form (category, location, description, optional contact) and its storage."""

from __future__ import annotations

import asyncio
import re
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions.context import current_context
from bot.actions.conversation import conversation_language, language_events
from bot.actions.form_steps import AskFormStep
from bot.actions.offices import defect_category_office
from bot.actions.payloads import FormPayload, as_custom
from bot.actions.service_records import save_defect_report
from bot.actions.texts import DEFECT_CATEGORY_LABELS, label, say

NO_CONTACT = "-"
FORM_SLOTS = ("defect_category", "defect_location", "defect_description", "defect_contact")

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
    text = value.strip().lower()
    if text in DEFECT_CATEGORY_LABELS:
        return text
    for key, labels in DEFECT_CATEGORY_LABELS.items():
        if text in (labels["de"].lower(), labels["en"].lower()):
            return key
    words = re.findall(r"[\wäöüß]+", text)
    for key, markers in CATEGORY_WORDS.items():
        for marker in markers:
            if " " in marker and marker in text:
                return key
            if any(word.startswith(marker) for word in words):
                return key
    return None


class ValidateDefectReportForm(FormValidationAction):
    def name(self) -> str:
        return "validate_defect_report_form"

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
        location = str(slot_value or "").strip()
        letters = sum(char.isalpha() for char in location)
        if letters < 3 or location.lower() in NO_WORDS or len(location) > 300:
            return {"defect_location": None, "form_error": say("error_location", conversation_language(tracker))}
        return {"defect_location": location}

    async def validate_defect_description(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        description = str(slot_value or "").strip()
        if len(description) < 10 or len(description.split()) < 2:
            return {"defect_description": None,
                    "form_error": say("error_description", conversation_language(tracker))}
        return {"defect_description": description[:4000]}

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
        reference = await asyncio.to_thread(
            save_defect_report, context.sessions,
            category=category, location=location,
            description=tracker.get_slot("defect_description") or "",
            contact=None if contact in (None, NO_CONTACT) else contact,
            conversation_id=tracker.sender_id, language=language,
        )
        office = defect_category_office(context.knowledge, category)
        office_name = office.name if office else context.settings.city_name
        text = say("defect_saved", language, category=label(DEFECT_CATEGORY_LABELS, category, language),
                   location=location, reference=reference, office=office_name)
        payload = FormPayload(
            form="defect_report", step="done",
            result={"reference": reference, "category": category, "location": location,
                    "department": office.department if office else None},
        )
        dispatcher.utter_message(text=text, json_message=as_custom(payload))
        # Cleared so a second report in the same conversation starts empty.
        return [*language_events(tracker), *(SlotSet(slot, None) for slot in FORM_SLOTS)]
