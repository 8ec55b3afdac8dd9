"""No acknowledged question is left unanswered, with real processes: the real Rasa (trained model), the app as a
subprocess on SQLite or PostgreSQL, and a redis-server of this test's own.

* App SIGKILL after the ack: Rasa is frozen (SIGSTOP) so the relay of the first question is in flight, five
  questions are acknowledged, the app is killed, Rasa thawed, the app restarted; the citizen resumes with token
  and last_seq and gets every answer.
* Redis stopped and restarted under a live conversation: the bot keeps answering, the citizen is told once
  "gespeichert, Zustellung verzögert", nothing is unanswered after Redis returns, and the app's log has one
  warning for the outage and no traceback.

One Rasa (with its own action app) serves the whole module; the apps under test only relay to it."""

from __future__ import annotations

import asyncio
import os
import signal
import uuid
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import create_engine, select, text

from handover.domain.models.conversations import PendingRelay
from handover.shell.database import Database, make_engine, make_sessionmaker
from tests.bot.servers import MODEL, AppServer, RasaServer
from tests.handover.conftest import Citizen, wait_until
from tests.handover.redis_server import RedisServer

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not MODEL.exists(), reason="needs the trained Rasa model (make train)"),
]

# Service questions of different topics, each longer than a follow-up (BUERGERBOT_FOLLOW_UP_MAX_WORDS), so every
# knowledge answer names its own question as `query`.
QUESTIONS = [
    "Ich bin umgezogen, wie melde ich meinen neuen Wohnsitz an?",
    "Wann wird der Sperrmüll bei mir zu Hause abgeholt?",
    "Wie beantrage ich einen neuen Reisepass für eine Urlaubsreise?",
    "Wie beantrage ich ein Führungszeugnis für meinen neuen Arbeitgeber?",
    "Wie bekomme ich einen Bewohnerparkausweis für meine Straße?",
]


@pytest.fixture(scope="module")
def rasa(tmp_path_factory) -> RasaServer:
    actions = AppServer(tmp_path_factory.mktemp("relay-actions")).start()
    server = RasaServer(tmp_path_factory.mktemp("relay-rasa"), actions.url)
    try:
        server.start(900)
        yield server
    finally:
        server.stop()
        actions.stop()


@pytest.fixture(scope="module")
def redis(tmp_path_factory) -> RedisServer:
    server = RedisServer(tmp_path_factory.mktemp("relay-redis")).start()
    yield server
    server.stop()


@contextmanager
def postgres_schema():
    base = os.environ.get("BUERGERBOT_TEST_POSTGRES_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/test")
    schema = f"relay_test_{uuid.uuid4().hex[:10]}"
    engine = create_engine(base)
    with engine.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in base else "?"
    try:
        yield f"{base}{separator}options=-csearch_path={schema}"
    finally:
        with engine.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


def gateway(workdir: Path, rasa: RasaServer, *, database_url: str | None, pubsub_url: str = "memory://",
            log_level: str = "WARNING") -> AppServer:
    env = {
        "BUERGERBOT_RASA_URL": rasa.url,
        "BUERGERBOT_PUBSUB_URL": pubsub_url,
        "BUERGERBOT_RASA_TIMEOUT_SECONDS": "10",
        "BUERGERBOT_RELAY_RETRY_SECONDS": "30",
        "BUERGERBOT_RELAY_SWEEP_SECONDS": "2",
        "BUERGERBOT_LOG_FORMAT": "text",
        "BUERGERBOT_LOG_LEVEL": log_level,
    }
    if database_url:
        env["BUERGERBOT_DATABASE_URL"] = database_url
    server = AppServer(workdir, extra_env=env)
    server.database_url = database_url or f"sqlite:///{server.database_path}"
    return server


def sockets(app: AppServer) -> SimpleNamespace:
    return SimpleNamespace(ws_base=f"ws://127.0.0.1:{app.port}")


def relays(db: Database, conversation_id: str) -> list[PendingRelay]:
    return db.run_sync(lambda s: list(s.scalars(
        select(PendingRelay).where(PendingRelay.conversation_id == conversation_id)
        .order_by(PendingRelay.message_seq))))


def bot_messages(frames: list[dict], after_seq: int = 0) -> list[dict]:
    return [f for f in frames if f.get("type") == "message" and f.get("sender") == "bot" and f["seq"] > after_seq]


def answered_queries(frames: list[dict]) -> set[str]:
    return {(m.get("payload") or {}).get("query") for m in bot_messages(frames)
            if (m.get("payload") or {}).get("type") == "knowledge"}


async def collect_until(citizen: Citizen, condition, timeout: float, what: str) -> None:
    """Reads frames into citizen.frames until condition(frames) holds."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition(citizen.frames):
        remaining = deadline - asyncio.get_running_loop().time()
        if remaining <= 0:
            raise AssertionError(f"{what} not within {timeout}s; frames: "
                                 f"{[(f.get('type'), f.get('sender'), f.get('seq')) for f in citizen.frames]}")
        try:
            await citizen.recv(min(remaining, 1.0))
        except asyncio.TimeoutError:
            pass


async def warm_up(citizen: Citizen) -> None:
    """The first turn of a fresh Rasa may take long; any answer will do."""
    ack = await citizen.say("Hallo")
    await collect_until(citizen, lambda frames: bot_messages(frames, ack["seq"]), 180, "a first answer")


async def ask_and_wait(citizen: Citizen, question: str, timeout: float = 120) -> dict:
    ack = await citizen.say(question)
    await collect_until(citizen, lambda frames: question in answered_queries(frames), timeout, f"answer to {question!r}")
    return ack


@contextmanager
def frozen(process):
    os.kill(process.pid, signal.SIGSTOP)
    try:
        yield
    finally:
        os.kill(process.pid, signal.SIGCONT)


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
async def test_app_killed_after_the_ack_answers_every_question_after_restart(backend, rasa, tmp_path):
    with (postgres_schema() if backend == "postgres" else _no_schema()) as database_url:
        app = gateway(tmp_path, rasa, database_url=database_url)
        engine = make_engine(app.database_url)
        db = Database(make_sessionmaker(engine))
        await asyncio.to_thread(app.start)
        try:
            citizen = await Citizen.connect(sockets(app))
            conversation_id = citizen.welcome["conversation_id"]
            await warm_up(citizen)

            with frozen(rasa.process):
                acks = [await citizen.say(question) for question in QUESTIONS]
                first_seq = acks[0]["seq"]

                async def first_relay_in_flight() -> bool:
                    rows = relays(db, conversation_id)
                    return any(r.message_seq == first_seq and r.status == "pending" and r.owner for r in rows)

                await wait_until(first_relay_in_flight, timeout=10)
                app.process.kill()  # SIGKILL: no shutdown, the lease stays with the dead process
                app.process.wait()
                last_seen = max(f["seq"] for f in citizen.frames if "seq" in f)
                await citizen.ws.close()
                pending = [r for r in relays(db, conversation_id) if r.status == "pending"]
                assert [r.message_seq for r in pending] == [a["seq"] for a in acks]  # stored, not answered

            await asyncio.to_thread(app.start)
            resumed = await Citizen.connect(sockets(app), token=citizen.token, last_seq=last_seen)
            assert resumed.welcome["conversation_id"] == conversation_id and resumed.welcome["resumed"]
            resumed.frames.extend(resumed.backlog)
            await collect_until(resumed, lambda frames: set(QUESTIONS) <= answered_queries(frames), 180,
                                "an answer to every acknowledged question")
            assert all(r.status == "done" for r in relays(db, conversation_id))
            assert not [f for f in resumed.frames if f.get("type") == "message" and f.get("sender") == "system"]
            await resumed.close()
        finally:
            app.stop()
            engine.dispose()


@contextmanager
def _no_schema():
    yield None


async def test_redis_outage_keeps_answering_and_tells_the_truth_once(rasa, redis, tmp_path):
    app = gateway(tmp_path, rasa, database_url=None, pubsub_url=redis.url(3), log_level="INFO")
    engine = make_engine(app.database_url)
    db = Database(make_sessionmaker(engine))
    log_file = tmp_path / "app.log"
    await asyncio.to_thread(app.start)
    try:
        citizen = await Citizen.connect(sockets(app))
        conversation_id = citizen.welcome["conversation_id"]
        await warm_up(citizen)
        await ask_and_wait(citizen, QUESTIONS[0])
        log_before = log_file.read_text(errors="replace")

        redis.stop()
        during = QUESTIONS[1:4]
        acks = [await citizen.say(question) for question in during]
        assert [a.get("delivery") for a in acks] == ["delayed"] * len(during)
        await collect_until(citizen, lambda frames: set(during) <= answered_queries(frames), 120,
                            "answers while Redis is down")
        notices = [f for f in citizen.frames if f.get("type") == "error"]
        assert [n["code"] for n in notices] == ["delivery_delayed"], notices  # once, and no generic error
        assert "gespeichert" in notices[0]["message"] and "Zustellung verzögert" in notices[0]["message"]
        assert notices[0]["client_id"] is None  # the widget keeps the acknowledged message as sent

        redis.start()

        async def recovered() -> bool:
            return "available again" in log_file.read_text(errors="replace")

        await wait_until(recovered, timeout=30)
        ack = await ask_and_wait(citizen, QUESTIONS[4])
        assert "delivery" not in ack

        assert all(r.status == "done" for r in relays(db, conversation_id))
        again = await Citizen.connect(sockets(app), token=citizen.token, last_seq=0)  # the reconnect path
        assert set(QUESTIONS) <= answered_queries(again.backlog)
        await again.close()
        await citizen.close()

        log = log_file.read_text(errors="replace")[len(log_before):]
        assert log.count("redis pub/sub unavailable") == 1, log
        assert log.count("redis pub/sub available again") == 1, log
        assert "Traceback" not in log and "Es ist ein Fehler aufgetreten" not in log, log
    finally:
        app.stop()
        engine.dispose()
