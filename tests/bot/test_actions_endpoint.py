"""The action server mounted in the app: the SDK's errors become the same HTTP codes as rasa_sdk's own server."""

from __future__ import annotations

import json
import zlib

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from rasa_sdk import Action
from rasa_sdk.executor import ActionExecutor
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.interfaces import ActionExecutionRejection

from bot.actions.context import ActionContext, current_context
from handover.web.rasa_action_endpoint import BotActions, router
from tests.bot.servers import ACTION_SECRET, AppServer

RASA_HEADERS = {"Authorization": f"Bearer {ACTION_SECRET}"}  # what Rasa sends from its runtime endpoints file
DOMAIN = {"intents": [], "entities": [], "slots": {}, "responses": {}, "actions": [], "forms": {}}
EXPECTED_ACTIONS = {
    "action_session_start", "action_answer_from_knowledge", "action_start_form", "action_handover", "action_offer_handover",
    "action_handle_affirm", "action_handle_deny", "validate_defect_report_form", "action_ask_defect_category",
    "action_ask_defect_location", "action_ask_defect_description", "action_ask_defect_photo",
    "action_ask_defect_contact",
    "action_submit_defect_report", "validate_application_status_form", "action_ask_case_number", "action_ask_case_pin",
    "action_show_application_status",
}


def tracker(sender: str = "endpoint-test") -> dict:
    return {"sender_id": sender, "slots": {}, "latest_message": {"text": "", "intent": {}, "entities": []},
            "events": [], "paused": False, "followup_action": None, "active_loop": {}, "latest_action_name": None}


def call(action: str, **extra) -> dict:
    return {"next_action": action, "sender_id": "endpoint-test", "tracker": tracker(), "domain": DOMAIN,
            "version": "3.6.21", **extra}


class RejectingAction(Action):
    def name(self) -> str:
        return "test_rejecting_action"

    async def run(self, dispatcher, tracker, domain):
        raise ActionExecutionRejection(self.name(), "not now")


class ContextReadingAction(Action):
    def name(self) -> str:
        return "test_context_action"

    async def run(self, dispatcher, tracker, domain):
        dispatcher.utter_message(text=current_context().settings)
        return []


class ValidateTestForm(FormValidationAction):
    def name(self) -> str:
        return "validate_test_form"


@pytest.fixture
def small_app() -> TestClient:
    executor = ActionExecutor()
    executor.register_action(RejectingAction())
    executor.register_action(ContextReadingAction())
    executor.register_action(ValidateTestForm())
    app = FastAPI()
    app.include_router(router)
    app.state.bot_actions = BotActions(executor, ActionContext(knowledge=None, settings="bound", sessions=None),
                                       secret="small-app-secret-0123456789")
    return TestClient(app, headers={"Authorization": "Bearer small-app-secret-0123456789"})


def test_rejection_is_400_with_action_name(small_app: TestClient) -> None:
    response = small_app.post("/webhook", json=call("test_rejecting_action"))
    assert response.status_code == 400
    assert response.json() == {"error": "not now", "action_name": "test_rejecting_action"}


def test_unknown_action_is_404(small_app: TestClient) -> None:
    response = small_app.post("/webhook", json=call("action_does_not_exist"))
    assert response.status_code == 404 and response.json()["action_name"] == "action_does_not_exist"


def test_missing_domain_is_449_for_a_form_validator(small_app: TestClient) -> None:
    body = call("validate_test_form")
    del body["domain"]
    response = small_app.post("/webhook", json=body)
    assert response.status_code == 449


def test_actions_that_ignore_the_domain_run_without_it(small_app: TestClient) -> None:
    """Rasa's selective domain (bot/endpoints.yml) leaves the domain out for them."""
    body = call("test_context_action")
    del body["domain"]
    response = small_app.post("/webhook", json=body)
    assert response.status_code == 200 and response.json()["responses"][0]["text"] == "bound"


@pytest.mark.parametrize("body", [b"{not json", b"", b"[1, 2]"])
def test_bad_body_is_400(small_app: TestClient, body: bytes) -> None:
    response = small_app.post("/webhook", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 400 and response.json()["error"] == "Invalid body request"


def test_deflated_body_and_context_binding(small_app: TestClient) -> None:
    body = zlib.compress(json.dumps(call("test_context_action")).encode())
    response = small_app.post("/webhook", content=body,
                              headers={"content-type": "application/json", "content-encoding": "deflate"})
    assert response.status_code == 200
    assert response.json()["responses"][0]["text"] == "bound"


def test_context_is_not_leaked_outside_a_call() -> None:
    with pytest.raises(RuntimeError):
        current_context()


@pytest.mark.slow
def test_real_app_lists_actions_and_health(app_server: AppServer) -> None:
    listed = {item["name"] for item in httpx.get(f"{app_server.url}/actions", headers=RASA_HEADERS).json()}
    assert EXPECTED_ACTIONS <= listed
    assert httpx.get(f"{app_server.url}/actions/health").json() == {"status": "ok"}


@pytest.mark.slow
def test_real_app_action_call_returns_events(app_server: AppServer) -> None:
    response = httpx.post(f"{app_server.url}/webhook", json=call("action_handle_affirm"), headers=RASA_HEADERS,
                          timeout=30)
    assert response.status_code == 200
    assert "Kann ich sonst noch etwas" in response.json()["responses"][0]["text"]
