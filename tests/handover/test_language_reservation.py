"""Agents who speak it (issue 14): a conversation waiting in another language than German is reserved for the agents
whose skills include it while one of them serving the department is online with a free slot, for
`language_reservation_seconds` after it was queued. Others are refused with `reserved`; supervisors may claim; after
the window, or without a free speaker online, anyone serving the department may. Real app, SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import contextlib
import math
import re

import pytest
import pytest_asyncio
from websockets.exceptions import ConnectionClosed

from handover.domain.models.conversations import Agent
from handover.domain.office_hours import OfficeHours
from handover.domain.routing import Routing
from tests.handover.conftest import AgentConsole, AppServer, Citizen, make_settings, seed_index_cache, wait_until

# Not the default queue, which every agent serves: only Bürgerbüro members count here, and other tests' agents
# have closed their consoles (offline) by then.
DEPARTMENT = "buergerbuero"
RESERVED_TEXT = re.compile(
    r"^Dieses Gespräch ist noch [0-2]:[0-5]\d Min\. für Kolleg:innen reserviert, die Türkisch sprechen\.")


class Desk:
    """The agents and citizens of one test on one app; their sockets are closed afterwards even when the test failed
    (a Turkish speaker left online would hold the next test's conversation)."""

    def __init__(self, server: AppServer) -> None:
        self.server = server
        self.sockets: list = []
        self.citizens: dict[str, Citizen] = {}
        self.taken: list[tuple[AgentConsole, str]] = []

    async def agent(self, skills: list[str], role: str = "agent", capacity: int = 3) -> AgentConsole:
        account = self.server.add_agent(role=role, departments=(DEPARTMENT,), capacity=capacity)

        def work(session):
            session.get(Agent, account["id"]).skills = skills

        self.server.db.run_sync(work)
        console = await AgentConsole.connect(self.server, account)
        console.account = account
        self.sockets.append(console)
        return console

    async def citizen_waiting(self, language: str = "tr") -> tuple[Citizen, str]:
        citizen = await Citizen.connect(self.server, language=language, department=DEPARTMENT)
        self.sockets.append(citizen)
        await citizen.send({"type": "request_human"})
        await citizen.expect_type("state", state="waiting")
        self.citizens[citizen.welcome["conversation_id"]] = citizen
        return citizen, citizen.welcome["conversation_id"]

    async def claim(self, agent: AgentConsole, conversation_id: str) -> dict:
        """The conversation frame, or `claim_failed`."""
        await agent.send({"type": "claim", "conversation_id": conversation_id})
        answer = await agent.expect(
            lambda f: (f.get("type") == "claim_failed" and f.get("conversation_id") == conversation_id)
            or (f.get("type") == "conversation" and f["conversation"]["id"] == conversation_id),
            what=f"answer to the claim of {conversation_id}")
        if answer["type"] == "conversation":
            self.taken.append((agent, conversation_id))
        return answer

    async def close(self) -> None:
        """Closes what was taken (other tests count the chats agents hold), then every socket."""
        for agent, conversation_id in self.taken:
            with contextlib.suppress(AssertionError, ConnectionClosed):
                await agent.send({"type": "close", "conversation_id": conversation_id, "resolution": "resolved"})
                await self.citizens[conversation_id].expect_type("state", state="closed")
        for socket in self.sockets:
            await socket.close()


# in the test's own event loop, where its sockets live
@pytest_asyncio.fixture(loop_scope="function")
async def desk(server):
    opened = Desk(server)
    yield opened
    await opened.close()


@pytest.fixture(scope="module")
def short_window_server(tmp_path_factory):
    """An app whose reservation lasts two seconds."""
    seed_index_cache()
    tmp = tmp_path_factory.mktemp("app-short-reservation")
    settings = make_settings(tmp, database_url=None, pubsub_url="memory://").model_copy(
        update={"language_reservation_seconds": 2})
    server = AppServer(settings).start()
    yield server
    server.stop()


@pytest_asyncio.fixture(loop_scope="function")
async def short_window_desk(short_window_server):
    opened = Desk(short_window_server)
    yield opened
    await opened.close()


async def _queue_card(agent: AgentConsole, conversation_id: str) -> dict:
    """The conversation's card in the next overview (or the snapshot) that lists it."""
    def card_in(queues):
        for queue in queues or []:
            for entry in queue["waiting"]:
                if entry["id"] == conversation_id:
                    return entry
        return None

    if card := card_in(agent.snapshot.get("queues")):
        return card
    update = await agent.expect(lambda f: f.get("type") == "queue_update" and card_in(f.get("queues")) is not None,
                                what="queue_update with the card")
    return card_in(update["queues"])


def _handle_seconds(server: AppServer) -> float:
    settings = server.settings
    routing = Routing(OfficeHours.from_file(settings.departments_file), settings.presence_timeout_seconds,
                      settings.default_handle_seconds)
    return server.db.run_sync(lambda session: routing.average_handle_seconds(session, DEPARTMENT))


async def test_reserved_for_the_speaker_the_german_only_agent_is_refused(desk):
    german = await desk.agent(["de"])
    turkish = await desk.agent(["de", "tr"])
    citizen, conversation_id = await desk.citizen_waiting()

    card = await _queue_card(german, conversation_id)
    assert card["language"] == "tr"
    assert card["reserved"]["language"] == "tr" and 100 <= card["reserved"]["seconds_left"] <= 120
    assert card["reserved"]["speakers"] == 1
    # honest: while it is reserved only the Turkish speaker serves it, not both agents online
    assert card["estimated_wait_seconds"] == int(math.ceil(card["position"] / 1) * _handle_seconds(desk.server))

    refused = await desk.claim(german, conversation_id)
    assert refused["type"] == "claim_failed" and refused["code"] == "reserved"
    assert RESERVED_TEXT.match(refused["message"]), refused["message"]

    taken = await desk.claim(turkish, conversation_id)
    assert taken["type"] == "conversation" and taken["conversation"]["state"] == "agent"
    state = await citizen.expect_type("state", state="agent")
    assert state["agent"]["display_name"] == turkish.account["display_name"]


async def test_without_a_speaker_online_the_german_agent_claims_at_once(desk):
    german = await desk.agent(["de"])
    turkish = await desk.agent(["de", "tr"])
    await turkish.close()  # the only Turkish speaker goes offline

    async def offline():
        return desk.server.db.run_sync(lambda session: session.get(Agent, turkish.account["id"]).presence) == "offline"

    await wait_until(offline)
    _, conversation_id = await desk.citizen_waiting()

    assert (await _queue_card(german, conversation_id))["reserved"] is None
    taken = await desk.claim(german, conversation_id)
    assert taken["type"] == "conversation", taken


async def test_a_speaker_at_capacity_holds_nothing(desk):
    german = await desk.agent(["de"])
    turkish = await desk.agent(["de", "tr"], capacity=1)
    _, first_id = await desk.citizen_waiting()
    assert (await desk.claim(turkish, first_id))["type"] == "conversation"  # now at capacity
    _, second_id = await desk.citizen_waiting()

    taken = await desk.claim(german, second_id)
    assert taken["type"] == "conversation", taken


async def test_a_supervisor_may_claim_during_the_window(desk):
    supervisor = await desk.agent(["de"], role="supervisor")
    await desk.agent(["de", "tr"])
    _, conversation_id = await desk.citizen_waiting()

    assert (await _queue_card(supervisor, conversation_id))["reserved"]["language"] == "tr"
    taken = await desk.claim(supervisor, conversation_id)
    assert taken["type"] == "conversation", taken


async def test_a_german_conversation_is_reserved_for_no_one(desk):
    german = await desk.agent(["de"])
    await desk.agent(["de", "tr"])
    _, conversation_id = await desk.citizen_waiting("de")

    assert (await _queue_card(german, conversation_id))["reserved"] is None
    assert (await desk.claim(german, conversation_id))["type"] == "conversation"


async def test_after_a_short_window_the_german_agent_may_claim(short_window_desk):
    desk = short_window_desk
    german = await desk.agent(["de"])
    await desk.agent(["de", "tr"])
    _, conversation_id = await desk.citizen_waiting()

    refused = await desk.claim(german, conversation_id)
    assert refused["type"] == "claim_failed" and refused["code"] == "reserved", refused
    assert refused["message"].startswith("Dieses Gespräch ist noch 0:0")
    await asyncio.sleep(2.2)
    taken = await desk.claim(german, conversation_id)
    assert taken["type"] == "conversation", taken
