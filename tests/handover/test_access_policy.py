"""Least privilege for agents and the access audit log, over the real app on SQLite and PostgreSQL: two agents of
different departments (Bürgerbüro, Standesamt), a supervisor who sees everything and an admin who reads the log.

Rasa is down in these servers, so the bot's knowledge answer that gives a conversation its topic is stored the
way bot_replies.py stores one (a bot message with the `knowledge` payload of docs/bot-payloads.md)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timedelta, timezone

import httpx
from sqlalchemy import func, select

from handover.domain.conversations.core import append_event
from handover.domain.conversations.retention import purge
from handover.domain.models.access_audit import AccessAuditEntry
from handover.domain.models.conversations import Conversation, HandoverEvent, InternalNote, Message, Ticket
from tests.handover.conftest import PASSWORD, AgentConsole, Citizen

FORBIDDEN_ACTIONS = [
    {"type": "open"},
    {"type": "note", "text": "Darf ich nicht"},
    {"type": "typing", "active": True},
    {"type": "read", "seq": 1},
    {"type": "close", "resolution": "resolved"},
    {"type": "return_to_bot"},
]


def answered_with_article(server, conversation_id: str, department: str) -> None:
    """A knowledge answer of the bot whose article belongs to `department`'s office: the conversation's topic."""
    def work(session):
        conversation = session.get(Conversation, conversation_id)
        append_event(session, conversation, sender="bot", text="So beantragen Sie das …", payload={
            "type": "knowledge", "version": 1, "decision": "answer", "query": "Frage", "score": 0.95,
            "article": {"id": f"artikel-{department}", "title": "Ein Artikel",
                        "office": {"key": department, "name": department, "department": department}},
            "candidates": [], "related": [], "feedback": True,
        })

    server.db.run_sync(work)


def audit_of(server, conversation_id: str) -> list[tuple[str, str]]:
    return server.db.run_sync(lambda s: [(e.agent_username, e.action) for e in s.scalars(
        select(AccessAuditEntry).where(AccessAuditEntry.conversation_id == conversation_id)
        .order_by(AccessAuditEntry.id))])


async def refused(console: AgentConsole, conversation_id: str, frame: dict) -> dict:
    await console.send({**frame, "conversation_id": conversation_id})
    return await console.expect(lambda f: f.get("type") == "error" and f.get("conversation_id") == conversation_id,
                                what=f"refusal of {frame['type']}")


async def login(server, account: dict) -> httpx.AsyncClient:
    http = httpx.AsyncClient(base_url=server.base)
    response = await http.post("/console/login", data={"username": account["username"], "password": PASSWORD},
                               headers={"Accept": "application/json"})
    assert response.status_code == 200, response.text
    http.headers["X-CSRF-Token"] = response.json()["csrf_token"]
    return http


async def test_agents_act_only_within_their_departments_and_every_transcript_read_is_audited(server):
    office = server.add_agent(departments=("buergerbuero",))
    registry = server.add_agent(departments=("standesamt",))
    supervisor = server.add_agent(role="supervisor")
    admin = server.add_agent(role="admin")
    a = await AgentConsole.connect(server, office)
    b = await AgentConsole.connect(server, registry)
    citizen = await Citizen.connect(server, department="buergerbuero")
    conversation_id = citizen.welcome["conversation_id"]
    await citizen.say("Meine Meldeadresse ist Hauptstraße 1.")
    await citizen.send({"type": "request_human"})
    await citizen.expect_type("state", state="waiting")
    await a.expect(lambda f: f.get("type") == "handover" and f["conversation"]["id"] == conversation_id)

    # waiting in the Bürgerbüro's queue: the Standesamt agent can neither read it nor act on it
    for frame in FORBIDDEN_ACTIONS:
        error = await refused(b, conversation_id, frame)
        assert error["code"] == "forbidden" and "Fachbereich" in error["message"], frame
    await b.send({"type": "claim", "conversation_id": conversation_id})
    failed = await b.expect_type("claim_failed", conversation_id=conversation_id)
    assert failed["code"] == "forbidden"
    await b.send({"type": "ping"})
    await b.expect_type("pong")  # the socket stays open after all refusals
    stored = server.db.run_sync(lambda s: (
        s.get(Conversation, conversation_id).state,
        s.scalar(select(func.count()).select_from(InternalNote)
                 .where(InternalNote.conversation_id == conversation_id))))
    assert stored == ("waiting", 0)
    assert not any(f.get("type") == "handover" and f["conversation"]["id"] == conversation_id for f in b.frames)
    assert not any(q["department"] == "buergerbuero" for f in b.frames if f.get("type") == "queue_update"
                   for q in f["queues"])

    # the Bürgerbüro agent claims it; the Standesamt agent still cannot open it, the supervisor can
    await a.send({"type": "claim", "conversation_id": conversation_id})
    opened = await a.expect(lambda f: f.get("type") == "conversation" and f["conversation"]["id"] == conversation_id)
    assert any(m.get("text") == "Meine Meldeadresse ist Hauptstraße 1." for m in opened["messages"])
    assert (await refused(b, conversation_id, {"type": "open"}))["code"] == "forbidden"
    s = await AgentConsole.connect(server, supervisor)
    await s.send({"type": "open", "conversation_id": conversation_id})
    await s.expect(lambda f: f.get("type") == "conversation" and f["conversation"]["id"] == conversation_id)

    # HTTP: the transcript API and its export follow the same rule and are audited too
    b_http, a_http = await login(server, registry), await login(server, office)
    assert (await b_http.get(f"/api/console/conversations/{conversation_id}")).status_code == 403
    assert (await b_http.get(f"/api/console/conversations/{conversation_id}/export")).status_code == 403
    transcript = await a_http.get(f"/api/console/conversations/{conversation_id}")
    assert transcript.status_code == 200 and transcript.json()["conversation"]["id"] == conversation_id
    export = await a_http.get(f"/api/console/conversations/{conversation_id}/export")
    assert export.status_code == 200 and "attachment" in export.headers["content-disposition"]
    assert "Bürger/in: Meine Meldeadresse ist Hauptstraße 1." in export.text
    assert (await a_http.get("/api/console/conversations/gibtesnicht/export")).status_code == 404

    assert audit_of(server, conversation_id) == [
        (office["username"], "claim"), (supervisor["username"], "open"),
        (office["username"], "transcript"), (office["username"], "export"),
    ]

    # GDPR Art. 15 — who saw conversation X: admins only
    assert (await a_http.get(f"/api/console/conversations/{conversation_id}/access-log")).status_code == 403
    s_http = await login(server, supervisor)
    assert (await s_http.get("/api/console/access-audit")).status_code == 403
    admin_http = await login(server, admin)
    who = (await admin_http.get(f"/api/console/conversations/{conversation_id}/access-log")).json()
    people = {p["agent"]["username"]: p for p in who["people"]}
    assert set(people) == {office["username"], supervisor["username"]}
    assert people[office["username"]]["count"] == 3
    assert people[office["username"]]["actions"] == ["claim", "transcript", "export"]
    assert people[office["username"]]["first_access"] <= people[office["username"]]["last_access"]
    by_agent = (await admin_http.get("/api/console/access-audit",
                                     params={"agent_id": supervisor["id"], "limit": 1})).json()
    assert [(e["conversation_id"], e["action"]) for e in by_agent["entries"]] == [(conversation_id, "open")]
    page = (await admin_http.get("/api/console/access-audit",
                                 params={"conversation_id": conversation_id, "limit": 2})).json()
    assert [e["action"] for e in page["entries"]] == ["export", "transcript"] and page["next_before_id"]
    rest = (await admin_http.get("/api/console/access-audit", params={
        "conversation_id": conversation_id, "before_id": page["next_before_id"]})).json()
    assert [e["action"] for e in rest["entries"]] == ["open", "claim"] and rest["next_before_id"] is None
    csv = await admin_http.get("/api/console/access-audit.csv", params={"conversation_id": conversation_id})
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    lines = csv.text.lstrip("\ufeff").strip().splitlines()
    assert lines[0].startswith("time,agent_id,username") and len(lines) == 5
    assert f"{office['username']},{office['display_name']},agent,{conversation_id},claim" in lines[1]

    # transferred to the Standesamt: the Bürgerbüro agent stops following it, the Standesamt agent may open it
    await a.send({"type": "transfer", "conversation_id": conversation_id, "department": "standesamt"})
    lost = await a.expect(lambda f: f.get("type") == "error" and f.get("conversation_id") == conversation_id)
    assert lost["code"] == "forbidden"
    await a.send({"type": "note", "conversation_id": conversation_id, "text": "Noch eine Notiz"})
    assert (await a.expect_type("error", conversation_id=conversation_id))["code"] == "forbidden"
    await b.send({"type": "open", "conversation_id": conversation_id})
    await b.expect(lambda f: f.get("type") == "conversation" and f["conversation"]["id"] == conversation_id)
    await b.send({"type": "close", "conversation_id": conversation_id, "resolution": "forwarded"})
    await citizen.expect_type("state", state="closed")
    assert audit_of(server, conversation_id)[-1] == (registry["username"], "open")

    for http in (a_http, b_http, s_http, admin_http):
        await http.aclose()
    for socket in (citizen, a, b, s):
        await socket.close()


async def test_watch_list_shows_each_agent_only_the_topics_of_its_departments(server):
    office = server.add_agent(departments=("buergerbuero",))
    registry = server.add_agent(departments=("standesamt",))
    a = await AgentConsole.connect(server, office)
    b = await AgentConsole.connect(server, registry)
    s = await AgentConsole.connect(server, server.add_agent(role="supervisor"))
    marriage = await Citizen.connect(server)  # no department named by the page: the topic decides
    marriage_id = marriage.welcome["conversation_id"]
    answered_with_article(server, marriage_id, "standesamt")
    general = await Citizen.connect(server)  # no topic yet: the default queue, which every agent serves
    general_id = general.welcome["conversation_id"]
    await general.say("Guten Tag")
    await marriage.say("Wir möchten heiraten, welche Unterlagen brauchen wir?")

    def watching(*conversation_ids):
        return lambda f: f.get("type") == "watch_update" and set(conversation_ids) <= {c["id"] for c in f["watch"]}

    update = await b.expect(watching(marriage_id, general_id), timeout=10)
    entry = next(c for c in update["watch"] if c["id"] == marriage_id)
    assert entry["topic_department"] == "standesamt"
    await s.expect(watching(marriage_id, general_id), timeout=10)
    await a.expect(watching(general_id), timeout=10)
    await asyncio.sleep(0.5)  # the broadcast that carried the marriage to b and s has reached a, too
    await a.send({"type": "ping"})
    await a.expect_type("pong")  # everything sent before is read now
    seen_by_a = [c["id"] for f in a.frames if f.get("type") == "watch_update" for c in f["watch"]]
    assert general_id in seen_by_a and marriage_id not in seen_by_a
    a_again = await AgentConsole.connect(server, office)  # the snapshot follows the same rule
    assert marriage_id not in [c["id"] for c in a_again.snapshot["watch"]]
    assert general_id in [c["id"] for c in a_again.snapshot["watch"]]

    # the Bürgerbüro agent can neither take it over, nor read, close or return it
    await a.send({"type": "takeover", "conversation_id": marriage_id})
    assert (await a.expect_type("claim_failed", conversation_id=marriage_id))["code"] == "forbidden"
    for frame in ({"type": "open"}, {"type": "close", "resolution": "spam"}, {"type": "return_to_bot"}):
        assert (await refused(a, marriage_id, frame))["code"] == "forbidden"

    # the Standesamt agent takes it over proactively: the transcript, the events and the audit log say who
    await b.send({"type": "takeover", "conversation_id": marriage_id})
    opened = await b.expect(lambda f: f.get("type") == "conversation" and f["conversation"]["id"] == marriage_id)
    assert opened["conversation"]["department"] == "standesamt"
    line = next(m for m in opened["messages"] if m["type"] == "message" and m["sender"] == "system"
                and (m.get("payload") or {}).get("state") == "agent")
    assert f"{registry['display_name']} (Standesamt) hat das Gespräch übernommen" in line["text"]
    state = await marriage.expect_type("state", state="agent", reason="proactive")
    assert state["agent"]["display_name"] == registry["display_name"]
    events = server.db.run_sync(lambda s: [(e.kind, e.reason, e.agent_id, e.note) for e in s.scalars(
        select(HandoverEvent).where(HandoverEvent.conversation_id == marriage_id).order_by(HandoverEvent.id))])
    assert events[0][:3] == ("requested", "proactive", registry["id"]) and registry["username"] in events[0][3]
    assert events[1][0] == "assigned" and events[1][2] == registry["id"]
    stored_line = server.db.run_sync(lambda s: s.scalar(select(Message).where(
        Message.conversation_id == marriage_id, Message.seq == line["seq"])))
    assert stored_line.agent_id == registry["id"]
    assert audit_of(server, marriage_id) == [(registry["username"], "takeover")]
    await b.send({"type": "close", "conversation_id": marriage_id, "resolution": "resolved"})
    await marriage.expect_type("state", state="closed")
    for socket in (marriage, general, a, a_again, b, s):
        await socket.close()


async def test_earlier_conversations_and_tickets_are_audited_and_purged_with_retention(server):
    citizen_key = "merken-" + uuid.uuid4().hex
    earlier = await Citizen.connect(server, citizen_key=citizen_key)
    earlier_id = earlier.welcome["conversation_id"]
    await earlier.say("Letztes Jahr: Frage zur Hundesteuer")
    await earlier.send({"type": "end"})
    await earlier.expect_type("state", state="closed")
    ticket_client = uuid.uuid4().hex
    await earlier.send({"type": "ticket", "client_id": ticket_client, "name": "Erika Mustermann",
                        "contact": "0123 456789", "concern": "Bitte rufen Sie mich an.", "consent": True})
    await earlier.expect_type("ack", client_id=ticket_client)
    await earlier.close()
    marriage = await Citizen.connect(server, citizen_key=citizen_key)
    marriage_id = marriage.welcome["conversation_id"]
    answered_with_article(server, earlier_id, "standesamt")  # the earlier one was about the Standesamt

    # a Bürgerbüro agent sees the current conversation (default queue) but not the Standesamt one in its context
    office = server.add_agent(departments=("buergerbuero",))
    a = await AgentConsole.connect(server, office)
    await a.send({"type": "open", "conversation_id": marriage_id})
    opened = await a.expect(lambda f: f.get("type") == "conversation" and f["conversation"]["id"] == marriage_id)
    assert opened["conversation"]["context"]["earlier_conversations"] == []
    supervisor = server.add_agent(role="supervisor")
    s = await AgentConsole.connect(server, supervisor)
    await s.send({"type": "open", "conversation_id": marriage_id})
    opened = await s.expect(lambda f: f.get("type") == "conversation" and f["conversation"]["id"] == marriage_id)
    assert [c["id"] for c in opened["conversation"]["context"]["earlier_conversations"]] == [earlier_id]
    assert audit_of(server, earlier_id) == [(supervisor["username"], "context")]

    # a ticket with the transcript attached is a transcript read as well
    s_http = await login(server, supervisor)
    ticket_id = server.db.run_sync(lambda session: session.scalar(
        select(Ticket.id).where(Ticket.conversation_id == earlier_id)))
    assert (await s_http.get(f"/api/console/tickets/{ticket_id}")).status_code == 200
    assert audit_of(server, earlier_id)[-1] == (supervisor["username"], "ticket")
    await s_http.aclose()

    # retention: entries older than the retention period go, recent ones stay
    long_ago = datetime.now(timezone.utc) - timedelta(days=400)
    old_conversation = uuid.uuid4().hex

    def seed(session):
        session.add(AccessAuditEntry(created_at=long_ago, agent_id=supervisor["id"], agent_username="alt",
                                     agent_display_name="Alt", agent_role="agent",
                                     conversation_id=old_conversation, action="open"))

    server.db.run_sync(seed)
    counts = server.db.run_sync(lambda session: purge(session, 180))
    assert counts["access_audit"] >= 1
    assert audit_of(server, old_conversation) == []
    assert audit_of(server, earlier_id)[0] == (supervisor["username"], "context")
    for socket in (marriage, a, s):
        await socket.close()
