"""Rules without sockets: office hours, reply merging, log redaction, pub/sub backends, retention, CLI."""

from __future__ import annotations

import asyncio
import os
import subprocess
import uuid
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from handover.domain.conversations.retention import purge
from handover.domain.models.conversations import Conversation, Message
from handover.domain.office_hours import ConfigError, OfficeHours
from handover.domain.rasa_client import merge_replies
from handover.shell.log_format import JsonFormatter, redact
from handover.shell.pubsub import RedisPubSub, make_pubsub
from handover.shell.settings import PROJECT_ROOT

BERLIN = ZoneInfo("Europe/Berlin")


def hours() -> OfficeHours:
    return OfficeHours.from_mapping({
        "timezone": "Europe/Berlin",
        "default_department": "servicecenter",
        "holidays": ["2026-12-25"],
        "departments": {
            "servicecenter": {"name": "Servicecenter", "hours": {"mon": ["08:00-12:00", "14:00-16:00"],
                                                                 "fri": ["08:00-12:00"]}},
            "standesamt": {"name": "Standesamt", "hours": {"tue": ["09:00-11:00"]}, "closed_days": ["2026-11-24"]},
        },
    })


def test_office_hours_open_closed_and_next_open():
    schedule = hours()
    monday_morning = datetime(2026, 11, 23, 9, 0, tzinfo=BERLIN)
    assert schedule.is_open("servicecenter", monday_morning)
    lunch = datetime(2026, 11, 23, 12, 30, tzinfo=BERLIN)
    assert not schedule.is_open("servicecenter", lunch)
    assert schedule.next_open("servicecenter", lunch) == datetime(2026, 11, 23, 14, 0, tzinfo=BERLIN)
    friday_evening = datetime(2026, 11, 27, 18, 0, tzinfo=BERLIN)
    assert schedule.next_open("servicecenter", friday_evening) == datetime(2026, 11, 30, 8, 0, tzinfo=BERLIN)
    # department closing day: the Standesamt's Tuesday 24.11. is skipped
    assert schedule.next_open("standesamt", monday_morning) == datetime(2026, 12, 1, 9, 0, tzinfo=BERLIN)
    # unknown departments use the default queue
    assert schedule.resolve("gibt-es-nicht") == "servicecenter"
    assert schedule.status(None, monday_morning).open is True
    # times in UTC are converted to local time (09:00 Berlin = 08:00 UTC in winter)
    assert schedule.is_open("servicecenter", datetime(2026, 11, 23, 8, 0, tzinfo=timezone.utc))
    assert "Mo 08:00–12:00, 14:00–16:00" in schedule.describe_hours("servicecenter")


def test_public_holiday_closes_every_department():
    schedule = OfficeHours.from_mapping({
        "default_department": "a", "holidays": ["2026-12-25"],
        "departments": {"a": {"hours": {"fri": ["08:00-12:00"]}}},
    })
    christmas = datetime(2026, 12, 25, 9, 0, tzinfo=BERLIN)
    assert not schedule.is_open("a", christmas)
    assert schedule.next_open("a", christmas) == datetime(2027, 1, 1, 8, 0, tzinfo=BERLIN)


def test_shipped_departments_file_is_valid_and_matches_offices():
    import yaml

    schedule = OfficeHours.from_file(PROJECT_ROOT / "handover" / "config" / "departments.yml")
    offices = yaml.safe_load((PROJECT_ROOT / "knowledge" / "articles" / "_offices.yml").read_text(encoding="utf-8"))
    entries = offices.values() if isinstance(offices, dict) else offices
    departments = {o["department"] for o in (entries if not isinstance(offices, dict) or "offices" not in offices
                                             else offices["offices"]) if isinstance(o, dict) and o.get("department")}
    assert departments, "no departments found in _offices.yml"
    assert departments <= set(schedule.departments), departments - set(schedule.departments)


def test_bad_office_hours_are_reported():
    with pytest.raises(ConfigError):
        OfficeHours.from_mapping({"default_department": "a", "departments": {"a": {"hours": {"mon": ["12-8"]}}}})
    with pytest.raises(ConfigError):
        OfficeHours.from_mapping({"default_department": "x", "departments": {"a": {}}})


def test_custom_item_is_attached_to_preceding_text():
    items = [
        {"recipient_id": "c", "text": "Den Personalausweis beantragen Sie im Bürgerbüro."},
        {"recipient_id": "c", "custom": {"type": "knowledge", "version": 1, "decision": "answer", "score": 0.91}},
        {"recipient_id": "c", "text": "Hat Ihnen das geholfen?",
         "buttons": [{"title": "Ja", "payload": "/affirm"}, {"title": "Nein", "payload": "/deny"}]},
        {"recipient_id": "c", "custom": {"type": "handover", "version": 1, "reason": "citizen_request"}},
    ]
    replies = merge_replies(items)
    assert len(replies) == 2
    assert replies[0].custom["type"] == "knowledge"
    assert replies[1].buttons[0] == {"title": "Ja", "payload": "/affirm"} and replies[1].custom["type"] == "handover"
    assert merge_replies([{"custom": {"type": "form"}}])[0].text is None


def test_personal_data_is_redacted_in_logs():
    import logging

    text = "Bürgerin erika.m@example.de, Tel. 0621 123 4567, Vorgang MM-2026-000042 am 2026-11-22"
    cleaned = redact(text)
    assert "erika" not in cleaned and "123 4567" not in cleaned and "MM-2026" not in cleaned
    assert "2026-11-22" in cleaned
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "Ticket für %s", ("erika.m@example.de",), None)
    line = JsonFormatter().format(record)
    assert "[E-MAIL]" in line and "erika" not in line and '"level": "INFO"' in line


@pytest.mark.parametrize("backend", ["memory", "redis"])
async def test_pubsub_delivers_to_joined_channels_only(backend, redis_url):
    url = "memory://" if backend == "memory" else redis_url
    hub = make_pubsub(url)
    await hub.connect()
    try:
        async with hub.subscriber() as first, hub.subscriber() as second:
            channel = f"test:{uuid.uuid4().hex}"
            await first.join(channel)
            await second.join(channel)
            await second.leave(channel)
            await hub.publish(channel, {"n": 1})
            assert await asyncio.wait_for(first.get(), 5) == (channel, {"n": 1})
            with pytest.raises(asyncio.TimeoutError):
                await asyncio.wait_for(second.get(), 0.3)
    finally:
        await hub.disconnect()
    assert isinstance(hub, RedisPubSub) == (backend == "redis")


async def test_pubsub_redis_crosses_replicas(redis_url):
    a, b = make_pubsub(redis_url), make_pubsub(redis_url)
    await a.connect()
    await b.connect()
    try:
        channel = f"test:{uuid.uuid4().hex}"
        async with b.subscriber() as listener:
            await listener.join(channel)
            await a.publish(channel, {"from": "a"})
            assert await asyncio.wait_for(listener.get(), 5) == (channel, {"from": "a"})
    finally:
        await a.disconnect()
        await b.disconnect()


def test_retention_purges_old_conversations(server):
    old_id, new_id = uuid.uuid4().hex, uuid.uuid4().hex
    long_ago = datetime.now(timezone.utc) - timedelta(days=400)

    def seed(session):
        for conversation_id, when in ((old_id, long_ago), (new_id, datetime.now(timezone.utc))):
            session.add(Conversation(id=conversation_id, token_hash=uuid.uuid4().hex * 2, state="closed",
                                     created_at=when, updated_at=when, last_seq=1))
            session.add(Message(id=uuid.uuid4().hex, conversation_id=conversation_id, seq=1, sender="citizen",
                                text="alt", created_at=when))

    server.db.run_sync(seed)
    counts = server.db.run_sync(lambda s: purge(s, 180))
    assert counts["conversations"] >= 1
    remaining = server.db.run_sync(lambda s: set(s.scalars(select(Conversation.id).where(
        Conversation.id.in_([old_id, new_id])))))
    assert remaining == {new_id}
    assert server.db.run_sync(lambda s: s.scalar(select(Message).where(Message.conversation_id == old_id))) is None


def test_agents_cli_add_and_list(tmp_path):
    env = {**os.environ, "BUERGERBOT_DATA_DIR": str(tmp_path), "BUERGERBOT_DATABASE_URL": ""}
    cli = [str(PROJECT_ROOT / ".venv" / "bin" / "buergerbot"), "agents"]
    added = subprocess.run(cli + ["add", "mmeier", "Maria Meier", "--role", "supervisor", "--departments",
                                  "buergerbuero,standesamt", "--password", "sehr-geheim-1"],
                           env=env, capture_output=True, text=True, timeout=120)
    assert added.returncode == 0, added.stderr + added.stdout
    duplicate = subprocess.run(cli + ["add", "mmeier", "--display-name", "Maria", "--password", "sehr-geheim-1"],
                               env=env, capture_output=True, text=True, timeout=120)
    assert duplicate.returncode == 1 and "existiert bereits" in duplicate.stdout
    listed = subprocess.run(cli + ["list"], env=env, capture_output=True, text=True, timeout=120)
    assert "mmeier" in listed.stdout and "supervisor" in listed.stdout
    purged = subprocess.run([cli[0], "conversations", "purge", "--days", "30"], env=env, capture_output=True,
                            text=True, timeout=120)
    assert purged.returncode == 0 and "Gelöscht: 0 Gespräche" in purged.stdout, purged.stderr + purged.stdout
