"""Database access for the forms: store a defect report, look up an application case.

Synchronous SQLAlchemy, called through `asyncio.to_thread` so the app's event loop never waits on the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from handover.domain.models.services import (
    CASE_NUMBER_PREFIX,
    DEFECT_REFERENCE_PREFIX,
    ApplicationCase,
    DefectReport,
    format_reference,
)


@dataclass(frozen=True)
class CaseRecord:
    case_number: str
    service: str
    status: str
    status_text: str
    office: str


def save_defect_report(
    sessions: sessionmaker, *, category: str, location: str, description: str, contact: str | None,
    conversation_id: str | None, language: str,
) -> str:
    """Stores the report and returns its reference number (`MM-2026-000042`)."""
    with sessions.begin() as session:
        report = DefectReport(
            category=category, location=location, description=description, contact=contact,
            conversation_id=conversation_id, language=language, status="received",
            created_at=datetime.now(timezone.utc),
        )
        session.add(report)
        session.flush()  # assigns the id the reference number is made from
        report.reference = format_reference(DEFECT_REFERENCE_PREFIX, report.created_at.year, report.id)
        return report.reference


def find_case(sessions: sessionmaker, case_number: str) -> CaseRecord | None:
    with sessions() as session:
        case = session.scalar(select(ApplicationCase).where(ApplicationCase.case_number == case_number))
        if case is None:
            return None
        return CaseRecord(case.case_number, case.service, case.status, case.status_text, case.office)


__all__ = ["CASE_NUMBER_PREFIX", "CaseRecord", "find_case", "save_defect_report"]
