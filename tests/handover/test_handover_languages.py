"""Agents who speak the citizen's language (issue 14): the queue card shows the language, and when nobody online
speaks it the citizen is told so in their language and may wait for a German-speaking colleague or leave a message."""

from __future__ import annotations

from handover.domain.conversations import texts
from handover.domain.models.conversations import Agent
from tests.handover.conftest import AgentConsole, Citizen


def _with_skills(server, account: dict, skills: list[str]) -> dict:
    def work(session):
        session.get(Agent, account["id"]).skills = skills

    server.db.run_sync(work)
    return account


async def _request(citizen: Citizen) -> list[dict]:
    await citizen.send({"type": "request_human"})
    frames = []
    while not (frames and frames[-1].get("type") == "state"):
        frames.append(await citizen.recv())
    return frames


async def test_nobody_speaks_the_language_the_citizen_is_told_in_it_and_may_leave_a_message(server):
    agent = await AgentConsole.connect(server, _with_skills(server, server.add_agent(), ["de", "en"]))
    citizen = await Citizen.connect(server, language="uk")
    frames = await _request(citizen)
    state = frames[-1]
    assert state["state"] == "waiting" and state["offer_ticket"] is True
    said = [frame["text"] for frame in frames if frame.get("type") == "message" and frame.get("sender") == "system"]
    assert said[0].startswith("Я з’єдную Вас із командою")
    assert said[1] == texts.text("uk", "no_language_agent")
    notice = await agent.expect_type("handover")
    assert notice["conversation"]["language"] == "uk"
    for socket in (citizen, agent):
        await socket.close()


async def test_an_agent_who_speaks_it_is_online_no_note(server):
    agent = await AgentConsole.connect(server, _with_skills(server, server.add_agent(), ["de", "tr"]))
    citizen = await Citizen.connect(server, language="tr")
    frames = await _request(citizen)
    assert frames[-1]["state"] == "waiting" and frames[-1]["offer_ticket"] is False
    said = [frame["text"] for frame in frames if frame.get("type") == "message" and frame.get("sender") == "system"]
    assert said == [texts.text("tr", "queued", department=said[0].split("„")[1].split("“")[0])]
    notice = await agent.expect_type("handover")
    assert notice["conversation"]["language"] == "tr"
    for socket in (citizen, agent):
        await socket.close()
