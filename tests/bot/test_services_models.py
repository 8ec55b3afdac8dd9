"""Forms persistence: the services migration branch on SQLite and PostgreSQL, seeded cases, reference numbers."""

from __future__ import annotations

import os
import re
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text

from bot.actions.application_status import normalize_case_number
from bot.actions.defect_report import normalize_category
from bot.actions.follow_ups import refers_back
from bot.actions.service_records import count_lookup_failure, find_case, lookup_failures, save_defect_report
from handover.domain.models.services import ApplicationCase
from handover.shell.database import make_engine, make_sessionmaker, upgrade_database
from handover.shell.migrations.versions.services_0002_case_pins import DEMO_PINS


def _check_database(url: str) -> None:
    upgrade_database(url)
    upgrade_database(url)  # idempotent: a second start changes nothing
    engine = make_engine(url)
    try:
        sessions = make_sessionmaker(engine)
        with sessions() as session:
            numbers = session.scalars(select(ApplicationCase.case_number)).all()
        assert {"MS-2026-000123", "MS-2026-000125"} <= set(numbers) and len(numbers) == len(set(numbers))
        case = find_case(sessions, "MS-2026-000125", "946120")
        assert case is not None and case.status == "documents_missing" and case.office == "bauamt"
        assert find_case(sessions, "MS-2026-000125", "946121") is None  # a wrong PIN
        assert find_case(sessions, "MS-2026-999999", "946120") is None  # an unknown number
        with sessions() as session:  # every demo case has its PIN, salted: no two hashes alike
            hashes = session.scalars(select(ApplicationCase.pin_hash)).all()
        assert all(h and h.startswith("scrypt$") for h in hashes) and len(set(hashes)) == len(hashes)
        assert all(find_case(sessions, number, pin) for number, pin in DEMO_PINS.items())
        assert count_lookup_failure(sessions, "c1") == 1 and count_lookup_failure(sessions, "c1") == 2
        assert lookup_failures(sessions, "c1") == 2 and lookup_failures(sessions, "c2") == 0
        first = save_defect_report(sessions, category="muell", location="Am Markt 1", description="Viel Müll hier",
                                   contact=None, conversation_id="c1", language="de")
        second = save_defect_report(sessions, category="muell", location="Am Markt 2", description="Noch mehr Müll",
                                    contact="a@b.de", conversation_id="c1", language="de")
        assert re.fullmatch(r"MM-\d{4}-\d{6}", first) and first != second
    finally:
        engine.dispose()


def test_services_branch_on_sqlite(tmp_path: Path) -> None:
    _check_database(f"sqlite:///{tmp_path / 'services.db'}")


def test_services_branch_on_postgresql() -> None:
    base_url = os.environ.get("BUERGERBOT_TEST_POSTGRES_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/test")
    schema = f"bot_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base_url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        # Own schema (search_path) so other test modules using the same database are not disturbed.
        _check_database(f"{base_url}?options=-csearch_path={schema}")
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.mark.parametrize("raw, expected", [
    ("MS-2026-000123", "MS-2026-000123"), ("ms 2026 000123", "MS-2026-000123"), ("Ms2026000123", "MS-2026-000123"),
    ("Aktenzeichen MS-2026-123 bitte", "MS-2026-000123"), ("12345", None), ("MS-26-1", None), ("", None),
])
def test_case_number_normalization(raw: str, expected: str | None) -> None:
    assert normalize_case_number(raw) == expected


@pytest.mark.parametrize("raw, expected", [
    ("Straßenbeleuchtung", "beleuchtung"), ("Schlaglöcher", "strassenschaden"), ("wilder Müll", "muell"),
    ("Playground", "spielplatz"), ("Ampel", "verkehrszeichen"), ("Ufo gelandet", None),
])
def test_defect_category_normalization(raw: str, expected: str | None) -> None:
    assert normalize_category(raw) == expected


@pytest.mark.parametrize("text, asks_aspect, expected", [
    ("und was kostet das?", True, True), ("Wie lange dauert das?", True, True), ("and how much is it?", True, True),
    ("welche Unterlagen brauche ich?", True, True), ("Und für Kinder?", False, True),
    ("Ich möchte einen Hund anmelden", False, False),
    ("Wie melde ich meinen Wohnsitz an, wenn ich vorher im Ausland gelebt habe und keine Wohnung in Deutschland "
     "hatte?", False, False),
])
def test_follow_up_wording(text: str, asks_aspect: bool, expected: bool) -> None:
    """Whether the wording refers back; whether another topic is named decides the search (tests/bot/test_answers)."""
    assert refers_back(text, 7, asks_aspect) is expected
