"""Strict input on both websockets, over the real app on SQLite and PostgreSQL: the cases of issue 11 that dropped
the socket, were coerced or stored, answered with an error frame naming the field — the socket stays open and
nothing is stored."""

from __future__ import annotations

import json
import uuid

import pytest
from sqlalchemy import func, select
from websockets.asyncio.client import connect

from handover.domain.models.conversations import Conversation, InternalNote, Message, PendingRelay, Ticket
from tests.handover.conftest import AgentConsole, Citizen, Socket


def count(server, model, **where) -> int:
    query = select(func.count()).select_from(model)
    for column, value in where.items():
        query = query.where(getattr(model, column) == value)
    return server.db.run_sync(lambda s: s.scalar(query))


async def error_for(socket: Socket, frame) -> dict:
    await socket.send(frame)
    return await socket.expect_type("error")


async def still_open(socket: Socket) -> None:
    await socket.send({"type": "ping"})
    await socket.expect_type("pong")


async def test_bad_frames_before_hello_are_answered_and_create_no_conversation(server):
    conversations = count(server, Conversation)
    async with connect(f"{server.ws_base}/ws/citizen") as ws:
        socket = Socket(ws)
        hello = {"type": "hello", "version": 1, "last_seq": 0, "language": "de"}
        error = await error_for(socket, {**hello, "last_seq": 2**63})  # dropped the socket with 1006 on SQLite
        assert error["code"] == "invalid" and error["field"] == "last_seq" and "last_seq" in error["message"]
        error = await error_for(socket, {**hello, "last_seq": -1})
        assert error["field"] == "last_seq"
        nested = '{"type":"hello","page":' + "[" * 5000 + "]" * 5000 + "}"  # RecursionError before
        error = await error_for(socket, nested)
        assert error["code"] == "bad_frame" and "verschachtelt" in error["message"]
        error = await error_for(socket, {**hello, "page": "https://www.musterstadt.example/\x00"})
        assert error["code"] == "invalid" and error["field"] == "page" and "NUL" in error["message"]
        error = await error_for(socket, {**hello, "version": "1"})
        assert error["code"] == "invalid" and error["field"] == "version"
        error = await error_for(socket, json.dumps(hello).encode())  # JSON, but in a binary frame
        assert error["code"] == "bad_frame" and "Binär" in error["message"]
        assert count(server, Conversation) == conversations
        # the same socket is greeted by the first valid hello
        await socket.send({**hello, "last_seq": 2**63 - 1})
        welcome = await socket.expect_type("welcome")
        assert welcome["resumed"] is False
    assert count(server, Conversation) == conversations + 1


async def test_citizen_frames_are_strict_and_rejected_ones_store_nothing(server):
    citizen = await Citizen.connect(server)
    conversation_id = citizen.welcome["conversation_id"]
    stored = count(server, Message, conversation_id=conversation_id)

    for frame, field in (
        ({"type": "csat", "rating": "5"}, "rating"),
        ({"type": "typing", "active": "yes"}, "active"),
        ({"type": "read", "seq": 2**63}, "seq"),
        ({"type": "feedback", "seq": 1.0, "helpful": True}, "seq"),
        ({"type": "message", "client_id": "n1", "text": "Hallo\x00Welt"}, "text"),
        ({"type": "message", "client_id": 5, "text": "Hallo"}, "client_id"),
    ):
        error = await error_for(citizen, frame)
        assert error["code"] == "invalid" and error["field"] == field, (frame, error)
        assert f"„{field}“" in error["message"]
    assert (await error_for(citizen, b'{"type":"ping"}'))["code"] == "bad_frame"
    assert (await error_for(citizen, '{"type":"ping","x":' + "{\"a\":" * 30 + "1" + "}" * 30 + "}"))["code"] == \
        "bad_frame"

    blank = await error_for(citizen, {"type": "message", "client_id": "b1", "text": " \n\t\u200b "})
    assert blank["code"] == "invalid" and blank["field"] == "text" and "Leerzeichen" in blank["message"]
    assert blank["client_id"] == "b1"
    assert count(server, Message, conversation_id=conversation_id) == stored
    assert count(server, PendingRelay, conversation_id=conversation_id) == 0  # nothing went to Rasa

    # 1,400 "ü" escaped by the client (6 bytes each on the wire) are within the character limit: accepted
    umlauts = "ü" * 1400
    raw = json.dumps({"type": "message", "client_id": "u1", "text": umlauts})  # ensure_ascii: \u00fc
    assert len(raw.encode()) > server.settings.max_frame_bytes
    await citizen.send(raw)
    ack = await citizen.expect_type("ack", client_id="u1")
    text = server.db.run_sync(lambda s: s.scalar(select(Message.text).where(
        Message.conversation_id == conversation_id, Message.seq == ack["seq"])))
    assert text == umlauts
    too_long = await error_for(citizen, json.dumps({"type": "message", "client_id": "u2", "text": "ü" * 2001}))
    assert too_long["code"] == "too_large" and too_long["client_id"] == "u2"
    await still_open(citizen)
    await citizen.close()


async def test_ticket_contact_must_be_an_email_address_or_a_phone_number(server):
    citizen = await Citizen.connect(server)
    conversation_id = citizen.welcome["conversation_id"]
    ticket = {"type": "ticket", "name": "Erika Mustermann", "concern": "Bitte um Rückruf.", "consent": True}
    for contact in ("xyz", "erika@", "12 34", "erika at example.de"):
        error = await error_for(citizen, {**ticket, "client_id": uuid.uuid4().hex, "contact": contact})
        assert error["code"] == "invalid" and error["field"] == "contact", contact
        assert "E-Mail-Adresse" in error["message"] and "Telefonnummer" in error["message"]
    error = await error_for(citizen, {**ticket, "client_id": "c1", "contact": "erika@example.de", "consent": 1})
    assert error["field"] == "consent"
    assert count(server, Ticket, conversation_id=conversation_id) == 0
    for contact in ("erika.mustermann@example.de", "+49 (0)123 456789"):
        client_id = uuid.uuid4().hex
        await citizen.send({**ticket, "client_id": client_id, "contact": contact})
        await citizen.expect_type("ack", client_id=client_id)
    assert count(server, Ticket, conversation_id=conversation_id) == 2
    await citizen.close()


async def test_agent_frames_are_strict_and_rejected_ones_store_nothing(server):
    account = server.add_agent()
    agent = await AgentConsole.connect(server, account)
    citizen = await Citizen.connect(server)
    conversation_id = citizen.welcome["conversation_id"]
    await citizen.send({"type": "request_human"})
    await citizen.expect_type("state", state="waiting")
    await agent.send({"type": "claim", "conversation_id": conversation_id})
    await agent.expect(lambda f: f.get("type") == "conversation" and f["conversation"]["id"] == conversation_id)
    messages = count(server, Message, conversation_id=conversation_id)

    for frame, field in (
        ({"type": "read", "seq": 2**63}, "seq"),
        ({"type": "transfer", "agent_id": str(account["id"])}, "agent_id"),
        ({"type": "transfer", "agent_id": 2**31}, "agent_id"),
        ({"type": "typing", "active": 1}, "active"),
        ({"type": "note", "text": "Notiz\x00"}, "text"),
        ({"type": "note", "text": "   "}, "text"),
        ({"type": "message", "client_id": "m1", "text": "\u3000\n"}, "text"),
        ({"type": "close", "resolution": "erledigt"}, "resolution"),
    ):
        error = await error_for(agent, {**frame, "conversation_id": conversation_id})
        assert error["code"] == "invalid" and error["field"] == field, (frame, error)
    error = await error_for(agent, {"type": "open", "conversation_id": "ab\x00cd"})
    assert error["field"] == "conversation_id"
    assert (await error_for(agent, json.dumps({"type": "ping"}).encode()))["code"] == "bad_frame"
    assert (await error_for(agent, "[" * 100_000))["code"] in ("bad_frame", "too_large")
    await still_open(agent)
    assert count(server, Message, conversation_id=conversation_id) == messages
    assert count(server, InternalNote, conversation_id=conversation_id) == 0
    state = server.db.run_sync(lambda s: s.get(Conversation, conversation_id).state)
    assert state == "agent"

    await agent.send({"type": "close", "conversation_id": conversation_id, "resolution": "resolved"})
    await citizen.expect_type("state", state="closed")
    await citizen.close()
    await agent.close()


@pytest.mark.parametrize("frame", [
    {"type": "hello", "version": 1, "department": "a" * 65},
    {"type": "hello", "version": 1, "citizen_key": "kurz"},
    {"type": "hello", "version": 1, "language": "fr"},
])
async def test_hello_fields_within_their_columns(sqlite_server, frame):
    async with connect(f"{sqlite_server.ws_base}/ws/citizen") as ws:
        socket = Socket(ws)
        error = await error_for(socket, frame)
        assert error["code"] == "invalid" and error["field"] in frame and error["field"] != "type"
        await socket.send({"type": "hello", "version": 1})
        await socket.expect_type("welcome")
