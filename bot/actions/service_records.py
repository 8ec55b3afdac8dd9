"""Database access for the forms: store a defect report, look up an application case (only with its number and
its PIN), count wrong number/PIN combinations per conversation.

Synchronous SQLAlchemy, called through `asyncio.to_thread` so the app's event loop never waits on the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker

from handover.domain.case_pins import verify_pin
from handover.domain.defect_reports import public_status_of, record_chat_report
from handover.domain.models.services import (
    CASE_NUMBER_PREFIX,
    DEFECT_REFERENCE_PREFIX,
    ApplicationCase,
    StatusLookupFailures,
)
from handover.domain.office_hours import OfficeHours


@dataclass(frozen=True)
class CaseRecord:
    case_number: str
    service: str
    status: str
    status_text: str
    office: str


def save_defect_report(
    sessions: sessionmaker, *, category: str, location: str, description: str, contact: str | None,
    conversation_id: str | None, language: str, latitude: float | None = None, longitude: float | None = None,
    upload_id: str | None = None,
) -> str:
    """Stores the report (with its department, the e-mail address for status updates, coordinates and an uploaded
    photo: handover/domain/defect_reports.py) and returns its reference number (`MM-2026-000042`)."""
    with sessions.begin() as session:
        report = record_chat_report(
            session, category_key=category, location=location, description=description, contact=contact,
            conversation_id=conversation_id, language=language, latitude=latitude, longitude=longitude,
            upload_id=upload_id,
        )
        return report.reference


def report_status(sessions: sessionmaker, reference: str, office_hours: OfficeHours) -> dict | None:
    """The public status of a defect report by its reference number (no personal data)."""
    with sessions() as session:
        return public_status_of(session, reference, office_hours)


def find_case(sessions: sessionmaker, case_number: str, pin: str) -> CaseRecord | None:
    """The case only when number and PIN belong together; None for an unknown number, a wrong PIN and a case
    without a PIN alike, after the same scrypt check (handover/domain/case_pins.py)."""
    with sessions() as session:
        case = session.scalar(select(ApplicationCase).where(ApplicationCase.case_number == case_number))
        if not verify_pin(pin, case.pin_hash if case is not None else None) or case is None:
            return None
        return CaseRecord(case.case_number, case.service, case.status, case.status_text, case.office)


def lookup_failures(sessions: sessionmaker, conversation_id: str) -> int:
    with sessions() as session:
        row = session.get(StatusLookupFailures, conversation_id)
        return row.failures if row is not None else 0


def count_lookup_failure(sessions: sessionmaker, conversation_id: str) -> int:
    """One more wrong combination in this conversation; returns how many there are now."""
    for _ in range(2):  # two first failures of one conversation at once: the loser of the INSERT adds to it
        try:
            with sessions.begin() as session:
                row = session.get(StatusLookupFailures, conversation_id, with_for_update=True)
                if row is None:
                    row = StatusLookupFailures(conversation_id=conversation_id, failures=0)
                    session.add(row)
                row.failures += 1
                row.last_failed_at = datetime.now(timezone.utc)
                return row.failures
        except IntegrityError:
            continue
    return lookup_failures(sessions, conversation_id)


__all__ = ["CASE_NUMBER_PREFIX", "DEFECT_REFERENCE_PREFIX", "CaseRecord", "count_lookup_failure", "find_case",
           "lookup_failures", "report_status", "save_defect_report"]
