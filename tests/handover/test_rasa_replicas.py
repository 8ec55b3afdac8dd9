"""The gateway in front of several Rasa processes (BUERGERBOT_RASA_URL as a list), with real processes: the app
relays to two real Rasa servers that share a PostgreSQL tracker store and a Redis lock store. Each conversation
goes to its own replica; when one replica crashes — even with a citizen's turn in flight, half-way through the
defect report form — every conversation continues on the other, nothing is answered twice or left unanswered.
The routing order itself (stable, spread, a failed replica asked last) is checked without processes."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from sqlalchemy import create_engine, text

from handover.domain.rasa_client import Replicas, parse_rasa_urls
from tests.bot.servers import fresh_postgres_database, MODEL, AppServer, RasaServer, free_port
from tests.handover.conftest import Citizen

URLS = ["http://rasa-1:5005", "http://rasa-2:5005", "http://rasa-3:5005"]


# --- routing order (no processes) -----------------------------------------------------------------
def test_each_conversation_has_a_stable_order_spread_over_the_replicas() -> None:
    ids = [uuid.uuid4().hex for _ in range(600)]
    first = [Replicas(URLS).order(cid)[0] for cid in ids]
    assert first == [Replicas(list(URLS)).order(cid)[0] for cid in ids]  # another app replica routes alike
    for url in URLS:
        assert 120 <= first.count(url) <= 280, {u: first.count(u) for u in URLS}
    # Without rasa-3 only its conversations move, spread over both others.
    without = [Replicas(URLS[:2]).order(cid)[0] for cid in ids]
    moved = [(before, after) for before, after in zip(first, without) if before != after]
    assert {before for before, _ in moved} == {URLS[2]}
    assert {after for _, after in moved} == set(URLS[:2])


def test_a_failed_replica_is_asked_last_until_it_answers_again() -> None:
    replicas = Replicas(URLS, down_seconds=60)
    cid = next(c for c in (uuid.uuid4().hex for _ in range(100)) if Replicas(URLS).order(c)[0] == URLS[0])
    ranked = replicas.order(cid)
    replicas.mark_down(URLS[0], "ConnectError")
    assert replicas.order(cid) == ranked[1:] + ranked[:1]
    replicas.mark_up(URLS[0])
    assert replicas.order(cid) == ranked


def test_the_url_setting_is_one_url_or_a_list() -> None:
    assert parse_rasa_urls("http://127.0.0.1:5005/") == ["http://127.0.0.1:5005"]
    assert parse_rasa_urls(" http://a:5005, http://b:5005/ ,") == ["http://a:5005", "http://b:5005"]
    for bad in ("", " , ", "a:5005", "http://a:5005,http://a:5005"):
        with pytest.raises(ValueError, match="BUERGERBOT_RASA_URL"):
            parse_rasa_urls(bad)


# --- two real Rasa processes ------------------------------------------------------------------------
LOCATION = "Lindenallee 7, vor der Grundschule"
DESCRIPTION = "Ein etwa 30 cm tiefes Loch auf der Fahrbahn, Radfahrer müssen ausweichen"
QUESTIONS = [
    "Wie beantrage ich einen neuen Reisepass für eine Urlaubsreise?",
    "Ich bin umgezogen, wie melde ich meinen neuen Wohnsitz an?",
    "Wann wird der Sperrmüll bei mir zu Hause abgeholt?",
    "Wie bekomme ich einen Bewohnerparkausweis für meine Straße?",
]


@pytest.fixture(scope="module")
def rasa_database_url():
    with fresh_postgres_database("rasa_replicas") as url:
        yield url


@pytest.fixture(scope="module")
def cluster(tmp_path_factory, rasa_database_url):
    """The app (gateway and action server) and two Rasa replicas; the app knows both from the start."""
    test_redis = urlsplit(os.environ.get("BUERGERBOT_TEST_REDIS_URL", "redis://127.0.0.1:6379/15"))
    app_port = free_port()
    replicas = [
        RasaServer(tmp_path_factory.mktemp(f"gateway-rasa-{name}"), f"http://127.0.0.1:{app_port}",
                   tracker_store_url=rasa_database_url, lock_store_url=f"redis://{test_redis.netloc}/13")
        for name in ("a", "b")
    ]
    app = AppServer(tmp_path_factory.mktemp("gateway-app"), port=app_port, extra_env={
        "BUERGERBOT_RASA_URL": ",".join(server.url for server in replicas),
        "BUERGERBOT_RASA_TIMEOUT_SECONDS": "20",
        "BUERGERBOT_RELAY_RETRY_SECONDS": "30",
        "BUERGERBOT_LOG_FORMAT": "text",
        "BUERGERBOT_LOG_LEVEL": "INFO",
    })
    try:
        app.start(900)
        with ThreadPoolExecutor(2) as pool:
            list(pool.map(lambda server: server.start(900), replicas))
        yield SimpleNamespace(app=app, replicas=replicas, ws_base=f"ws://127.0.0.1:{app.port}")
    finally:
        for server in replicas:
            server.stop()
        app.stop()


def bot_messages(frames: list[dict], after_seq: int) -> list[dict]:
    return [f for f in frames if f.get("type") == "message" and f.get("sender") in ("bot", "system")
            and f["seq"] > after_seq]


async def answer(citizen: Citizen, text_: str, timeout: float = 120) -> list[dict]:
    """Says something and returns the bot's messages for it (all of one turn arrive together)."""
    ack = await citizen.say(text_)
    deadline = asyncio.get_running_loop().time() + timeout
    while not bot_messages(citizen.frames, ack["seq"]):
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"no answer to {text_!r} within {timeout}s")
        try:
            await citizen.recv(1.0)
        except asyncio.TimeoutError:
            pass
    await asyncio.sleep(0.3)  # the rest of the turn's messages
    while True:
        try:
            await citizen.recv(0.1)
        except asyncio.TimeoutError:
            break
    return bot_messages(citizen.frames, ack["seq"])


def payload(messages: list[dict], kind: str) -> dict:
    found = [m["payload"] for m in messages if (m.get("payload") or {}).get("type") == kind]
    assert len(found) == 1, [(m.get("sender"), m.get("text"), m.get("payload")) for m in messages]
    return found[0]


def no_failure_notices(citizen: Citizen) -> None:
    assert not [f for f in citizen.frames if f.get("type") == "error" or f.get("reason") == "bot_unavailable"
                or f.get("sender") == "system"], citizen.frames


@pytest.mark.slow
@pytest.mark.skipif(not MODEL.exists(), reason="needs the trained Rasa model (make train)")
async def test_a_replica_crash_mid_turn_loses_no_conversation(cluster) -> None:
    a, b = cluster.replicas
    routing = Replicas([a.url, b.url])
    citizens: dict[str, list[Citizen]] = {a.url: [], b.url: []}
    for _ in range(40):  # hello costs no Rasa call: open conversations until both replicas have two
        citizen = await Citizen.connect(cluster)
        group = citizens[routing.order(citizen.welcome["conversation_id"])[0]]
        if len(group) < 2:
            group.append(citizen)
        else:
            await citizen.close()
        if all(len(group) == 2 for group in citizens.values()):
            break
    everyone = citizens[a.url] + citizens[b.url]
    assert len(everyone) == 4

    for citizen, question in zip(everyone, QUESTIONS):
        assert payload(await answer(citizen, question), "knowledge")["query"] == question

    # A citizen of replica A half-way through the defect report.
    reporter = citizens[a.url][0]
    assert payload(await answer(reporter, "In unserer Straße ist ein großes Schlagloch"), "form")["step"] \
        == "defect_location"
    assert payload(await answer(reporter, LOCATION), "form")["step"] == "defect_description"

    # Replica A hangs with the reporter's next turn sent to it, then crashes: the turn is answered by B,
    # which continues the form from the shared tracker store.
    os.kill(a.process.pid, signal.SIGSTOP)
    ack = await reporter.say(DESCRIPTION)
    await asyncio.sleep(1.5)
    assert not bot_messages(reporter.frames, ack["seq"])  # it really was in flight on A
    a.kill()
    deadline = asyncio.get_running_loop().time() + 60
    while not bot_messages(reporter.frames, ack["seq"]):
        assert asyncio.get_running_loop().time() < deadline, "the in-flight turn was not answered by B"
        try:
            await reporter.recv(1.0)
        except asyncio.TimeoutError:
            pass
    await asyncio.sleep(0.5)
    assert payload(await answer(reporter, "nein"), "form")["step"] == "defect_contact"  # no photo
    step = payload(await answer(reporter, "nein"), "form")
    assert step["step"] == "done" and step["result"]["location"] == LOCATION
    with sqlite3.connect(cluster.app.database_path) as db:
        stored = db.execute("SELECT location, description FROM defect_reports WHERE reference = ?",
                            (step["result"]["reference"],)).fetchone()
    assert stored == (LOCATION, DESCRIPTION)
    # The in-flight turn was answered exactly once (one form step between DESCRIPTION and the first "nein").
    steps = [m["payload"]["step"] for m in reporter.frames
             if m.get("type") == "message" and (m.get("payload") or {}).get("type") == "form"]
    assert steps == ["defect_location", "defect_description", "defect_photo", "defect_contact", "done"], steps

    # Every other conversation, A's included, goes on with B.
    for citizen, question in zip(everyone, reversed(QUESTIONS)):
        if citizen is not reporter:
            assert payload(await answer(citizen, question), "knowledge")["query"] == question
    for citizen in everyone:
        no_failure_notices(citizen)
        await citizen.close()

    # The dialogue state of all four lives in the one shared tracker store.
    engine = create_engine(a.settings.rasa_tracker_store_url)
    with engine.connect() as connection:
        senders = set(connection.execute(text("SELECT DISTINCT sender_id FROM events")).scalars())
    engine.dispose()
    assert {c.welcome["conversation_id"] for c in everyone} <= senders
    log = Path(cluster.app.workdir / "app.log").read_text(errors="replace")
    assert f"Rasa at {a.url} failed" in log
