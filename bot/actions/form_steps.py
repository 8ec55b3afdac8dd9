"""Asking for a form slot, and leaving a form.

Every step is the question (with a validation error before it), the `form` payload and an "Abbrechen" button:
the citizen can leave at any step (button, "abbrechen", "stopp"; rules in bot/data/rules.yml deactivate the loop
with `action_deactivate_loop`, then `action_form_cancelled` clears what the form had collected, so nothing is
stored). A question in the middle of a form is answered by the knowledge search (rule) and the step is asked again
with "Möchten Sie … weitermachen?" before it."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.conversation import conversation_language, language_events
from bot.actions.payloads import FormName, FormPayload, as_custom
from bot.actions.texts import say

CANCEL_PAYLOAD = "/cancel_form"
# What each form collects; cleared when it is cancelled, so a later start begins empty.
FORM_SLOTS: dict[str, tuple[str, ...]] = {
    "defect_report": ("defect_category", "defect_location", "defect_description", "defect_photo", "defect_contact",
                      "defect_latitude", "defect_longitude"),
    "application_status": ("case_number", "case_pin"),
}
# Intents that interrupt a form instead of answering its step (bot/domain.yml: not_intent of the slot mappings).
INTERRUPTING = {"ask_question", "request_human", "cancel_form", "distress"}


def cancel_button(language: str) -> dict[str, str]:
    return {"title": say("cancel_form_button", language), "payload": CANCEL_PAYLOAD}


def interrupted(tracker: Tracker) -> bool:
    """True when the message before this question was not an answer to the step (a question, for instance)."""
    intent = ((tracker.latest_message or {}).get("intent") or {}).get("name")
    return intent in INTERRUPTING


def last_form(tracker: Tracker) -> str | None:
    """The form that was active last (also just after `action_deactivate_loop`)."""
    for event in reversed(tracker.events):
        if event.get("event") == "active_loop" and event.get("name"):
            return str(event["name"]).removesuffix("_form")
    return None


def deactivated_this_turn(tracker: Tracker) -> bool:
    """True when a form was deactivated after the citizen's latest message (the cancel rule ran)."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return False
        if event.get("event") == "active_loop" and event.get("name") is None:
            return True
    return False


class AskFormStep(Action, ABC):
    """Base of the `action_ask_<slot>` actions; the question text is `ask_<slot>` in texts.py.

    Abstract (rasa_sdk registers only concrete actions): a step names its form and slot.
    """

    @property
    @abstractmethod
    def form(self) -> FormName: ...

    @property
    @abstractmethod
    def slot(self) -> str: ...

    def name(self) -> str:
        return f"action_ask_{self.slot}"

    def buttons(self, language: str) -> list[dict[str, str]]:
        return []

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        language = conversation_language(tracker)
        error = tracker.get_slot("form_error")
        question = say(f"ask_{self.slot}", language)
        if interrupted(tracker):  # back from an answer in between: ask whether to go on
            question = f"{say(f'form_resume_{self.form}', language)} {question}"
        text = f"{error} {question}" if error else question
        payload = FormPayload(form=self.form, step=self.slot, error=error)
        dispatcher.utter_message(text=text, buttons=[*self.buttons(language), cancel_button(language)],
                                 json_message=as_custom(payload))
        return [*language_events(tracker), SlotSet("form_error", None)]


class ActionFormCancelled(Action):
    """After `action_deactivate_loop` (rules): says the form is cancelled and forgets what it had collected."""

    def name(self) -> str:
        return "action_form_cancelled"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        language = conversation_language(tracker)
        form = last_form(tracker)
        if form is None or not deactivated_this_turn(tracker):
            dispatcher.utter_message(text=say("nothing_to_cancel", language))
            return list(language_events(tracker))
        dispatcher.utter_message(text=say(f"form_cancelled_{form}", language))
        return [*language_events(tracker), SlotSet("form_error", None), SlotSet("requested_slot", None),
                *(SlotSet(slot, None) for slot in FORM_SLOTS.get(form, ()))]
