"""Redis down between two replicas (PostgreSQL, a redis-server of this test's own): a citizen on replica A and
the agent holding the conversation on replica B keep working. Both are told once that their messages are
stored and delivery is delayed (never a generic error); what could not be published reaches the other side
when Redis is back (the citizen's stream resyncs from the database, the console gets a fresh snapshot), and
live delivery works again afterwards. Rasa is not needed: the conversation is with a person."""

from __future__ import annotations

import asyncio

import pytest

from tests.bot.servers import fresh_postgres_schema
from tests.handover.conftest import AgentConsole, AppServer, Citizen, make_settings, seed_index_cache, wait_until
from tests.handover.redis_server import RedisServer


@pytest.fixture(scope="module")
def redis(tmp_path_factory) -> RedisServer:
    server = RedisServer(tmp_path_factory.mktemp("outage-redis")).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def schema_url():
    """A schema of its own: the replicas' relay sweeps must not pick up other tests' conversations."""
    with fresh_postgres_schema("outage_test") as url:
        yield url


@pytest.fixture(scope="module")
def replicas(tmp_path_factory, redis, schema_url):
    seed_index_cache()
    started = []
    try:
        for name in ("a", "b"):
            settings = make_settings(tmp_path_factory.mktemp(f"outage-{name}"), database_url=schema_url,
                                     pubsub_url=redis.url(0))
            started.append(AppServer(settings).start())
        yield started
    finally:
        for server in started:
            server.stop()


async def test_redis_outage_between_replicas_delays_but_never_loses(replicas, redis):
    a, b = replicas
    account = b.add_agent(departments=("servicecenter",))
    agent = await AgentConsole.connect(b, account)
    citizen = await Citizen.connect(a)
    conversation_id = citizen.welcome["conversation_id"]
    await citizen.send({"type": "request_human"})
    await citizen.expect_type("state", state="waiting")
    await agent.expect(lambda f: f.get("type") == "handover" and f["conversation"]["id"] == conversation_id)
    await agent.send({"type": "claim", "conversation_id": conversation_id})
    await agent.expect(lambda f: f.get("type") == "conversation" and f["conversation"]["id"] == conversation_id)
    await citizen.expect_type("state", state="agent")  # Redis carries it from B to A

    redis.stop()
    await agent.send({"type": "message", "conversation_id": conversation_id, "client_id": "agent-1",
                      "text": "Ich schaue nach Ihrem Antrag."})
    ack = await agent.expect_type("ack", client_id="agent-1")
    assert ack["delivery"] == "delayed"
    notice = await agent.expect_type("error", code="delivery_delayed")
    assert "gespeichert" in notice["message"] and "Zustellung verzögert" in notice["message"]

    first = await citizen.say("Danke, ich warte.")
    second = await citizen.say("Es eilt ein wenig.")
    assert first["delivery"] == second["delivery"] == "delayed"
    told = await citizen.expect_type("error", code="delivery_delayed")
    assert told["client_id"] is None and "gespeichert" in told["message"]
    await asyncio.sleep(0.5)
    errors = [f for f in citizen.frames + agent.frames if f.get("type") == "error"]
    assert [e["code"] for e in errors] == ["delivery_delayed", "delivery_delayed"]  # once each, nothing generic

    redis.start()
    # A's citizen stream reads what B stored meanwhile; B's console gets an authoritative snapshot ...
    delayed = await citizen.expect(lambda f: f.get("type") == "message" and f.get("client_id") == "agent-1",
                                   timeout=30, what="the agent's message after Redis returned")
    assert delayed["text"] == "Ich schaue nach Ihrem Antrag."
    snapshot = await agent.expect_type("snapshot", timeout=30)
    assert conversation_id in [c["id"] for c in snapshot["mine"]]
    # ... and, like the console after every snapshot, reopens its conversation with the citizen's messages.
    await agent.send({"type": "open", "conversation_id": conversation_id})
    opened = await agent.expect(lambda f: f.get("type") == "conversation"
                                and f["conversation"]["id"] == conversation_id)
    texts = [m.get("text") for m in opened["messages"]]
    assert "Danke, ich warte." in texts and "Es eilt ein wenig." in texts

    async def both_subscribed_again() -> bool:
        return all(server_runtime(s).pubsub.healthy for s in (a, b))

    await wait_until(both_subscribed_again, timeout=15)
    live = await citizen.say("Sind Sie noch da?")
    assert "delivery" not in live
    await agent.expect(lambda f: f.get("type") == "message" and f.get("text") == "Sind Sie noch da?")
    await agent.send({"type": "message", "conversation_id": conversation_id, "client_id": "agent-2", "text": "Ja."})
    assert "delivery" not in await agent.expect_type("ack", client_id="agent-2")
    await citizen.expect(lambda f: f.get("type") == "message" and f.get("client_id") == "agent-2")
    await citizen.close()
    await agent.close()


def server_runtime(server: AppServer):
    return server.server.config.app.state.handover
