"""Asking for a form slot: the question (with a validation error before it) plus the `form` payload."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.conversation import conversation_language, language_events
from bot.actions.payloads import FormName, FormPayload, as_custom
from bot.actions.texts import say


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
        text = f"{error} {question}" if error else question
        payload = FormPayload(form=self.form, step=self.slot, error=error)
        dispatcher.utter_message(text=text, buttons=self.buttons(language), json_message=as_custom(payload))
        return [*language_events(tracker), SlotSet("form_error", None)]
