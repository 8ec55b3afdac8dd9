"""Protocol limits, auth, office hours, tickets, transfer, console HTTP, metrics — over the real app."""

from __future__ import annotations

import json
import uuid

import httpx
import pytest
from sqlalchemy import select
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from handover.domain.models.conversations import Ticket
from tests.handover.conftest import AgentConsole, Citizen


async def test_malformed_and_oversized_frames_get_errors_and_keep_the_connection(server):
    citizen = await Citizen.connect(server)
    await citizen.send("das ist kein JSON")
    assert (await citizen.expect_type("error"))["code"] == "bad_frame"
    await citizen.send("[1, 2, 3]")
    assert (await citizen.expect_type("error"))["code"] == "bad_frame"
    await citizen.send({"type": "teleport"})
    assert (await citizen.expect_type("error"))["code"] == "unknown_type"
    await citizen.send({"type": "message", "client_id": "x1"})
    invalid = await citizen.expect_type("error")
    assert invalid["code"] == "invalid" and invalid["client_id"] == "x1"
    await citizen.send({"type": "message", "client_id": "x2", "text": "a" * 50_000})
    assert (await citizen.expect_type("error"))["code"] == "too_large"
    await citizen.send({"type": "message", "client_id": "x3", "text": "b" * 2001})
    too_long = await citizen.expect_type("error")
    assert too_long["code"] == "too_large" and too_long["client_id"] == "x3" and too_long["message"]
    await citizen.send({"type": "csat", "rating": 9})
    assert (await citizen.expect_type("error"))["code"] == "invalid"
    await citizen.send({"type": "ping"})
    await citizen.expect_type("pong")
    await citizen.close()


async def test_first_frame_must_be_hello_and_version_is_checked(server):
    async with connect(f"{server.ws_base}/ws/citizen") as ws:
        await ws.send(json.dumps({"type": "message", "client_id": "a", "text": "hallo"}))
        frame = json.loads(await ws.recv())
        assert frame["type"] == "error" and frame["code"] == "invalid"
        await ws.send(json.dumps({"type": "hello", "version": 99}))
        frame = json.loads(await ws.recv())
        assert frame["code"] == "unsupported_version"
        with pytest.raises(ConnectionClosed) as closed:
            await ws.recv()
        assert closed.value.rcvd.code == 4400


async def test_rate_limit_per_conversation(server):
    citizen = await Citizen.connect(server)
    limit = server.settings.rate_limit_messages
    for index in range(limit):
        await citizen.send({"type": "message", "client_id": f"r{index}", "text": f"Nachricht {index}"})
    await citizen.send({"type": "message", "client_id": "over", "text": "eine zu viel"})
    error = await citizen.expect(lambda f: f.get("type") == "error" and f.get("code") == "rate_limited", timeout=15)
    assert error["client_id"] == "over"
    await citizen.close()


async def test_origin_allow_list(server):
    with pytest.raises(Exception) as refused:
        async with connect(f"{server.ws_base}/ws/citizen", origin="https://evil.example") as ws:
            await ws.recv()
    assert "4403" in str(refused.value) or "403" in str(refused.value)
    citizen = await Citizen.connect(server, origin="https://www.musterstadt.example")
    assert citizen.welcome["type"] == "welcome"
    await citizen.close()


async def test_token_never_opens_another_conversation(server):
    owner = await Citizen.connect(server)
    await owner.say("Meine Steuernummer ist geheim")
    forged = await Citizen.connect(server, token="erraten-" + uuid.uuid4().hex, last_seq=0)
    assert forged.welcome["resumed"] is False
    assert forged.welcome["conversation_id"] != owner.welcome["conversation_id"]
    assert forged.welcome["token"] != owner.token and forged.backlog == []
    again = await Citizen.connect(server, token=owner.token, last_seq=0)
    assert again.welcome["conversation_id"] == owner.welcome["conversation_id"]
    assert any(f.get("text") == "Meine Steuernummer ist geheim" for f in again.backlog)
    for c in (owner, forged, again):
        await c.close()


async def test_unauthenticated_console_and_agent_socket_are_refused(server):
    async with httpx.AsyncClient(base_url=server.base) as http:
        page = await http.get("/console", follow_redirects=False)
        assert page.status_code == 303 and page.headers["location"] == "/console/login"
        login_page = await http.get("/console/login")
        assert login_page.status_code == 200 and "Anmelden" in login_page.text
        assert (await http.get("/api/console/me")).status_code == 401
        assert (await http.get("/api/console/tickets")).status_code == 401
        wrong = await http.post("/console/login", data={"username": "niemand", "password": "falsch"},
                                headers={"Accept": "application/json"})
        assert wrong.status_code == 401
    with pytest.raises(ConnectionClosed) as closed:
        async with connect(f"{server.ws_base}/ws/agent") as ws:
            await ws.recv()
    assert closed.value.rcvd.code == 4401
    with pytest.raises(ConnectionClosed) as forged:
        async with connect(f"{server.ws_base}/ws/agent", additional_headers={"Cookie": "bb_session=gefaelscht"}) as ws:
            await ws.recv()
    assert forged.value.rcvd.code == 4401


async def test_login_cookie_flags_csrf_and_roles(server):
    account = server.add_agent()
    supervisor = server.add_agent(role="supervisor")
    async with httpx.AsyncClient(base_url=server.base) as http:
        response = await http.post("/console/login", data={"username": account["username"],
                                                           "password": "geheim-genug-123"})
        assert response.status_code == 303 and response.headers["location"] == "/console"
        cookies = response.headers.get_list("set-cookie")
        session_cookie = next(c for c in cookies if c.startswith("bb_session="))
        assert "HttpOnly" in session_cookie and "SameSite=strict" in session_cookie
        page = await http.get("/console")
        assert page.status_code == 200 and "<html" in page.text.lower()
        me = (await http.get("/api/console/me")).json()
        csrf = me["csrf_token"]
        assert me["agent"]["username"] == account["username"]
        body = {"title": "Begrüßung", "text": "Guten Tag, hier ist {agent_name} aus {city_name}.",
                "department": None, "shortcut": "hallo"}
        assert (await http.post("/api/console/canned", json=body)).status_code == 403  # no CSRF token
        created = await http.post("/api/console/canned", json=body, headers={"X-CSRF-Token": csrf})
        assert created.status_code == 201
        item = created.json()
        updated = await http.put(f"/api/console/canned/{item['id']}", json={**body, "title": "Hallo"},
                                 headers={"X-CSRF-Token": csrf})
        assert updated.json()["title"] == "Hallo"
        listed = (await http.get("/api/console/canned")).json()
        assert any(c["id"] == item["id"] and "{agent_name}" in c["text"] for c in listed)
        assert (await http.delete(f"/api/console/canned/{item['id']}", headers={"X-CSRF-Token": csrf})).status_code == 204
        assert (await http.get("/api/console/overview")).status_code == 403
        assert (await http.post("/console/logout", headers={"X-CSRF-Token": "falsch"})).status_code == 403
        out = await http.post("/console/logout", headers={"X-CSRF-Token": csrf, "Accept": "application/json"})
        assert out.status_code == 200
        assert (await http.get("/api/console/me")).status_code == 401
    async with httpx.AsyncClient(base_url=server.base) as http:
        await http.post("/console/login", data={"username": supervisor["username"], "password": "geheim-genug-123"})
        overview = await http.get("/api/console/overview")
        assert overview.status_code == 200
        assert {q["department"] for q in overview.json()["queues"]} >= {"servicecenter", "kfz", "standesamt"}


async def test_outside_office_hours_and_ticket_with_transcript(server):
    account = server.add_agent(departments=("buergerbuero",))
    agent = await AgentConsole.connect(server, account)  # online, but the Standesamt is closed by schedule
    citizen = await Citizen.connect(server, department="standesamt")
    assert citizen.welcome["office_hours"] == {"open": False, "department": "standesamt", "next_open": None}
    await citizen.say("Ich möchte einen Termin zur Eheschließung.")
    await citizen.send({"type": "request_human"})
    notice = await citizen.expect(lambda f: f.get("type") == "message" and f.get("sender") == "system"
                                  and "Standesamt" in f.get("text", ""))
    assert "nicht erreichbar" in notice["text"]
    state = await citizen.expect_type("state", reason="outside_office_hours")
    assert state["state"] == "bot" and state["offer_ticket"] is True

    client_id = uuid.uuid4().hex
    ticket_frame = {"type": "ticket", "client_id": client_id, "name": "Erika Mustermann",
                    "contact": "erika@example.de", "concern": "Bitte um Rückruf wegen Eheschließung.",
                    "consent": True}
    await citizen.send(ticket_frame)
    ack = await citizen.expect_type("ack", client_id=client_id)
    created = await citizen.expect_type("ticket_created")
    assert created["seq"] == ack["seq"] and created["reference"].startswith("T-")
    await citizen.send(ticket_frame)  # resend: same ticket
    assert (await citizen.expect_type("ack", client_id=client_id))["seq"] == ack["seq"]
    tickets = server.db.run_sync(lambda s: s.scalars(select(Ticket).where(
        Ticket.conversation_id == citizen.welcome["conversation_id"])).all())
    assert len(tickets) == 1 and tickets[0].department == "standesamt"
    assert any(m["text"] == "Ich möchte einen Termin zur Eheschließung." for m in tickets[0].transcript)

    supervisor = await AgentConsole.connect(server, server.add_agent(role="supervisor"))
    assert any(t["reference"] == created["reference"] for t in supervisor.snapshot["tickets"])
    async with httpx.AsyncClient(base_url=server.base, cookies={"bb_session": supervisor.cookie}) as http:
        listed = (await http.get("/api/console/tickets")).json()
        entry = next(t for t in listed if t["reference"] == created["reference"])
        detail = (await http.get(f"/api/console/tickets/{entry['id']}")).json()
        assert detail["contact"] == "erika@example.de" and detail["transcript"]
        patched = await http.patch(f"/api/console/tickets/{entry['id']}", json={"status": "done"},
                                   headers={"X-CSRF-Token": supervisor.csrf})
        assert patched.status_code == 200 and patched.json()["status"] == "done"
    update = await supervisor.expect(lambda f: f.get("type") == "ticket"
                                     and f["ticket"]["reference"] == created["reference"])
    assert update["ticket"]["status"] == "done"
    # an agent of another department does not see the Standesamt's tickets
    assert not any(t["reference"] == created["reference"] for t in agent.snapshot["tickets"])
    for socket in (citizen, agent, supervisor):
        await socket.close()


async def test_nobody_online_in_department_offers_ticket(server):
    citizen = await Citizen.connect(server, department="kfz")
    await citizen.send({"type": "request_human"})
    state = await citizen.expect_type("state", reason="no_agent_online")
    assert state["offer_ticket"] is True and state["state"] == "bot"
    await citizen.close()


async def test_transfer_to_department_and_to_agent(server):
    first = server.add_agent(departments=("servicecenter", "buergerbuero"))
    second = server.add_agent(departments=("buergerbuero",))
    a1 = await AgentConsole.connect(server, first)
    a2 = await AgentConsole.connect(server, second)
    citizen = await Citizen.connect(server)
    conversation_id = citizen.welcome["conversation_id"]
    await citizen.send({"type": "request_human"})
    await citizen.expect_type("state", state="waiting")
    await a1.send({"type": "claim", "conversation_id": conversation_id})
    await a1.expect_type("conversation")
    await citizen.expect_type("state", state="agent")

    await a1.send({"type": "transfer", "conversation_id": conversation_id, "department": "buergerbuero",
                   "note": "Bitte Meldebescheinigung prüfen"})
    waiting = await citizen.expect_type("state", state="waiting", reason="transferred")
    assert waiting["queue"]["position"] >= 1
    notice = await a2.expect(lambda f: f.get("type") == "handover" and f["conversation"]["id"] == conversation_id
                             and f["conversation"]["department"] == "buergerbuero")
    assert notice["conversation"]["state"] == "waiting"
    await a2.send({"type": "claim", "conversation_id": conversation_id})
    opened = await a2.expect_type("conversation")
    assert any("Meldebescheinigung" in n["text"] for n in opened["notes"])
    await citizen.expect_type("state", state="agent")

    await a2.send({"type": "transfer", "conversation_id": conversation_id, "agent_id": first["id"],
                   "note": "Zurück an dich"})
    assigned = await a1.expect_type("assigned")
    assert assigned["conversation"]["id"] == conversation_id and assigned["note"] == "Zurück an dich"
    await a1.expect(lambda f: f.get("type") == "conversation" and f["conversation"]["id"] == conversation_id)
    state = await citizen.expect_type("state", state="agent", reason="transferred")
    assert state["agent"]["display_name"] == first["display_name"]
    # the previous holder may no longer write
    await a2.send({"type": "message", "conversation_id": conversation_id, "client_id": "x", "text": "hallo"})
    assert (await a2.expect_type("error"))["code"] == "forbidden"
    await a1.send({"type": "close", "conversation_id": conversation_id, "resolution": "forwarded"})
    await citizen.expect_type("state", state="closed")
    for socket in (citizen, a1, a2):
        await socket.close()


async def test_watch_list_and_proactive_takeover(server):
    account = server.add_agent()
    agent = await AgentConsole.connect(server, account)
    citizen = await Citizen.connect(server)
    conversation_id = citizen.welcome["conversation_id"]
    await citizen.say("Wo kann ich meinen Sperrmüll anmelden?")
    update = await agent.expect(lambda f: f.get("type") == "watch_update"
                                and any(c["id"] == conversation_id for c in f["watch"]))
    entry = next(c for c in update["watch"] if c["id"] == conversation_id)
    assert entry["state"] == "bot" and entry["last_message"] is not None  # the latest line (citizen or system)
    await agent.send({"type": "takeover", "conversation_id": conversation_id})
    await agent.expect_type("conversation")
    await citizen.expect_type("state", state="agent", reason="proactive")
    await agent.send({"type": "close", "conversation_id": conversation_id, "resolution": "resolved"})
    await citizen.close()
    await agent.close()


async def test_health_metrics_widget_and_demo_pages(server):
    citizen = await Citizen.connect(server)
    async with httpx.AsyncClient(base_url=server.base) as http:
        metrics = (await http.get("/metrics")).text
        assert 'buergerbot_open_websockets{kind="citizen"}' in metrics
        assert "buergerbot_rasa_latency_seconds" in metrics and "buergerbot_queue_length" in metrics
        assert (await http.get("/health")).status_code == 200
        widget = await http.get("/widget.js")
        assert widget.status_code in (200, 404)
        if widget.status_code == 404:
            assert "make widget" in widget.text
        assert (await http.get("/")).status_code == 200
    await citizen.close()


async def test_context_has_earlier_conversations_and_agent_can_push_an_article(server):
    citizen_key = "merken-" + uuid.uuid4().hex
    earlier = await Citizen.connect(server, citizen_key=citizen_key)
    await earlier.say("Letzte Woche: Frage zum Wohngeld")
    await earlier.send({"type": "end"})
    await earlier.expect_type("state", state="closed")
    await earlier.send({"type": "feedback", "seq": 1, "helpful": True})  # seq 1 is not a bot answer
    await earlier.expect_type("error", code="not_found")
    await earlier.close()

    agent = await AgentConsole.connect(server, server.add_agent())
    citizen = await Citizen.connect(server, citizen_key=citizen_key)
    conversation_id = citizen.welcome["conversation_id"]
    await citizen.send({"type": "request_human"})
    await citizen.expect_type("state", state="waiting")
    await agent.send({"type": "claim", "conversation_id": conversation_id})
    opened = await agent.expect(lambda f: f.get("type") == "conversation"
                                and f["conversation"]["id"] == conversation_id)
    history = opened["conversation"]["context"]["earlier_conversations"]
    assert [h["id"] for h in history] == [earlier.welcome["conversation_id"]]
    assert any(m["text"] == "Letzte Woche: Frage zum Wohngeld" for m in history[0]["messages"])

    article = server.server.config.app.state.knowledge.articles()[0]
    await agent.send({"type": "push_article", "conversation_id": conversation_id, "article_id": article.id})
    pushed = await citizen.expect(lambda f: f.get("type") == "message" and f.get("sender") == "agent")
    # the same card as the bot's answer: summary as text; title, Stand, office and links in the knowledge payload
    card = pushed["payload"]
    assert card["type"] == "knowledge" and card["decision"] == "answer" and card["pushed"] is True
    assert card["article"]["id"] == article.id and card["article"]["updated"] == article.updated.isoformat()
    assert card["article"]["office"]["name"] == article.office.name and card["feedback"] is False
    assert pushed["text"] == article.summary.strip()
    await agent.send({"type": "push_article", "conversation_id": conversation_id, "article_id": "gibt-es-nicht"})
    await agent.expect_type("error", code="not_found")
    await agent.send({"type": "close", "conversation_id": conversation_id, "resolution": "resolved"})
    await citizen.expect_type("state", state="closed")
    await citizen.close()
    await agent.close()
