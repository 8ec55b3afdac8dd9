"""The relay against the real Rasa server (trained model from `make train`): Rasa is down first (the citizen
is told, nothing is lost), then comes up on the configured address and the same conversation is answered;
the bot's handover payload puts the conversation into the queue."""

from __future__ import annotations

import asyncio

import pytest

from tests.bot.servers import MODEL, RasaServer
from tests.handover.conftest import AgentConsole, AppServer, Citizen, free_port, make_settings

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not MODEL.exists(), reason="needs the trained Rasa model (make train)"),
]


@pytest.fixture(scope="module")
def rasa_port() -> int:
    return free_port()


@pytest.fixture(scope="module")
def app_with_rasa_address(tmp_path_factory, rasa_port):
    settings = make_settings(tmp_path_factory.mktemp("app-rasa"), database_url=None, pubsub_url="memory://")
    settings.rasa_url = f"http://127.0.0.1:{rasa_port}"
    settings.rasa_timeout_seconds = 60.0
    server = AppServer(settings).start()
    yield server
    server.stop()


async def test_rasa_down_then_back(app_with_rasa_address, rasa_port, tmp_path):
    app = app_with_rasa_address
    agent = await AgentConsole.connect(app, app.add_agent(departments=("servicecenter", "buergerbuero")))
    citizen = await Citizen.connect(app)
    await citizen.say("Hallo")
    await citizen.expect_type("error", code="bot_unavailable", timeout=30)
    await citizen.expect_type("state", reason="bot_unavailable", timeout=10)

    rasa = RasaServer(workdir=tmp_path, action_server_url=app.base, port=rasa_port)
    try:
        await asyncio.to_thread(rasa.start, 900)  # the sockets keep answering pings meanwhile
        await citizen.say("Hallo")
        answer = await citizen.expect(lambda f: f.get("type") == "message" and f.get("sender") == "bot",
                                      timeout=120, what="bot answer")
        assert answer["text"]
        await citizen.say("Ich möchte bitte mit einem Menschen sprechen")
        waiting = await citizen.expect_type("state", state="waiting", timeout=120)
        assert waiting["reason"] in ("citizen_request", "frustration", "low_confidence", "repeated_failure")
        notice = await agent.expect(lambda f: f.get("type") == "handover"
                                    and f["conversation"]["id"] == citizen.welcome["conversation_id"], timeout=30)
        assert notice["conversation"]["reason"] == waiting["reason"]
    finally:
        rasa.stop()
        await citizen.close()
        await agent.close()
