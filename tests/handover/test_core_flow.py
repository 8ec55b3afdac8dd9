"""The core path over real websockets against the real app: persisted messages, seq/resume, idempotency,
handover with transcript, claim, agent reply, typing/read, return to bot, close + CSAT."""

from __future__ import annotations

import asyncio
import uuid

from sqlalchemy import func, select

from handover.domain.models.conversations import CsatRating, HandoverEvent, Message
from tests.handover.conftest import AgentConsole, Citizen


async def _queued(citizen: Citizen) -> dict:
    await citizen.send({"type": "request_human"})
    return await citizen.expect_type("state", state="waiting")


async def test_message_is_persisted_before_ack_and_resend_is_idempotent(server):
    citizen = await Citizen.connect(server)
    assert citizen.welcome["state"] == "bot" and citizen.welcome["resumed"] is False
    client_id = uuid.uuid4().hex
    first = await citizen.say("Wie beantrage ich einen Personalausweis?", client_id)
    conversation_id = citizen.welcome["conversation_id"]
    stored = server.db.run_sync(lambda s: s.scalar(
        select(Message).where(Message.conversation_id == conversation_id, Message.client_id == client_id)))
    assert stored is not None and stored.seq == first["seq"] and stored.sender == "citizen"

    second = await citizen.say("Wie beantrage ich einen Personalausweis?", client_id)  # network retry
    assert second["seq"] == first["seq"]
    count = server.db.run_sync(lambda s: s.scalar(
        select(func.count()).select_from(Message).where(Message.conversation_id == conversation_id,
                                                        Message.sender == "citizen")))
    assert count == 1
    await citizen.close()


async def test_rasa_down_tells_the_citizen_and_keeps_the_message(server):
    citizen = await Citizen.connect(server)
    ack = await citizen.say("Wann hat das Bürgerbüro geöffnet?")
    error = await citizen.expect_type("error", code="bot_unavailable")
    assert "nicht erreichbar" in error["message"]
    system = await citizen.expect(lambda f: f.get("type") == "message" and f.get("sender") == "system")
    assert "nicht erreichbar" in system["text"] and system["seq"] > ack["seq"]
    assert {"title": "Mit einem Menschen sprechen", "payload": "/request_human"} in system["buttons"]
    state = await citizen.expect_type("state", reason="bot_unavailable")
    assert state["offer_ticket"] is True and state["state"] == "bot"
    # the conversation keeps working: the next message is relayed again (and stored)
    again = await citizen.say("Noch eine Frage")
    assert again["seq"] > state["seq"]
    await citizen.expect_type("error", code="bot_unavailable")
    await citizen.send({"type": "ping"})
    await citizen.expect_type("pong")
    await citizen.close()


async def test_handover_claim_reply_resume_return_to_bot_close_and_csat(server):
    account = server.add_agent(departments=("buergerbuero",))
    agent = await AgentConsole.connect(server, account)
    assert agent.snapshot["agent"]["presence"] == "online"

    citizen = await Citizen.connect(server, citizen_key="schluessel-" + uuid.uuid4().hex[:16])
    conversation_id = citizen.welcome["conversation_id"]
    await citizen.say("Ich habe meinen Ausweis verloren, was nun?")
    waiting = await _queued(citizen)
    assert waiting["reason"] == "citizen_request"
    assert waiting["queue"]["position"] == 1 and waiting["queue"]["estimated_wait_seconds"] is not None

    notice = await agent.expect_type("handover")
    assert notice["conversation"]["id"] == conversation_id
    assert notice["conversation"]["department"] == "servicecenter"

    await agent.send({"type": "claim", "conversation_id": conversation_id})
    opened = await agent.expect_type("conversation")
    texts = [m.get("text") for m in opened["messages"] if m["type"] == "message"]
    assert "Ich habe meinen Ausweis verloren, was nun?" in texts  # full transcript incl. the bot's part
    assert opened["conversation"]["state"] == "agent"
    assert opened["conversation"]["context"]["reason"] == "citizen_request"
    assert opened["conversation"]["context"]["language"] == "de"

    state = await citizen.expect_type("state", state="agent")
    assert state["agent"]["display_name"] == account["display_name"]
    # the transcript keeps a line for each state change, marked so the widget shows its own wording instead
    for announced_state in ("waiting", "agent"):
        notice_line = await citizen.expect(
            lambda f: f.get("type") == "message" and f.get("sender") == "system" and f.get("payload"),
            what="state notice")
        assert notice_line["payload"] == {"type": "state_notice", "version": 1, "state": announced_state}
    assert account["display_name"] in notice_line["text"]

    # typing and read both ways
    await citizen.send({"type": "typing", "active": True})
    typing = await agent.expect_type("typing", conversation_id=conversation_id)
    assert typing["sender"] == "citizen" and typing["active"] is True
    await agent.send({"type": "typing", "conversation_id": conversation_id, "active": True})
    await citizen.expect_type("typing", sender="agent", active=True)

    # agent reply reaches the citizen, with the agent's name
    client_id = uuid.uuid4().hex
    await agent.send({"type": "message", "conversation_id": conversation_id, "client_id": client_id,
                      "text": "Guten Tag, ich helfe Ihnen gern."})
    ack = await agent.expect_type("ack", client_id=client_id)
    reply = await citizen.expect(lambda f: f.get("type") == "message" and f.get("sender") == "agent")
    assert reply["text"] == "Guten Tag, ich helfe Ihnen gern." and reply["seq"] == ack["seq"]
    assert reply["agent"]["display_name"] == account["display_name"]
    await citizen.send({"type": "read", "seq": reply["seq"]})
    await agent.expect_type("read", conversation_id=conversation_id, seq=reply["seq"])

    # citizen message while an agent holds it reaches the agent, not Rasa (no bot_unavailable error)
    await citizen.say("Danke! Brauche ich ein Foto?")
    incoming = await agent.expect(lambda f: f.get("type") == "message" and f.get("sender") == "citizen"
                                  and f.get("text") == "Danke! Brauche ich ein Foto?")
    assert incoming["conversation_id"] == conversation_id

    # disconnect, miss two messages, resume with token + last seq
    last_seen = reply["seq"]
    token = citizen.token
    await citizen.close()
    for text in ("Ja, ein biometrisches Passfoto.", "Und bitte bringen Sie die Verlustanzeige mit."):
        await agent.send({"type": "message", "conversation_id": conversation_id, "client_id": uuid.uuid4().hex,
                          "text": text})
        await agent.expect_type("ack")
    resumed = await Citizen.connect(server, token=token, last_seq=last_seen)
    assert resumed.welcome["resumed"] is True and resumed.welcome["conversation_id"] == conversation_id
    assert resumed.welcome["state"] == "agent"
    assert resumed.welcome["agent"]["display_name"] == account["display_name"]
    missed = [f for f in resumed.backlog if f["type"] == "message" and f["sender"] == "agent"]
    assert [m["text"] for m in missed] == ["Ja, ein biometrisches Passfoto.",
                                           "Und bitte bringen Sie die Verlustanzeige mit."]
    seqs = [f["seq"] for f in resumed.backlog]
    assert seqs == sorted(seqs) and seqs[0] == last_seen + 1 and seqs[-1] == resumed.welcome["last_seq"]

    # internal note stays internal
    await agent.send({"type": "note", "conversation_id": conversation_id, "text": "Verlustanzeige fehlt noch"})
    note = await agent.expect_type("note", conversation_id=conversation_id)
    assert note["note"]["text"] == "Verlustanzeige fehlt noch"

    # return to bot
    await agent.send({"type": "return_to_bot", "conversation_id": conversation_id})
    back = await resumed.expect_type("state", state="bot")
    assert back["reason"] == "returned_to_bot"
    await resumed.expect_type("error", code="bot_unavailable")  # back_to_bot went to (unreachable) Rasa

    # the bot has it again: a new message is relayed to Rasa, not to the agent
    await resumed.say("Noch etwas")
    await resumed.expect_type("error", code="bot_unavailable")

    # close with CSAT: take over again proactively, then close
    await agent.send({"type": "takeover", "conversation_id": conversation_id})
    await agent.expect_type("conversation")
    await resumed.expect_type("state", state="agent", reason="proactive")
    await agent.send({"type": "close", "conversation_id": conversation_id, "resolution": "resolved"})
    closed = await resumed.expect_type("state", state="closed")
    assert closed["csat"] is True
    await resumed.send({"type": "csat", "rating": 5, "comment": "Sehr freundlich"})
    await resumed.expect_type("csat_saved")
    rating = server.db.run_sync(lambda s: s.scalar(select(CsatRating).where(
        CsatRating.conversation_id == conversation_id)))
    assert rating.rating == 5 and rating.agent_id == account["id"]
    kinds = server.db.run_sync(lambda s: [e.kind for e in s.scalars(select(HandoverEvent).where(
        HandoverEvent.conversation_id == conversation_id).order_by(HandoverEvent.id))])
    assert kinds == ["requested", "queued", "assigned", "returned_to_bot", "requested", "assigned", "closed"]
    await resumed.close()
    await agent.close()


async def test_concurrent_claim_has_exactly_one_winner(server):
    accounts = [server.add_agent() for _ in range(3)]
    agents = [await AgentConsole.connect(server, a) for a in accounts]
    for _ in range(3):
        citizen = await Citizen.connect(server)
        conversation_id = citizen.welcome["conversation_id"]
        await _queued(citizen)
        for agent in agents:
            await agent.expect(lambda f: f.get("type") == "handover"
                               and f["conversation"]["id"] == conversation_id)
        await asyncio.gather(*(a.send({"type": "claim", "conversation_id": conversation_id}) for a in agents))
        outcomes = await asyncio.gather(*(a.expect(
            lambda f: f.get("type") in ("conversation", "claim_failed")
            and (f.get("conversation_id") == conversation_id
                 or f.get("conversation", {}).get("id") == conversation_id)) for a in agents))
        assert sorted(o["type"] for o in outcomes) == ["claim_failed", "claim_failed", "conversation"]
        holders = server.db.run_sync(lambda s: s.scalar(select(func.count()).select_from(HandoverEvent).where(
            HandoverEvent.conversation_id == conversation_id, HandoverEvent.kind == "assigned")))
        assert holders == 1
        winner = agents[[o["type"] for o in outcomes].index("conversation")]
        await winner.send({"type": "close", "conversation_id": conversation_id, "resolution": "resolved"})
        await citizen.expect_type("state", state="closed")
        await citizen.close()
    for agent in agents:
        await agent.close()
