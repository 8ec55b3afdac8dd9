"""Application status with a second factor: the citizen gives the case number, then the PIN printed on the receipt,
and only when both belong together does the bot read the status from the database.

- The number step checks only the format; whether a number exists is never said on its own.
- A wrong PIN and an unknown number get the same answer after the same work (a scrypt check against a dummy hash
  for unknown numbers: handover/domain/case_pins.py), and the form starts again at the number.
- After `BUERGERBOT_STATUS_LOOKUP_FAILURES_PER_CONVERSATION` wrong combinations in a conversation (counted in the
  database, so "/restart" does not reset them) the bot stops looking up and offers a person or a message. The
  per-IP limit on status lookups (handover/web/rasa_action_endpoint.py) counts every call of the validator too.
- No case data is ever shown without both: the result action checks number and PIN again.
- A defect report's reference number (MM-2026-000042) needs no PIN: its status is public and carries no personal
  data (category, status, the team's public comment, the department), as in Open311.
"""

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

from bot.actions.context import current_context
from bot.actions.conversation import conversation_language, is_button_payload, language_events
from bot.actions.form_steps import AskFormStep
from bot.actions.handover import offer_buttons, offer_events
from bot.actions.offices import find_office
from bot.actions.payloads import FormPayload, as_custom
from bot.actions.service_records import (
    CASE_NUMBER_PREFIX,
    DEFECT_REFERENCE_PREFIX,
    count_lookup_failure,
    find_case,
    lookup_failures,
    report_status,
)
from bot.actions.texts import CASE_STATUS_LABELS, label, say
from handover.domain.case_pins import normalize_pin
from handover.domain.office_hours import OfficeHours

# Tolerant of the ways people type it: "ms 2026 000123", "MS-2026-123", "Ms2026000123".
CASE_NUMBER = re.compile(rf"\b{CASE_NUMBER_PREFIX}[\s\-_/]?(\d{{4}})[\s\-_/]?(\d{{1,6}})\b", re.IGNORECASE)
REPORT_NUMBER = re.compile(rf"\b{DEFECT_REFERENCE_PREFIX}[\s\-_/]?(\d{{4}})[\s\-_/]?(\d{{1,6}})\b", re.IGNORECASE)
STATUSES_NEEDING_A_PERSON = {"documents_missing"}
MAX_ECHO_CHARS = 40


def normalize_report_number(text: str) -> str | None:
    match = REPORT_NUMBER.search(text.strip())
    if match is None:
        return None
    year, serial = match.groups()
    return f"{DEFECT_REFERENCE_PREFIX}-{year}-{int(serial):06d}"


@lru_cache(maxsize=4)
def _office_hours(path: str, modified: float) -> OfficeHours:
    return OfficeHours.from_file(Path(path))


def office_hours(settings) -> OfficeHours:
    path = Path(settings.departments_file)
    return _office_hours(str(path), path.stat().st_mtime)


def normalize_case_number(text: str) -> str | None:
    match = CASE_NUMBER.search(text.strip())
    if match is None:
        return None
    year, serial = match.groups()
    return f"{CASE_NUMBER_PREFIX}-{year}-{int(serial):06d}"


def is_report_reference(number: str | None) -> bool:
    return bool(number) and str(number).startswith(f"{DEFECT_REFERENCE_PREFIX}-")


class ValidateApplicationStatusForm(FormValidationAction):
    def name(self) -> str:
        return "validate_application_status_form"

    async def required_slots(self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker,
                             domain: DomainDict) -> list[str]:
        # A defect report's public status needs no PIN.
        if is_report_reference(tracker.get_slot("case_number")):
            return ["case_number"]
        return domain_slots

    async def validate_case_number(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        language = conversation_language(tracker)
        raw = str(slot_value or "").strip()
        # NLU may extract only part of a spaced number ("ms 2026 000123" → "000123"): the whole message decides.
        message = str((tracker.latest_message or {}).get("text") or "")
        report = normalize_report_number(raw) or normalize_report_number(message)
        if report is not None:  # a defect report's number: its public status
            context = current_context()
            found = await asyncio.to_thread(report_status, context.sessions, report, office_hours(context.settings))
            if found is None:
                return {"case_number": None, "form_error": say("error_report_unknown", language, value=report)}
            return {"case_number": report, "case_pin": None}
        number = normalize_case_number(raw) or normalize_case_number(message)
        shown = message.strip() if message.strip() and not is_button_payload(message) else raw
        if number is None:
            echo = shown if len(shown) <= MAX_ECHO_CHARS else shown[: MAX_ECHO_CHARS - 1] + "…"
            return {"case_number": None, "form_error": say("error_case_format", language, value=echo)}
        context = current_context()
        limit = context.settings.status_lookup_failures_per_conversation
        if await asyncio.to_thread(lookup_failures, context.sessions, tracker.sender_id) >= limit:
            # No PIN asked for that would not be checked: the result action says why and offers a person.
            return {"case_number": number, "case_pin": None, "requested_slot": None}
        # Not looked up here: "unknown number" on its own would tell which numbers exist. The PIN step decides.
        return {"case_number": number, "case_pin": None}

    async def validate_case_pin(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        language = conversation_language(tracker)
        number = tracker.get_slot("case_number")
        if not number or is_report_reference(number):
            return {"case_pin": None}
        pin = normalize_pin(slot_value)
        if pin is None:  # not a PIN at all: nothing looked up, nothing counted
            return {"case_pin": None, "form_error": say("error_pin_format", language)}
        context = current_context()
        limit = context.settings.status_lookup_failures_per_conversation
        if await asyncio.to_thread(lookup_failures, context.sessions, tracker.sender_id) >= limit:
            return {"case_number": None, "case_pin": None, "requested_slot": None}  # the result action says why
        case = await asyncio.to_thread(find_case, context.sessions, number, pin)
        if case is not None:
            return {"case_pin": pin}
        failures = await asyncio.to_thread(count_lookup_failure, context.sessions, tracker.sender_id)
        if failures >= limit:
            return {"case_number": None, "case_pin": None, "requested_slot": None}
        # The same answer as for an unknown number, and the form starts again at the number.
        return {"case_number": None, "case_pin": None, "form_error": say("error_case_unknown", language, value=number)}


class ActionAskCaseNumber(AskFormStep):
    form = "application_status"  # type: ignore[assignment]
    slot = "case_number"  # type: ignore[assignment]


class ActionAskCasePin(AskFormStep):
    """The PIN step; the widget shows a masked field for the `case_pin` step (widget/src/widget.js)."""

    form = "application_status"  # type: ignore[assignment]
    slot = "case_pin"  # type: ignore[assignment]


class ActionShowApplicationStatus(Action):
    def name(self) -> str:
        return "action_show_application_status"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        context = current_context()
        language = conversation_language(tracker)
        number = tracker.get_slot("case_number") or ""
        if is_report_reference(number):
            return await self.report(dispatcher, tracker, number)
        cleared = [SlotSet("case_number", None), SlotSet("case_pin", None)]
        limit = context.settings.status_lookup_failures_per_conversation
        if await asyncio.to_thread(lookup_failures, context.sessions, tracker.sender_id) >= limit:
            dispatcher.utter_message(text=say("case_lookup_locked", language), buttons=offer_buttons(language))
            return [*language_events(tracker), *cleared, *offer_events("form_needs_human")]
        pin = normalize_pin(tracker.get_slot("case_pin"))
        # Checked again here: whatever set the slots, nothing is shown without number and PIN together.
        case = await asyncio.to_thread(find_case, context.sessions, number, pin) if number and pin else None
        if case is None:
            dispatcher.utter_message(text=say("error_case_unknown", language, value=number or "–"))
            return [*language_events(tracker), *cleared]
        office = find_office(context.knowledge, case.office)
        office_name = office.name if office else case.office
        status_label = label(CASE_STATUS_LABELS, case.status, language)
        text = say("case_status", language, number=case.case_number, service=case.service, label=status_label,
                   text=case.status_text, office=office_name)
        payload = FormPayload(
            form="application_status", step="done",
            result={"case_number": case.case_number, "service": case.service, "status": case.status,
                    "status_label": status_label, "status_text": case.status_text,
                    "office": case.office, "department": office.department if office else None},
        )
        dispatcher.utter_message(text=text, json_message=as_custom(payload))
        # The PIN leaves the tracker's slots once used; the number stays for follow-up questions.
        events: list[EventType] = [*language_events(tracker), SlotSet("case_pin", None)]
        if case.status in STATUSES_NEEDING_A_PERSON:
            dispatcher.utter_message(text=say("case_needs_person", language), buttons=offer_buttons(language))
            events += offer_events("form_needs_human")
        return events

    async def report(self, dispatcher: CollectingDispatcher, tracker: Tracker, reference: str) -> list[EventType]:
        context = current_context()
        language = conversation_language(tracker)
        found = await asyncio.to_thread(report_status, context.sessions, reference, office_hours(context.settings))
        if found is None:
            dispatcher.utter_message(text=say("error_report_unknown", language, value=reference))
            return [*language_events(tracker), SlotSet("case_number", None)]
        lang = "en" if language == "en" else "de"
        comment = say("defect_status_comment", language, comment=found["public_comment"]) if found["public_comment"] else ""
        text = say("defect_status", language, reference=found["reference"], category=found["category_name"][lang],
                   status=found["status_label"][lang], comment=comment, department=found["department_name"])
        payload = FormPayload(
            form="application_status", step="done",
            result={"reference": found["reference"], "kind": "defect_report", "status": found["status"],
                    "status_label": found["status_label"][lang], "public_comment": found["public_comment"]},
        )
        dispatcher.utter_message(text=text, json_message=as_custom(payload))
        return [*language_events(tracker), SlotSet("case_number", None)]
