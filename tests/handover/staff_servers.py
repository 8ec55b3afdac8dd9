"""Servers for the staff-side tests of issue 13 (tickets, Meldungen, Open311, mail): a real SMTP server (aiosmtpd)
on a free loopback port that keeps what arrives, and app servers configured to send through it, on SQLite and on
PostgreSQL with Redis. Imported by tests/handover/conftest.py so the session-scoped servers are shared."""

from __future__ import annotations

import asyncio
import email
import email.policy
import threading
import time
from dataclasses import dataclass, field
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from pydantic import SecretStr

import json

from tests.handover.conftest import ALWAYS, DEPARTMENTS, AppServer, free_port, make_settings

OPEN311_KEY = "open311-test-key-4711"
MAIL_FROM = "Stadt Musterstadt <buergerservice@musterstadt.example>"


@dataclass
class ReceivedMail:
    sender: str
    recipients: list[str]
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def body(self) -> str:
        return self.message.get_body(("plain",)).get_content()


@dataclass
class SmtpSink:
    """The handler of a real aiosmtpd server: every message that the server accepts, parsed."""

    received: list[ReceivedMail] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)  # recipients answered with 550
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 (aiosmtpd API)
        if address in self.refuse:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd API)
        message = email.message_from_bytes(envelope.original_content or envelope.content, policy=email.policy.default)
        with self.lock:
            self.received.append(ReceivedMail(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[ReceivedMail]:
        with self.lock:
            return [m for m in self.received if address in m.recipients]

    async def wait_for(self, address: str, count: int = 1, timeout: float = 15.0) -> list[ReceivedMail]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            mails = self.to(address)
            if len(mails) >= count:
                return mails
            await asyncio.sleep(0.05)
        raise AssertionError(f"{count} mail(s) to {address} expected, got {len(self.to(address))}")


@pytest.fixture(scope="session")
def smtp_server():
    sink = SmtpSink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, sink
    controller.stop()


@pytest.fixture(scope="session")
def smtp(smtp_server) -> SmtpSink:
    return smtp_server[1]


# The protocol tests' departments plus those defect reports and the Bauordnung belong to. Bauordnung is never
# open: a ticket about building is left "outside the chat service hours".
STAFF_DEPARTMENTS = {
    **DEPARTMENTS,
    "departments": {
        **DEPARTMENTS["departments"],
        "tiefbau": {"name": "Tiefbau und Straßen", "hours": ALWAYS},
        "umwelt": {"name": "Umwelt und Grünflächen", "hours": ALWAYS},
        "abfall": {"name": "Abfallwirtschaft", "hours": ALWAYS},
        "ordnungsamt": {"name": "Ordnungsamt", "hours": ALWAYS},
        "bauen": {"name": "Bauordnung", "hours": {}},
    },
}


def staff_settings(tmp, smtp_port: int | None, **database):
    settings = make_settings(tmp, **database)
    departments_file = tmp / "departments-staff.yml"
    departments_file.write_text(json.dumps(STAFF_DEPARTMENTS), encoding="utf-8")
    # model_copy does not validate: values in their final types
    values = {"open311_api_keys": SecretStr(OPEN311_KEY), "city_name": "Musterstadt",
              "departments_file": departments_file}
    if smtp_port is not None:
        values.update(smtp_host="127.0.0.1", smtp_port=smtp_port, smtp_tls="none", mail_from=MAIL_FROM,
                      smtp_timeout_seconds=5.0)
    return settings.model_copy(update=values)


@pytest.fixture(scope="session")
def staff_sqlite_server(tmp_path_factory, smtp_server):
    tmp = tmp_path_factory.mktemp("staff-sqlite")
    server = AppServer(staff_settings(tmp, smtp_server[0].port, database_url=None, pubsub_url="memory://")).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def staff_postgres_server(tmp_path_factory, smtp_server, postgres_schema_url, redis_url):
    tmp = tmp_path_factory.mktemp("staff-pg")
    server = AppServer(staff_settings(tmp, smtp_server[0].port, database_url=postgres_schema_url,
                                      pubsub_url=redis_url)).start()
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "postgres"], scope="session")
def staff_server(request) -> AppServer:
    return request.getfixturevalue(f"staff_{request.param}_server")


@pytest.fixture(scope="session")
def mailless_server(tmp_path_factory):
    """No SMTP configured: what needs e-mail must say so."""
    tmp = tmp_path_factory.mktemp("staff-nomail")
    server = AppServer(staff_settings(tmp, None, database_url=None, pubsub_url="memory://")).start()
    yield server
    server.stop()
