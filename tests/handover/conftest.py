"""Real app servers (uvicorn in a thread on a free port) for the handover protocol tests, on SQLite with
in-process pub/sub and on PostgreSQL with Redis pub/sub; plus websocket/HTTP client helpers.

Rasa points at a closed port on purpose: these tests exercise "Rasa down" and reach the queue with the
citizen's explicit request; the relay against the real Rasa runs in the bot's end-to-end tests."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import socket
import threading
import time
import uuid
from pathlib import Path

import httpx
import pytest
import uvicorn
from websockets.asyncio.client import connect

from handover.app import create_app
from handover.domain.agent_accounts import create_agent
from handover.shell.database import Database, make_engine, make_sessionmaker
from handover.shell.settings import PROJECT_ROOT, Settings
from tests.bot.servers import ACTION_SECRET, fresh_postgres_schema

SHARED_INDEX = PROJECT_ROOT / "var" / "index"  # built by `make index`
INDEX_CACHE = PROJECT_ROOT / "var" / "test-cache" / "handover-index"
ALWAYS = {day: ["00:00-24:00"] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
DEPARTMENTS = {
    "timezone": "Europe/Berlin",
    "default_department": "servicecenter",
    "holidays": [],
    "departments": {
        "servicecenter": {"name": "Servicecenter", "hours": ALWAYS},
        "buergerbuero": {"name": "Bürgerbüro", "hours": ALWAYS},
        "kfz": {"name": "Kfz-Zulassung", "hours": ALWAYS},  # no test agent ever serves it: "nobody online"
        "standesamt": {"name": "Standesamt", "hours": {}},  # never open: "outside office hours"
    },
}
PASSWORD = "geheim-genug-123"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class AppServer:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.port = settings.port
        self.base = f"http://127.0.0.1:{self.port}"
        self.ws_base = f"ws://127.0.0.1:{self.port}"
        config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=self.port, log_level="warning",
                                ws="websockets-sansio", lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self) -> "AppServer":
        self.thread.start()
        deadline = time.monotonic() + 600
        while not self.server.started:
            if not self.thread.is_alive():
                raise RuntimeError("app server failed to start")
            if time.monotonic() > deadline:
                raise RuntimeError("app server did not start in time")
            time.sleep(0.05)
        self.db = Database(make_sessionmaker(make_engine(self.settings.resolved_database_url)))
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)

    def add_agent(self, role: str = "agent", departments=("servicecenter",), capacity: int = 3) -> dict:
        username = f"{role}-{uuid.uuid4().hex[:8]}"
        display = f"Agent {username[-4:]}"
        agent_id = self.db.run_sync(lambda s: create_agent(
            s, username=username, display_name=display, role=role, departments=list(departments),
            password=PASSWORD, capacity=capacity).id)
        return {"id": agent_id, "username": username, "display_name": display}


def make_settings(tmp: Path, *, database_url: str | None, pubsub_url: str, port: int | None = None) -> Settings:
    departments_file = tmp / "departments.yml"
    departments_file.write_text(json.dumps(DEPARTMENTS), encoding="utf-8")  # JSON is valid YAML
    port = port or free_port()
    return Settings(
        data_dir=tmp,
        index_dir=INDEX_CACHE,
        watch_articles=False,
        database_url=database_url,
        pubsub_url=pubsub_url,
        rasa_url=f"http://127.0.0.1:{free_port()}",  # nothing listens there
        rasa_timeout_seconds=2.0,
        relay_retry_seconds=1.0,  # Rasa is down on purpose: one retry, then the citizen is told
        departments_file=departments_file,
        host="127.0.0.1",
        port=port,
        public_url=f"http://127.0.0.1:{port}",
        widget_origins="https://www.musterstadt.example",
        log_format="text",
        log_level="WARNING",
        action_secret=ACTION_SECRET,  # what tests/bot/servers.RasaServer sends
        new_conversations_per_minute_per_ip=100_000,  # the tests open dozens of conversations from 127.0.0.1
    )


@pytest.fixture(scope="session")
def postgres_schema_url():
    with fresh_postgres_schema("handover_test") as url:
        yield url


@pytest.fixture(scope="session")
def redis_url():
    return os.environ.get("BUERGERBOT_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def seed_index_cache() -> None:
    INDEX_CACHE.parent.mkdir(parents=True, exist_ok=True)
    if SHARED_INDEX.is_dir() and not INDEX_CACHE.exists():  # `make index` already embedded the demo articles
        shutil.copytree(SHARED_INDEX, INDEX_CACHE)


@pytest.fixture(scope="session")
def sqlite_server(tmp_path_factory):
    seed_index_cache()
    tmp = tmp_path_factory.mktemp("app-sqlite")
    server = AppServer(make_settings(tmp, database_url=None, pubsub_url="memory://")).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def postgres_server(tmp_path_factory, postgres_schema_url, redis_url):
    tmp = tmp_path_factory.mktemp("app-pg-a")
    server = AppServer(make_settings(tmp, database_url=postgres_schema_url, pubsub_url=redis_url)).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def postgres_replica(tmp_path_factory, postgres_server, postgres_schema_url, redis_url):
    """A second replica on the same PostgreSQL and Redis."""
    tmp = tmp_path_factory.mktemp("app-pg-b")
    server = AppServer(make_settings(tmp, database_url=postgres_schema_url, pubsub_url=redis_url)).start()
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "postgres"], scope="session")
def server(request) -> AppServer:
    return request.getfixturevalue(f"{request.param}_server")


# --- clients -------------------------------------------------------------------------------------
class Socket:
    def __init__(self, ws) -> None:
        self.ws = ws
        self.frames: list[dict] = []
        self.pending: list[dict] = []

    async def send(self, frame: dict | str | bytes) -> None:
        await self.ws.send(frame if isinstance(frame, (str, bytes)) else json.dumps(frame))

    async def recv(self, timeout: float = 5.0) -> dict:
        frame = json.loads(await asyncio.wait_for(self.ws.recv(), timeout))
        self.frames.append(frame)
        return frame

    async def expect(self, predicate, timeout: float = 5.0, what: str = "frame") -> dict:
        """First matching frame; frames that do not match stay pending for later expectations (pub/sub may
        deliver an event and its ack in either order)."""
        for index, frame in enumerate(self.pending):
            if predicate(frame):
                return self.pending.pop(index)
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                raise AssertionError(f"no {what} within {timeout}s; got {[f.get('type') for f in self.frames]}")
            try:
                frame = await self.recv(remaining)
            except asyncio.TimeoutError:
                continue
            if predicate(frame):
                return frame
            self.pending.append(frame)

    async def expect_type(self, type_: str, timeout: float = 5.0, **fields) -> dict:
        return await self.expect(
            lambda f: f.get("type") == type_ and all(f.get(k) == v for k, v in fields.items()),
            timeout, what=f"{type_} {fields}")

    async def close(self) -> None:
        await self.ws.close()


class Citizen(Socket):
    welcome: dict
    backlog: list[dict]

    @classmethod
    async def connect(cls, server: AppServer, *, token: str | None = None, last_seq: int = 0,
                      department: str | None = None, language: str = "de", citizen_key: str | None = None,
                      origin: str | None = None) -> "Citizen":
        ws = await connect(f"{server.ws_base}/ws/citizen", origin=origin, max_size=2**22)
        citizen = cls(ws)
        await citizen.send({"type": "hello", "version": 1, "token": token, "last_seq": last_seq,
                            "language": language, "page": "https://www.musterstadt.example/buergerservice",
                            "department": department, "citizen_key": citizen_key})
        citizen.welcome = await citizen.expect_type("welcome")
        citizen.backlog = []
        # the backlog follows the welcome immediately
        while len(citizen.backlog) < max(0, citizen.welcome["last_seq"] - last_seq):
            citizen.backlog.append(await citizen.recv())
        return citizen

    @property
    def token(self) -> str:
        return self.welcome["token"]

    async def say(self, text: str, client_id: str | None = None) -> dict:
        client_id = client_id or uuid.uuid4().hex
        await self.send({"type": "message", "client_id": client_id, "text": text})
        return await self.expect_type("ack", client_id=client_id)


class AgentConsole(Socket):
    snapshot: dict

    @classmethod
    async def connect(cls, server: AppServer, account: dict) -> "AgentConsole":
        async with httpx.AsyncClient(base_url=server.base) as http:
            response = await http.post("/console/login", data={"username": account["username"], "password": PASSWORD},
                                       headers={"Accept": "application/json"})
            assert response.status_code == 200, response.text
            cookie = response.cookies["bb_session"]
        ws = await connect(f"{server.ws_base}/ws/agent", additional_headers={"Cookie": f"bb_session={cookie}"},
                           max_size=2**24)
        console = cls(ws)
        console.cookie = cookie
        console.csrf = response.json()["csrf_token"]
        console.snapshot = await console.expect_type("snapshot")
        return console


async def wait_until(condition, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("condition not met in time")


# Servers for the staff side of issue 13 (a real SMTP server, the Open311 key), shared by several modules.
from tests.handover.staff_servers import (  # noqa: E402,F401  (fixtures)
    mailless_server,
    smtp,
    smtp_server,
    staff_postgres_server,
    staff_server,
    staff_sqlite_server,
)
