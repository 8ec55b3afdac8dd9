"""Fixtures for the bot tests: the trained model and real app + Rasa servers (module scope: startup is slow)."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from tests.bot.servers import AppServer, Conversation, RasaServer, ensure_trained_model


@pytest.fixture(scope="session")
def trained_model() -> Path:
    return ensure_trained_model()


@pytest.fixture(scope="session")
def app_server(tmp_path_factory: pytest.TempPathFactory) -> AppServer:
    server = AppServer(tmp_path_factory.mktemp("bot-app")).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def rasa_server(trained_model: Path, app_server: AppServer, tmp_path_factory: pytest.TempPathFactory) -> RasaServer:
    server = RasaServer(tmp_path_factory.mktemp("bot-rasa"), app_server.url).start()
    yield server
    server.stop()


@pytest.fixture
def conversation(rasa_server: RasaServer) -> Conversation:
    return Conversation(rasa_server, f"test-{uuid.uuid4().hex[:12]}")


@pytest.fixture
def english_conversation(rasa_server: RasaServer) -> Conversation:
    return Conversation(rasa_server, f"test-en-{uuid.uuid4().hex[:12]}", language="en")
