"""Real processes for the bot tests and the benchmark: the app (action server + knowledge index) and Rasa."""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import uuid
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, make_url, text

from handover.shell.rasa_endpoints import write_runtime_endpoints
from handover.shell.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
RASA = ROOT / ".venv-rasa" / "bin" / "rasa"
BOT_DIR = ROOT / "bot"
MODEL = BOT_DIR / "models" / "buergerbot.tar.gz"
SHARED_INDEX = ROOT / "var" / "index"  # built by `make index`
# Index of an earlier bot test run: copied into each run's temporary index folder so the demo articles are not
# re-embedded every time (the knowledge service re-embeds whatever changed since).
INDEX_CACHE = ROOT / "var" / "test-cache" / "bot-index"
# The action secret of every app and Rasa these helpers start (each in a data folder of its own), so a Rasa may
# call the actions of the app it is pointed at; the app refuses /webhook calls without it.
ACTION_SECRET = secrets.token_urlsafe(32)


@contextmanager
def fresh_postgres_database(prefix: str):
    """A PostgreSQL database of its own (Rasa's `events` table name is fixed, so a schema is not enough), dropped
    afterwards; yields its URL."""
    base = make_url(os.environ.get("BUERGERBOT_TEST_POSTGRES_URL",
                                   "postgresql+psycopg2://postgres@127.0.0.1:5432/test"))
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def fresh_postgres_schema(prefix: str):
    """A schema of its own in the test database (the app's tables, a sweep that sees only this test's rows),
    dropped afterwards; yields a URL whose search_path points at it."""
    base = os.environ.get("BUERGERBOT_TEST_POSTGRES_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/test")
    schema = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in base else "?"
    try:
        yield f"{base}{separator}options=-csearch_path={schema}"
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def ensure_trained_model() -> Path:
    """`python -m bot.training` is a no-op when the model matches the data (make train ran before)."""
    subprocess.run([sys.executable, "-m", "bot.training", "--rasa", str(RASA)], cwd=ROOT, check=True)
    return MODEL


def _wait(url: str, process: subprocess.Popen, log: Path, timeout: float, ok=lambda r: r.status_code == 200) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"process exited ({process.returncode}):\n{log.read_text(errors='replace')[-4000:]}")
        try:
            if ok(httpx.get(url, timeout=2)):
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise TimeoutError(f"{url} not ready after {timeout:.0f} s:\n{log.read_text(errors='replace')[-4000:]}")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass
class AppServer:
    """The Bürgerbot app in a subprocess with its own SQLite database and index folder. `extra_env` overrides
    settings (e.g. BUERGERBOT_DATABASE_URL, BUERGERBOT_PUBSUB_URL, BUERGERBOT_RASA_URL); `start()` after a
    `process.kill()` restarts it on the same port and database, appending to the same log."""

    workdir: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None
    extra_env: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def database_path(self) -> Path:
        return self.workdir / "buergerbot.db"

    def start(self, timeout: float = 600) -> "AppServer":
        index_dir = self.workdir / "index"
        seed = INDEX_CACHE if INDEX_CACHE.exists() else SHARED_INDEX
        if seed.exists() and not index_dir.exists():
            shutil.copytree(seed, index_dir)
        env = {
            "PATH": "/usr/bin:/bin",
            "HOME": str(self.workdir),
            "HF_HUB_OFFLINE": "1",
            "TRANSFORMERS_OFFLINE": "1",
            "BUERGERBOT_DATA_DIR": str(self.workdir),
            "BUERGERBOT_INDEX_DIR": str(index_dir),
            "BUERGERBOT_DATABASE_URL": f"sqlite:///{self.database_path}",
            "BUERGERBOT_WATCH_ARTICLES": "false",
            "BUERGERBOT_LOG_LEVEL": "WARNING",
            "BUERGERBOT_ACTION_SECRET": ACTION_SECRET,
            # tests open dozens of conversations from 127.0.0.1 within a minute
            "BUERGERBOT_NEW_CONVERSATIONS_PER_MINUTE_PER_IP": "100000",
            **self.extra_env,
        }
        log = self.workdir / "app.log"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "handover.app:create_app", "--factory", "--host", "127.0.0.1",
             "--port", str(self.port), "--log-level", "warning"],
            cwd=ROOT, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT,
        )
        _wait(f"{self.url}/actions/health", self.process, log, timeout)
        if not INDEX_CACHE.exists():
            INDEX_CACHE.parent.mkdir(parents=True, exist_ok=True)
            shutil.copytree(index_dir, INDEX_CACHE.with_name(INDEX_CACHE.name + ".tmp"), dirs_exist_ok=True)
            INDEX_CACHE.with_name(INDEX_CACHE.name + ".tmp").rename(INDEX_CACHE)
        return self

    def stop(self) -> None:
        if self.process is not None:
            _stop(self.process)


@dataclass
class RasaServer:
    """`rasa run --enable-api` with the trained model, its action endpoint pointing at an AppServer.

    It runs with the endpoints file `make run` generates (handover/shell/rasa_endpoints.py): by default the SQL tracker
    store on SQLite in `workdir`, so a restart (`kill()` then `start()`) continues every conversation; give
    `tracker_store_url` and `lock_store_url` for replicas sharing PostgreSQL and Redis."""

    workdir: Path
    action_server_url: str
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None
    tracker_store_url: str | None = None
    lock_store_url: str | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def settings(self) -> Settings:
        return Settings(
            _env_file=None, data_dir=self.workdir, rasa_action_endpoint_url=f"{self.action_server_url}/webhook",
            rasa_tracker_store_url=self.tracker_store_url, rasa_lock_store_url=self.lock_store_url,
            action_secret=ACTION_SECRET,
        )

    def start(self, timeout: float = 600) -> "RasaServer":
        endpoints = write_runtime_endpoints(self.settings)
        log = self.workdir / "rasa.log"
        env = {"PATH": "/usr/bin:/bin", "HOME": str(self.workdir), "RASA_TELEMETRY_ENABLED": "false",
               "TF_CPP_MIN_LOG_LEVEL": "2"}
        self.process = subprocess.Popen(
            [str(RASA), "run", "--enable-api", "-m", str(MODEL), "--port", str(self.port), "--interface",
             "127.0.0.1", "--endpoints", str(endpoints), "--credentials", str(BOT_DIR / "credentials.yml")],
            cwd=self.workdir, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT,
        )
        _wait(f"{self.url}/status", self.process, log, timeout,
              ok=lambda r: r.status_code == 200 and bool(r.json().get("model_file")))
        return self

    def stop(self) -> None:
        if self.process is not None:
            _stop(self.process)

    def kill(self) -> None:
        """SIGKILL, as a crash or an OOM kill: nothing is flushed or closed."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()


class Conversation:
    """One citizen talking to the bot through Rasa's REST channel (what the gateway does)."""

    def __init__(self, rasa: RasaServer, sender: str, language: str = "de") -> None:
        self.rasa = rasa
        self.sender = sender
        self.language = language
        self.client = httpx.Client(base_url=rasa.url, timeout=60)

    def send(self, text: str) -> list[dict[str, Any]]:
        response = self.client.post(
            "/webhooks/rest/webhook",
            json={"sender": self.sender, "message": text, "metadata": {"language": self.language}},
        )
        response.raise_for_status()
        return response.json()

    def trigger(self, intent: str) -> list[dict[str, Any]]:
        response = self.client.post(
            f"/conversations/{self.sender}/trigger_intent", json={"name": intent}, params={"output_channel": "latest"}
        )
        response.raise_for_status()
        return response.json().get("messages", [])

    def tracker(self) -> dict[str, Any]:
        return self.client.get(f"/conversations/{self.sender}/tracker").json()


def customs(messages: list[dict[str, Any]], kind: str | None = None) -> list[dict[str, Any]]:
    found = [m["custom"] for m in messages if isinstance(m.get("custom"), dict)]
    return [c for c in found if kind is None or c.get("type") == kind]


def texts(messages: list[dict[str, Any]]) -> str:
    return "\n".join(m.get("text") or "" for m in messages)


def buttons(messages: list[dict[str, Any]]) -> list[dict[str, str]]:
    return [button for m in messages for button in (m.get("buttons") or [])]
