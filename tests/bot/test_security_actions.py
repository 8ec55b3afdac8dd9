"""Issue 11, point 1, with the real Rasa: Rasa's action calls carry the action secret from its runtime endpoints
file (handover/shell/rasa_endpoints.py) and the app runs them; the same call without the secret is refused."""

from __future__ import annotations

import httpx
import pytest
import yaml

from tests.bot.servers import ACTION_SECRET, AppServer, Conversation, RasaServer, texts

pytestmark = pytest.mark.slow


def test_rasas_action_calls_carry_the_secret_and_others_are_refused(
        conversation: Conversation, app_server: AppServer, rasa_server: RasaServer) -> None:
    endpoints = yaml.safe_load((rasa_server.workdir / "runtime" / "endpoints.yml").read_text(encoding="utf-8"))
    assert endpoints["action_endpoint"]["headers"] == {"Authorization": f"Bearer {ACTION_SECRET}"}
    # the case-number validator and the status action both run in the app, behind the secret
    conversation.send("Status von MS-2026-000123")
    messages = conversation.send("731904")
    assert "in Bearbeitung" in texts(messages)
    assert "without the action secret refused" not in (app_server.workdir / "app.log").read_text(errors="replace")

    tracker = conversation.tracker()
    call = {"next_action": "action_show_application_status", "sender_id": conversation.sender, "tracker": tracker,
            "version": "3.6.21"}
    refused = httpx.post(f"{app_server.url}/webhook", json=call, timeout=30)
    assert refused.status_code == 401
    accepted = httpx.post(f"{app_server.url}/webhook", json=call, timeout=30,
                          headers={"Authorization": f"Bearer {ACTION_SECRET}"})
    # run again with the tracker as it is now: the PIN left it after use, so the case is not shown again
    assert accepted.status_code == 200 and "keinen Antrag gefunden" in str(accepted.json()["responses"])
    assert "in Bearbeitung" not in str(accepted.json()["responses"])
