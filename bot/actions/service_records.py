"""Database access for the forms: store a defect report, look up an application case.

Synchronous SQLAlchemy, called through `asyncio.to_thread` so the app's event loop never waits on the database.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from handover.domain.defect_reports import public_status_of, record_chat_report
from handover.domain.models.services import CASE_NUMBER_PREFIX, DEFECT_REFERENCE_PREFIX, ApplicationCase
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


def find_case(sessions: sessionmaker, case_number: str) -> CaseRecord | None:
    with sessions() as session:
        case = session.scalar(select(ApplicationCase).where(ApplicationCase.case_number == case_number))
        if case is None:
            return None
        return CaseRecord(case.case_number, case.service, case.status, case.status_text, case.office)


__all__ = ["CASE_NUMBER_PREFIX", "DEFECT_REFERENCE_PREFIX", "CaseRecord", "find_case", "report_status",
           "save_defect_report"]
