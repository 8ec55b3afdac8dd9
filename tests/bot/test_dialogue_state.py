"""Dialogue state that survives: real Rasa processes with the tracker and lock stores `make run` configures
(handover/shell/rasa_endpoints.py). A citizen half-way through the Mängelmelder form continues where they were after
Rasa is SIGKILLed and restarted (SQLite tracker store, the default), and one conversation alternating between two
Rasa replicas on PostgreSQL + Redis lock store completes the form."""

from __future__ import annotations

import os
import signal
import sqlite3
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import redis
from sqlalchemy import create_engine, text

from tests.bot.servers import fresh_postgres_database, AppServer, Conversation, RasaServer, customs

pytestmark = pytest.mark.slow

LOCATION = "Lindenallee 7, vor der Grundschule"
DESCRIPTION = "Ein etwa 30 cm tiefes Loch auf der Fahrbahn, Radfahrer müssen ausweichen"


def form_step(messages: list[dict]) -> dict:
    found = customs(messages, "form")
    assert len(found) == 1, messages
    return found[0]


def stored_report(app_server: AppServer, reference: str) -> tuple:
    with sqlite3.connect(app_server.database_path) as db:
        return db.execute(
            "SELECT category, location, description, conversation_id FROM defect_reports WHERE reference = ?",
            (reference,),
        ).fetchone()


def test_form_continues_where_it_was_after_rasa_is_killed(rasa_server: RasaServer, app_server: AppServer) -> None:
    """The session's Rasa server is killed and restarted in place (same port, same tracker store), so the tests
    after this one keep using it."""
    sender = f"restart-{uuid.uuid4().hex[:12]}"
    before = Conversation(rasa_server, sender)
    assert form_step(before.send("In unserer Straße ist ein großes Schlagloch"))["step"] == "defect_location"
    assert form_step(before.send(LOCATION))["step"] == "defect_description"

    rasa_server.kill()
    rasa_server.start()

    after = Conversation(rasa_server, sender)  # the old keep-alive connection died with the process
    step = form_step(after.send(DESCRIPTION))
    assert (step["form"], step["step"], step["error"]) == ("defect_report", "defect_photo", None)
    assert form_step(after.send("nein"))["step"] == "defect_contact"
    done = form_step(after.send("nein"))
    assert done["step"] == "done" and done["result"]["location"] == LOCATION
    assert stored_report(app_server, done["result"]["reference"]) == ("strassenschaden", LOCATION, DESCRIPTION, sender)


# --- two replicas ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def rasa_database_url():
    with fresh_postgres_database("rasa_test") as url:
        yield url


@pytest.fixture(scope="module")
def lock_store_url() -> str:
    """The test Redis, on a database number of its own (lock keys are per database; pub/sub is not used here)."""
    test_redis = urlsplit(os.environ.get("BUERGERBOT_TEST_REDIS_URL", "redis://127.0.0.1:6379/15"))
    return f"redis://{test_redis.netloc}/14"


@pytest.fixture(scope="module")
def replicas(app_server: AppServer, trained_model: Path, rasa_database_url: str, lock_store_url: str,
             tmp_path_factory: pytest.TempPathFactory):
    servers = [
        RasaServer(tmp_path_factory.mktemp(f"rasa-replica-{name}"), app_server.url,
                   tracker_store_url=rasa_database_url, lock_store_url=lock_store_url)
        for name in ("a", "b")
    ]
    try:
        with ThreadPoolExecutor(2) as pool:
            list(pool.map(RasaServer.start, servers))
        yield servers
    finally:
        with ThreadPoolExecutor(2) as pool:  # Rasa takes about 10 s to exit; both at once
            list(pool.map(RasaServer.stop, servers))


class LockWatcher:
    """Redis MONITOR, filtered to one conversation's lock key: shows that the replicas lock in the shared Redis."""

    def __init__(self, url: str, sender: str) -> None:
        self.client = redis.Redis.from_url(url)
        self.key = f"lock:{sender}"
        self.stop_word = f"stop-{sender}"
        self.commands: list[str] = []
        self.thread = threading.Thread(target=self._watch, daemon=True)

    def __enter__(self) -> "LockWatcher":
        self.monitor = self.client.monitor().__enter__()
        self.thread.start()
        return self

    def _watch(self) -> None:
        for entry in self.monitor.listen():
            command = entry["command"]
            if self.stop_word in command:
                return
            if self.key in command:
                self.commands.append(command.split(" ", 1)[0].upper())

    def __exit__(self, *exc: object) -> None:
        self.client.echo(self.stop_word)
        self.thread.join(timeout=10)
        self.monitor.__exit__(*exc)
        self.client.close()


def test_one_conversation_alternating_between_two_replicas_completes_the_form(
    replicas: list[RasaServer], app_server: AppServer, rasa_database_url: str, lock_store_url: str
) -> None:
    sender = f"replicas-{uuid.uuid4().hex[:12]}"
    first, second = (Conversation(server, sender) for server in replicas)
    with LockWatcher(lock_store_url, sender) as locks:
        assert form_step(first.send("In unserer Straße ist ein großes Schlagloch"))["step"] == "defect_location"
        assert form_step(second.send(LOCATION))["step"] == "defect_description"
        assert form_step(first.send(DESCRIPTION))["step"] == "defect_photo"
        assert form_step(second.send("nein"))["step"] == "defect_contact"
        done = form_step(first.send("nein"))
    assert done["step"] == "done"
    assert stored_report(app_server, done["result"]["reference"]) == ("strassenschaden", LOCATION, DESCRIPTION, sender)

    # Every turn, on either replica, took and released the conversation's lock in Redis …
    assert locks.commands.count("SET") >= 4 and locks.commands.count("DEL") >= 4, locks.commands

    # Two messages of the conversation overlapping in time, one per replica: the first replica holds the lock while
    # it waits for its action (the action server is frozen), so the second must wait until the first is answered,
    # and each user turn is followed by its answer before the next turn starts. (Not sent at the very same
    # instant: Rasa 3.6 issues lock tickets by a read-modify-write in Redis, so two replicas that issue one in the
    # same millisecond can both go ahead. The gateway never does that: its outbox relays one turn of a
    # conversation at a time, across app replicas.)
    os.kill(app_server.process.pid, signal.SIGSTOP)
    try:
        with ThreadPoolExecutor(2) as pool:
            asked = [pool.submit(first.send, "Wie beantrage ich einen Reisepass?")]
            time.sleep(1.0)
            asked.append(pool.submit(second.send, "Wo melde ich meinen Wohnsitz an?"))
            time.sleep(1.0)
            os.kill(app_server.process.pid, signal.SIGCONT)
            answers = [future.result() for future in asked]
    finally:
        os.kill(app_server.process.pid, signal.SIGCONT)
    assert all(customs(messages, "knowledge") for messages in answers), answers

    # The dialogue state lives in PostgreSQL, shared by both replicas.
    engine = create_engine(rasa_database_url)
    with engine.connect() as connection:
        events = [tuple(row) for row in connection.execute(
            text("SELECT type_name, action_name FROM events WHERE sender_id = :sender ORDER BY id"), {"sender": sender}
        )]
    engine.dispose()
    turns = [index for index, (kind, _) in enumerate(events) if kind == "user"]
    assert len(turns) == 5 + 2  # the form's five answers (category named in the first), the two questions
    for start, end in zip(turns, turns[1:]):
        assert ("action", "action_listen") in events[start + 1:end], events[start:end]
