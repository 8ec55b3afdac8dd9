"""Two app replicas on the same PostgreSQL with Redis pub/sub: a citizen on A and agents on A and B talk in
real time, and exactly one of two simultaneous claims on different replicas wins."""

from __future__ import annotations

import asyncio
import uuid

from sqlalchemy import func, select

from handover.domain.models.conversations import HandoverEvent
from tests.handover.conftest import AgentConsole, Citizen


async def test_handover_across_replicas(postgres_server, postgres_replica):
    a, b = postgres_server, postgres_replica
    on_b = await AgentConsole.connect(b, b.add_agent())
    on_a = await AgentConsole.connect(a, a.add_agent())
    for _round in range(3):
        citizen = await Citizen.connect(a)
        conversation_id = citizen.welcome["conversation_id"]
        await citizen.say("Ich brauche Hilfe bei meiner Ummeldung.")
        await citizen.send({"type": "request_human"})
        await citizen.expect_type("state", state="waiting")
        # the queue event reaches the console on the other replica
        for console in (on_a, on_b):
            await console.expect(lambda f: f.get("type") == "handover" and f["conversation"]["id"] == conversation_id)
        await asyncio.gather(*(c.send({"type": "claim", "conversation_id": conversation_id}) for c in (on_a, on_b)))
        outcomes = await asyncio.gather(*(c.expect(
            lambda f: f.get("type") in ("conversation", "claim_failed")
            and (f.get("conversation_id") == conversation_id
                 or f.get("conversation", {}).get("id") == conversation_id)) for c in (on_a, on_b)))
        assert sorted(o["type"] for o in outcomes) == ["claim_failed", "conversation"]
        assigned = a.db.run_sync(lambda s: s.scalar(select(func.count()).select_from(HandoverEvent).where(
            HandoverEvent.conversation_id == conversation_id, HandoverEvent.kind == "assigned")))
        assert assigned == 1
        winner = (on_a, on_b)[[o["type"] for o in outcomes].index("conversation")]
        loser = on_b if winner is on_a else on_a
        await loser.expect(lambda f: f.get("type") == "claimed" and f["conversation_id"] == conversation_id)

        # real-time both ways between the replicas
        client_id = uuid.uuid4().hex
        await winner.send({"type": "message", "conversation_id": conversation_id, "client_id": client_id,
                           "text": "Hallo, ich bin für Sie da."})
        reply = await citizen.expect(lambda f: f.get("type") == "message" and f.get("client_id") == client_id)
        assert reply["sender"] == "agent"
        await citizen.say("Super, danke!")
        await winner.expect(lambda f: f.get("type") == "message" and f.get("text") == "Super, danke!")
        await citizen.send({"type": "typing", "active": True})
        await winner.expect(lambda f: f.get("type") == "typing" and f.get("sender") == "citizen")
        await winner.send({"type": "close", "conversation_id": conversation_id, "resolution": "resolved"})
        await citizen.expect_type("state", state="closed")
        await citizen.close()

    # a reload may land on the other replica: the token resumes the same conversation with its history
    resumed = await Citizen.connect(b, token=citizen.token, last_seq=0)
    assert resumed.welcome["conversation_id"] == conversation_id and resumed.welcome["state"] == "closed"
    assert any(f.get("text") == "Hallo, ich bin für Sie da." for f in resumed.backlog)
    await resumed.close()
    await on_a.close()
    await on_b.close()
