"""A ticket outside the chat service hours, through the real Rasa: the citizen asks about a building permit (the
bot answers from the Bauordnung's article), wants a person, hears honestly that it is outside the chat service
hours (no "Ich verbinde Sie" first), leaves a ticket, which is filed under Bauordnung (not the service centre),
gets one confirmation e-mail, and an agent of the Bauordnung answers it by e-mail from the console."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest

from handover.domain.models.conversations import Ticket
from tests.bot.servers import MODEL, RasaServer
from tests.handover.conftest import AgentConsole, AppServer, Citizen, free_port
from tests.handover.staff_servers import staff_settings

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not MODEL.exists(), reason="needs the trained Rasa model (make train)"),
]
QUESTION = "Brauche ich eine Baugenehmigung für meinen Anbau?"


@pytest.fixture(scope="module")
def app_and_rasa(tmp_path_factory, smtp_server):
    rasa_port = free_port()
    settings = staff_settings(tmp_path_factory.mktemp("tickets-rasa"), smtp_server[0].port, database_url=None,
                              pubsub_url="memory://")
    settings = settings.model_copy(update={"rasa_url": f"http://127.0.0.1:{rasa_port}", "rasa_timeout_seconds": 60.0})
    app = AppServer(settings).start()
    rasa = RasaServer(workdir=tmp_path_factory.mktemp("tickets-rasa-run"), action_server_url=app.base, port=rasa_port)
    try:
        rasa.start(900)
        yield app
    finally:
        rasa.stop()
        app.stop()


async def ask_about_building(citizen: Citizen) -> dict:
    await citizen.say(QUESTION)
    answer = await citizen.expect(lambda f: f.get("type") == "message" and f.get("sender") == "bot"
                                  and (f.get("payload") or {}).get("type") == "knowledge", timeout=120,
                                  what="knowledge answer")
    assert answer["payload"]["article"]["office"]["department"] == "bauen"  # the premise: a Bauordnung topic
    return answer


async def test_ticket_outside_hours_goes_to_the_topic_and_is_answered_by_email(app_and_rasa, smtp):
    app = app_and_rasa
    address = f"bauherrin-{uuid.uuid4().hex[:8]}@example.de"
    citizen = await Citizen.connect(app)  # from a general page: no department of its own
    await ask_about_building(citizen)
    await citizen.say("Ich möchte bitte mit einem Menschen sprechen")
    notice = await citizen.expect(lambda f: f.get("type") == "message" and f.get("sender") == "system", timeout=120)
    assert "außerhalb der Chat-Servicezeiten" in notice["text"] and "„Bauordnung“" in notice["text"]
    state = await citizen.expect_type("state", reason="outside_office_hours", timeout=10)
    assert state["offer_ticket"] is True
    said = [f.get("text") or "" for f in citizen.frames if f.get("type") == "message" and f.get("sender") != "citizen"]
    assert not any("verbinde" in text for text in said), said  # nothing promised that the next line withdraws

    client_id = uuid.uuid4().hex
    await citizen.send({"type": "ticket", "client_id": client_id, "name": "Erika Mustermann", "contact": address,
                        "concern": "Bitte rufen Sie mich wegen meines Anbaus zurück.", "consent": True})
    created = await citizen.expect_type("ticket_created", timeout=10)
    [ticket] = app.db.run_sync(lambda s: s.query(Ticket).filter(Ticket.reference == created["reference"]).all())
    assert ticket.department == "bauen"
    [confirmation] = await smtp.wait_for(address)
    assert created["reference"] in confirmation.subject and "„Bauordnung“" in confirmation.body

    # The widget's own button after the same topic lands there too.
    other = await Citizen.connect(app)
    await ask_about_building(other)
    await other.send({"type": "request_human"})
    await other.expect_type("state", reason="outside_office_hours", timeout=10)

    account = app.add_agent(departments=("bauen",))
    console = await AgentConsole.connect(app, account)
    async with httpx.AsyncClient(base_url=app.base, cookies={"bb_session": console.cookie},
                                 headers={"X-CSRF-Token": console.csrf}, timeout=30) as client:
        entry = next(t for t in (await client.get("/api/console/desk/tickets")).json()
                     if t["reference"] == created["reference"])
        assert entry["department_name"] == "Bauordnung"
        reply = await client.post(f"/api/console/desk/tickets/{entry['id']}/reply",
                                  json={"text": "Für Ihren Anbau brauchen Sie einen Bauantrag. Wir beraten Sie gern.",
                                        "status": "done"})
        assert reply.status_code == 200, reply.text
        assert reply.json()["ticket"]["status"] == "done"
    mails = await smtp.wait_for(address, count=2)
    assert "Für Ihren Anbau brauchen Sie einen Bauantrag." in mails[1].body
    assert "> Bitte rufen Sie mich wegen meines Anbaus zurück." in mails[1].body
    await asyncio.sleep(0)
    for socket in (citizen, other, console):
        await socket.close()
