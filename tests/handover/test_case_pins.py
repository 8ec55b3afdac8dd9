"""The PIN of an application case (handover/domain/case_pins.py): salted scrypt hashes, the format accepted, and the
same work for an unknown number as for a wrong PIN (on a real SQLite database migrated with the demo cases)."""

from __future__ import annotations

import statistics
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from bot.actions.service_records import count_lookup_failure, find_case, lookup_failures
from handover.domain.conversations.retention import purge
from handover.domain.models.services import StatusLookupFailures
from handover.domain.case_pins import hash_pin, new_pin, normalize_pin, verify_pin
from handover.shell.database import make_engine, make_sessionmaker, upgrade_database


@pytest.mark.parametrize(("typed", "pin"), [
    ("731904", "731904"), (" 731 904 ", "731904"), ("731-904", "731904"), ("73190", None), ("7319045", None),
    ("abcdef", None), ("", None), (None, None), ("Wo finde ich die PIN?", None),
])
def test_normalize_pin(typed, pin) -> None:
    assert normalize_pin(typed) == pin


def test_hashes_are_salted_and_verify_only_the_right_pin() -> None:
    first, second = hash_pin("731904"), hash_pin("731904")
    assert first != second and first.startswith("scrypt$16384$8$1$")
    assert verify_pin("731904", first) and verify_pin("731904", second)
    assert not verify_pin("731905", first)
    assert not verify_pin("731904", None) and not verify_pin("731904", "") and not verify_pin("731904", "md5$x")
    assert len(new_pin()) == 6 and new_pin().isdigit()


def test_an_unknown_number_costs_the_same_as_a_wrong_pin(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'pins.db'}"
    upgrade_database(url)
    engine = make_engine(url)
    try:
        sessions = make_sessionmaker(engine)
        find_case(sessions, "MS-2026-000123", "000000")  # warm-up (the dummy hash is made once)

        def seconds(number: str, pin: str) -> float:
            runs = []
            for _ in range(5):
                start = time.perf_counter()
                assert find_case(sessions, number, pin) is None
                runs.append(time.perf_counter() - start)
            return statistics.median(runs)

        wrong_pin, unknown = seconds("MS-2026-000123", "000000"), seconds("MS-2026-999999", "731904")
        # both pay for a scrypt check (tens of milliseconds); without the dummy check the unknown number would
        # answer in well under a millisecond
        assert unknown > 0.01 and wrong_pin > 0.01
        assert 0.5 < unknown / wrong_pin < 2, (unknown, wrong_pin)
    finally:
        engine.dispose()


def test_retention_deletes_old_failure_counts(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'retention.db'}"
    upgrade_database(url)
    engine = make_engine(url)
    try:
        sessions = make_sessionmaker(engine)
        count_lookup_failure(sessions, "old")
        count_lookup_failure(sessions, "recent")
        with sessions.begin() as session:
            session.get(StatusLookupFailures, "old").last_failed_at = datetime.now(timezone.utc) - timedelta(days=400)
        with sessions.begin() as session:
            assert purge(session, 180)["status_lookup_failures"] == 1
        assert (lookup_failures(sessions, "old"), lookup_failures(sessions, "recent")) == (0, 1)
    finally:
        engine.dispose()


def test_the_migration_goes_down_and_up_again(tmp_path: Path) -> None:
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import inspect

    from handover.shell.database import MIGRATIONS_DIR

    url = f"sqlite:///{tmp_path / 'down.db'}"
    upgrade_database(url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url)
    command.downgrade(config, "services_0001")
    engine = make_engine(url)
    try:
        tables = inspect(engine)
        assert "pin_hash" not in {c["name"] for c in tables.get_columns("application_cases")}
        assert not tables.has_table("status_lookup_failures")
    finally:
        engine.dispose()
    upgrade_database(url)
    engine = make_engine(url)
    try:
        assert find_case(make_sessionmaker(engine), "MS-2026-000126", "530842").status == "approved"
    finally:
        engine.dispose()
