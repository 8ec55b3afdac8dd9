"""Tickets agents can answer, over the real app (SQLite, and PostgreSQL with Redis) and a real SMTP server:
one confirmation in the chat and one by e-mail, the reply by e-mail with the concern quoted, the phone note,
status and assignee, the history; the honest handover texts; what the console hears when e-mail is off."""

from __future__ import annotations

import asyncio
import uuid

import httpx

from tests.handover.conftest import AgentConsole, Citizen


def unique_address(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}@example.de"


async def leave_ticket(server, *, department: str, contact: str, concern: str, say: str | None = None):
    """A citizen on a department's page asks for a person, is told nobody can take over, leaves a ticket."""
    citizen = await Citizen.connect(server, department=department)
    if say:
        await citizen.say(say)
    await citizen.send({"type": "request_human"})
    offer = await citizen.expect(lambda f: f.get("type") == "state" and f.get("offer_ticket"), timeout=10)
    client_id = uuid.uuid4().hex
    frame = {"type": "ticket", "client_id": client_id, "name": "Erika Mustermann", "contact": contact,
             "concern": concern, "consent": True}
    await citizen.send(frame)
    ack = await citizen.expect_type("ack", client_id=client_id)
    created = await citizen.expect_type("ticket_created")
    return citizen, offer, frame, ack, created


async def wait_for_history(client: httpx.AsyncClient, ticket_id: int, kind: str) -> list[dict]:
    for _ in range(200):
        entries = [e for e in (await client.get(f"/api/console/desk/tickets/{ticket_id}")).json()["history"]
                   if e["kind"] == kind]
        if entries:
            return entries
        await asyncio.sleep(0.05)
    raise AssertionError(f"no {kind} in the ticket's history")


def http(server, console: AgentConsole) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=server.base, cookies={"bb_session": console.cookie},
                             headers={"X-CSRF-Token": console.csrf, "Accept": "application/json"}, timeout=30)


async def test_ticket_confirmed_once_answered_by_email_and_by_phone(staff_server, smtp):
    server = staff_server
    address = unique_address("erika")
    citizen, offer, frame, ack, created = await leave_ticket(
        server, department="umwelt", contact=address, concern="Der Baum vor Haus 4 ist umgestürzt. Was nun?",
        say="Ich habe eine Frage zu einem Baum.")
    assert offer["reason"] == "no_agent_online"
    reference = created["reference"]
    account = server.add_agent(departments=("umwelt",))  # comes online after the ticket was left
    console = await AgentConsole.connect(server, account)

    # One confirmation in the chat: the ticket_created event, no second system line saying the same.
    await citizen.send(frame)  # a resend is the same ticket
    assert (await citizen.expect_type("ack", client_id=frame["client_id"]))["seq"] == ack["seq"]
    system_lines = [f for f in citizen.frames + citizen.pending
                    if f.get("type") == "message" and f.get("sender") == "system" and reference in (f.get("text") or "")]
    assert system_lines == []
    # One confirmation e-mail, in the citizen's language, naming the team (not its key) and the concern.
    [confirmation] = await smtp.wait_for(address)
    assert reference in confirmation.subject
    assert "„Umwelt und Grünflächen“" in confirmation.body and "umwelt" not in confirmation.body
    assert "Der Baum vor Haus 4 ist umgestürzt. Was nun?" in confirmation.body

    async with http(server, console) as client:
        listed = (await client.get("/api/console/desk/tickets")).json()
        entry = next(t for t in listed if t["reference"] == reference)
        assert entry["department"] == "umwelt" and entry["department_name"] == "Umwelt und Grünflächen"
        assert entry["has_email"] is True and entry["assignee"] is None and entry["status"] == "open"
        ticket_id = entry["id"]
        await wait_for_history(client, ticket_id, "confirmation")  # the e-mail went out in the background

        taken = await client.patch(f"/api/console/desk/tickets/{ticket_id}", json={"assignee_id": account["id"]})
        assert taken.status_code == 200 and taken.json()["assignee"]["display_name"] == account["display_name"]
        mine = (await client.get("/api/console/desk/tickets", params={"mine": "true"})).json()
        assert [t["reference"] for t in mine] == [reference]

        reply = await client.post(f"/api/console/desk/tickets/{ticket_id}/reply",
                                  json={"text": "Wir räumen den Baum heute noch weg.\nViele Grüße"})
        assert reply.status_code == 200, reply.text
        assert reply.json()["entry"]["mail"] == {"status": "sent", "error": None}
        assert reply.json()["ticket"]["status"] == "in_progress"  # answered: no longer open

        called = await client.post(f"/api/console/desk/tickets/{ticket_id}/calls",
                                   json={"text": "Rückruf: Baum ist weg, Bürgerin informiert.", "status": "done"})
        assert called.status_code == 200 and called.json()["ticket"]["status"] == "done"

        work = (await client.get(f"/api/console/desk/tickets/{ticket_id}")).json()
        assert work["email"] == address and work["language"] == "de" and work["mail"]["configured"] is True
        kinds = [(e["kind"], (e["mail"] or {}).get("status")) for e in work["history"]]
        assert kinds == [("concern", None), ("confirmation", "sent"), ("assignee", None), ("email", "sent"),
                         ("status", None), ("phone", None), ("status", None)]
        assert work["history"][0]["text"] == "Der Baum vor Haus 4 ist umgestürzt. Was nun?"
        assert work["history"][3]["text"].startswith("Wir räumen den Baum heute noch weg.")
        assert work["history"][3]["author"]["display_name"] == account["display_name"]
        assert work["history"][-1]["status"] == "done"
        # the ticket view's transcript (audited route of the console API) has the conversation
        detail = (await client.get(f"/api/console/tickets/{ticket_id}")).json()
        assert any(m["text"] == "Ich habe eine Frage zu einem Baum." for m in detail["transcript"])

    replies = await smtp.wait_for(address, count=2)
    answer = replies[1]
    assert reference in answer.subject and answer.message["To"] == address
    assert "Wir räumen den Baum heute noch weg." in answer.body
    assert "> Der Baum vor Haus 4 ist umgestürzt. Was nun?" in answer.body  # the original concern goes with it
    assert account["display_name"] in answer.body and "Umwelt und Grünflächen" in answer.body
    assert "Auto-Submitted" not in answer.message  # a person wrote it
    update = await console.expect(lambda f: f.get("type") == "ticket" and f["ticket"]["reference"] == reference
                                  and f["ticket"]["status"] == "done", timeout=10)
    assert update["ticket"]["department_name"] == "Umwelt und Grünflächen"
    for socket in (citizen, console):
        await socket.close()


async def test_other_departments_phone_contacts_and_refused_addresses(staff_server, smtp):
    server = staff_server
    citizen, _, _, _, created = await leave_ticket(server, department="kfz", contact="01234 567890",
                                                   concern="Bitte um Rückruf.")
    supervisor = await AgentConsole.connect(server, server.add_agent(role="supervisor"))
    stranger = await AgentConsole.connect(server, server.add_agent(departments=("buergerbuero",)))
    async with http(server, supervisor) as client, http(server, stranger) as other:
        entry = next(t for t in (await client.get("/api/console/desk/tickets")).json()
                     if t["reference"] == created["reference"])
        assert entry["has_email"] is False
        refused = await client.post(f"/api/console/desk/tickets/{entry['id']}/reply", json={"text": "Hallo"})
        assert refused.status_code == 409 and "keine E-Mail-Adresse" in refused.json()["detail"]
        # an agent of another department neither sees nor answers it
        assert all(t["reference"] != created["reference"] for t in (await other.get("/api/console/desk/tickets")).json())
        assert (await other.get(f"/api/console/desk/tickets/{entry['id']}")).status_code == 404
        assert (await other.post(f"/api/console/desk/tickets/{entry['id']}/calls", json={"text": "x"})).status_code == 404
        bad_status = await client.patch(f"/api/console/desk/tickets/{entry['id']}", json={"status": "geloest"})
        assert bad_status.status_code == 422
        assert (await client.post(f"/api/console/desk/tickets/{entry['id']}/reply",
                                  headers={"X-CSRF-Token": "falsch"}, json={"text": "x"})).status_code == 403

        # the mail server refuses the address: recorded as failed, the ticket stays open
        address = unique_address("unzustellbar")
        smtp.refuse.add(address)
        _, _, _, _, second = await leave_ticket(server, department="kfz", contact=address, concern="Bitte melden.")
        ticket = next(t for t in (await client.get("/api/console/desk/tickets")).json()
                      if t["reference"] == second["reference"])
        failed = await client.post(f"/api/console/desk/tickets/{ticket['id']}/reply", json={"text": "Antwort"})
        assert failed.status_code == 200
        assert failed.json()["entry"]["mail"]["status"] == "failed" and failed.json()["ticket"]["status"] == "open"
        assert "abgelehnt" in failed.json()["entry"]["mail"]["error"]
    for socket in (citizen, supervisor, stranger):
        await socket.close()


async def test_handover_texts_say_what_is_true(staff_server):
    """Outside the chat service hours the citizen hears exactly that; within them, that nobody is free."""
    closed = await Citizen.connect(staff_server, department="bauen")  # never open
    await closed.send({"type": "request_human"})
    notice = await closed.expect(lambda f: f.get("type") == "message" and f.get("sender") == "system", timeout=10)
    assert "außerhalb der Chat-Servicezeiten" in notice["text"] and "Bauordnung" in notice["text"]
    assert "verbinde" not in notice["text"]
    await closed.expect_type("state", reason="outside_office_hours")

    nobody = await Citizen.connect(staff_server, department="abfall")  # open, nobody serves it
    await nobody.send({"type": "request_human"})
    notice = await nobody.expect(lambda f: f.get("type") == "message" and f.get("sender") == "system", timeout=10)
    assert "Gerade ist niemand" in notice["text"] and "frei" in notice["text"]
    assert "außerhalb" not in notice["text"] and "verbinde" not in notice["text"]
    await nobody.expect_type("state", reason="no_agent_online")
    for socket in (closed, nobody):
        await socket.close()


async def test_without_smtp_the_console_is_told(mailless_server):
    server = mailless_server
    citizen, _, _, _, created = await leave_ticket(server, department="kfz", contact=unique_address("ohne-smtp"),
                                                   concern="Bitte per E-Mail antworten.")
    supervisor = await AgentConsole.connect(server, server.add_agent(role="supervisor"))
    async with http(server, supervisor) as client:
        setup = (await client.get("/api/console/setup")).json()
        assert setup["mail"] == {"configured": False, "sender": None} and setup["city_name"] == "Musterstadt"
        entry = next(t for t in (await client.get("/api/console/desk/tickets")).json()
                     if t["reference"] == created["reference"])
        refused = await client.post(f"/api/console/desk/tickets/{entry['id']}/reply", json={"text": "Hallo"})
        assert refused.status_code == 409 and "nicht eingerichtet" in refused.json()["detail"]

        [confirmation] = await wait_for_history(client, entry["id"], "confirmation")
        assert confirmation["mail"]["status"] == "not_configured"  # not silently dropped: the history says so
        work = (await client.get(f"/api/console/desk/tickets/{entry['id']}")).json()
        assert [e["kind"] for e in work["history"]] == ["concern", "confirmation"]  # the refused reply left no trace
    await citizen.close()
    await supervisor.close()
