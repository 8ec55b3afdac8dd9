"""Issue 11, point 4 (limits): new conversations, tickets and application status lookups per client address,
against the running app on SQLite and on PostgreSQL (counted in the database, so every replica sees them).

The clients speak through 127.0.0.1, a trusted proxy by default, and name their address in X-Forwarded-For, as a
reverse proxy does; each test uses addresses of its own."""

from __future__ import annotations

import asyncio
import json
import uuid

import httpx
import pytest
from sqlalchemy import func, select
from starlette.requests import Request
from websockets.asyncio.client import connect

from handover.domain.models.conversations import Conversation, Ticket
from handover.shell.settings import Settings
from handover.web.client_address import client_address
from tests.bot.servers import ACTION_SECRET
from tests.handover.conftest import AppServer, Socket, make_settings, seed_index_cache

LIMIT = 3


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def limited(request, tmp_path_factory, postgres_schema_url):
    seed_index_cache()
    database_url = None if request.param == "sqlite" else postgres_schema_url
    settings = make_settings(tmp_path_factory.mktemp(f"app-limits-{request.param}"), database_url=database_url,
                             pubsub_url="memory://")
    server = AppServer(settings.model_copy(update={"new_conversations_per_minute_per_ip": LIMIT})).start()
    yield server
    server.stop()


async def hello(server: AppServer, address: str, token: str | None = None,
                language: str = "de") -> tuple[Socket, dict]:
    ws = await connect(f"{server.ws_base}/ws/citizen", additional_headers={"X-Forwarded-For": address})
    citizen = Socket(ws)
    await citizen.send({"type": "hello", "version": 1, "token": token, "last_seq": 0, "language": language,
                        "page": "https://www.musterstadt.example/"})
    first = await citizen.expect(lambda f: f.get("type") in ("welcome", "error"), timeout=15)
    return citizen, first


def conversations(server: AppServer) -> int:
    return server.db.run_sync(lambda s: s.scalar(select(func.count()).select_from(Conversation)))


async def test_new_conversations_are_limited_per_address(limited):
    address = f"203.0.113.{uuid.uuid4().int % 200 + 1}"
    started = [await hello(limited, address) for _ in range(LIMIT)]
    assert all(welcome["type"] == "welcome" for _, welcome in started)
    before = conversations(limited)
    refused, error = await hello(limited, address)
    assert error["type"] == "error" and error["code"] == "rate_limited"
    assert 1 <= error["retry_after"] <= 60
    assert error["message"] == ("Von Ihrem Anschluss wurden in kurzer Zeit sehr viele neue Gespräche begonnen. "
                                f"Bitte versuchen Sie es in {error['retry_after']} Sekunden erneut.")
    assert conversations(limited) == before  # nothing stored for the refused one
    # the refused socket stays open for the wait (the widget would otherwise reconnect and be refused again)
    await refused.send({"type": "ping"})
    assert (await refused.expect_type("pong"))["type"] == "pong"
    _, english = await hello(limited, address, language="en")
    assert english["code"] == "rate_limited" and english["message"].startswith("Very many new conversations")
    # resuming a conversation is not a new one; other addresses are not affected
    socket, first_welcome = started[0]
    await socket.close()
    _, resumed = await hello(limited, address, token=first_welcome["token"])
    assert resumed["type"] == "welcome" and resumed["resumed"] is True
    _, other = await hello(limited, f"2001:db8:{uuid.uuid4().int % 9000 + 1000:x}::1")
    assert other["type"] == "welcome"
    for citizen in [refused] + [s for s, _ in started[1:]]:
        await citizen.close()


async def test_an_ipv6_client_is_one_client_for_its_whole_64(limited):
    network = f"2001:db8:{uuid.uuid4().int % 9000 + 1000:x}:{uuid.uuid4().int % 9000 + 1000:x}"
    answers = [(await hello(limited, f"{network}::{n + 1:x}"))[1]["type"] for n in range(LIMIT + 1)]
    assert answers == ["welcome"] * LIMIT + ["error"]


async def test_tickets_are_limited_per_address(limited):
    address = f"198.18.0.{uuid.uuid4().int % 200 + 1}"
    citizen, welcome = await hello(limited, address)
    answers = []
    for n in range(LIMIT + 1):
        client_id = uuid.uuid4().hex
        await citizen.send({"type": "ticket", "client_id": client_id, "name": "Erika Mustermann",
                            "contact": "erika@example.de", "concern": f"Bitte um Rückruf ({n}).", "consent": True})
        answers.append(await citizen.expect(lambda f, c=client_id: f.get("client_id") == c
                                            and f.get("type") in ("ack", "error"), timeout=15))
    assert [a["type"] for a in answers] == ["ack"] * LIMIT + ["error"]
    assert answers[-1]["code"] == "rate_limited" and "sehr viele Anliegen" in answers[-1]["message"]
    stored = limited.db.run_sync(lambda s: s.scalar(select(func.count()).select_from(Ticket).where(
        Ticket.conversation_id == welcome["conversation_id"])))
    assert stored == LIMIT
    await citizen.close()


def pin_lookup(conversation_id: str, number: str, pin: str) -> dict:
    """Rasa's call of the validator at the PIN step (the number was given before)."""
    call = status_lookup(conversation_id, pin)
    call["tracker"]["slots"] = {"case_number": number, "case_pin": pin, "requested_slot": "case_pin"}
    call["tracker"]["events"] = [{"event": "user", "text": pin}, {"event": "slot", "name": "case_pin", "value": pin}]
    call["domain"] = {"slots": {"case_number": {}, "case_pin": {}},
                      "forms": {"application_status_form": {"required_slots": ["case_number", "case_pin"]}}}
    return call


def status_lookup(conversation_id: str, text: str) -> dict:
    tracker = {"sender_id": conversation_id, "slots": {"case_number": text, "requested_slot": "case_number"},
               "latest_message": {"text": text, "intent": {}, "entities": []}, "events": [], "paused": False,
               "followup_action": None, "active_loop": {"name": "application_status_form"},
               "latest_action_name": "action_listen"}
    return {"next_action": "validate_application_status_form", "sender_id": conversation_id, "version": "3.6.21",
            "tracker": tracker, "domain": {"slots": {"case_number": {}}, "forms": {
                "application_status_form": {"required_slots": ["case_number"]}}}}


async def test_status_lookups_are_limited_per_address_of_the_conversation(limited):
    """Rasa's call of the case-number validator counts against the address the citizen is chatting from; over
    the limit it is answered like an unknown number, with the wait in form_error, and the form asks again."""
    citizen, welcome = await hello(limited, f"192.0.2.{uuid.uuid4().int % 200 + 1}")
    conversation_id = welcome["conversation_id"]
    async with httpx.AsyncClient(base_url=limited.base, timeout=30,
                                 headers={"Authorization": f"Bearer {ACTION_SECRET}"}) as rasa:
        answers = [(await rasa.post("/webhook", json=status_lookup(conversation_id, f"MS-2026-{n:06d}"))).json()
                   for n in range(LIMIT + 1)]
    slots = [{e["name"]: e["value"] for e in a.get("events", []) if e.get("event") == "slot"} for a in answers]
    assert all("Aktenzeichen abgefragt" not in str(s.get("form_error")) for s in slots[:LIMIT]), slots
    assert slots[LIMIT]["case_number"] is None
    assert slots[LIMIT]["form_error"].startswith("Sie haben in kurzer Zeit sehr viele Aktenzeichen abgefragt.")
    # the PIN step is refused alike, even with the right PIN: no case data
    async with httpx.AsyncClient(base_url=limited.base, timeout=30,
                                 headers={"Authorization": f"Bearer {ACTION_SECRET}"}) as rasa:
        refused = (await rasa.post("/webhook", json=pin_lookup(conversation_id, "MS-2026-000123", "731904"))).json()
    assert "Aktenzeichen abgefragt" in json.dumps(refused, ensure_ascii=False)
    assert "Wohngeld" not in json.dumps(refused) and "731904" not in json.dumps(refused)
    # another conversation from another address is not affected
    other, other_welcome = await hello(limited, f"192.0.2.{uuid.uuid4().int % 200 + 1}")
    async with httpx.AsyncClient(base_url=limited.base, timeout=30,
                                 headers={"Authorization": f"Bearer {ACTION_SECRET}"}) as rasa:
        answer = (await rasa.post("/webhook", json=status_lookup(other_welcome["conversation_id"], "MS-2026-1"))).json()
        checked = (await rasa.post("/webhook", json=pin_lookup(other_welcome["conversation_id"], "MS-2026-000123",
                                                                "731904"))).json()
    assert "Aktenzeichen abgefragt" not in json.dumps(answer, ensure_ascii=False)
    assert {e["name"]: e["value"] for e in checked["events"] if e.get("event") == "slot"}["case_pin"] == "731904"
    await citizen.close()
    await other.close()


def _request(peer: str, forwarded: str | None) -> Request:
    headers = [(b"x-forwarded-for", forwarded.encode())] if forwarded else []
    return Request({"type": "http", "client": (peer, 50000), "headers": headers, "method": "GET", "path": "/"})


@pytest.mark.parametrize(("peer", "forwarded", "trusted", "expected"), [
    ("203.0.113.9", None, "127.0.0.1", "203.0.113.9"),
    ("203.0.113.9", "198.51.100.1", "127.0.0.1", "203.0.113.9"),  # not a trusted proxy: its header is ignored
    ("10.0.0.5", "198.51.100.1", "10.0.0.0/8", "198.51.100.1"),
    ("10.0.0.5", "6.6.6.6, 198.51.100.1, 10.0.0.4", "10.0.0.0/8", "198.51.100.1"),  # spoofed left part ignored
    ("10.0.0.5", "198.51.100.1", "", "10.0.0.5"),  # no trusted proxies
    ("::ffff:203.0.113.9", None, "", "203.0.113.9"),
    ("2001:db8:1:2:3:4:5:6", None, "", "2001:db8:1:2::/64"),
])
def test_client_address_behind_trusted_proxies(peer, forwarded, trusted, expected):
    settings = Settings(_env_file=None, trusted_proxies=trusted)
    assert client_address(_request(peer, forwarded), settings) == expected


async def test_concurrent_hellos_from_one_address(limited):
    """Twenty sockets at once from one address: exactly the limit gets a conversation."""
    address = f"198.18.1.{uuid.uuid4().int % 200 + 1}"
    results = await asyncio.gather(*(hello(limited, address) for _ in range(20)))
    welcomed = sum(1 for _, first in results if first["type"] == "welcome")
    assert welcomed == LIMIT
    for citizen, _ in results:
        await citizen.close()
