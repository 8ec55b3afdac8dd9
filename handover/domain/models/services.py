"""Citizen services the bot's forms use: defect reports (Mängelmelder) and application cases (status queries)."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import DateTime, Float, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from handover.shell.database import Base

DEFECT_REFERENCE_PREFIX = "MM"
CASE_NUMBER_PREFIX = "MS"


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def format_reference(prefix: str, year: int, serial: int) -> str:
    """`MM-2026-000042`: prefix, year, six-digit serial (the row id, so it is unique without a counter table)."""
    return f"{prefix}-{year:04d}-{serial:06d}"


class DefectReport(Base):
    """A defect reported by a citizen (pothole, broken street light, illegal dumping …)."""

    __tablename__ = "defect_reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # Filled right after the INSERT from the row id; nullable only for that moment.
    reference: Mapped[str | None] = mapped_column(String(20), unique=True, index=True)
    category: Mapped[str] = mapped_column(String(40))
    location: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text)
    contact: Mapped[str | None] = mapped_column(String(200))
    conversation_id: Mapped[str | None] = mapped_column(String(120), index=True)
    language: Mapped[str] = mapped_column(String(5), default="de")
    # received ("neu") → in_progress → done | rejected (handover/domain/defect_reports.py)
    status: Mapped[str] = mapped_column(String(30), default="received", index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    # Staff side and Open311 (issue 13; migration handover_0006_tickets):
    department: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    email: Mapped[str | None] = mapped_column(String(200), nullable=True)  # for status updates, if given
    name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    latitude: Mapped[float | None] = mapped_column(Float, nullable=True)
    longitude: Mapped[float | None] = mapped_column(Float, nullable=True)
    public_comment: Mapped[str | None] = mapped_column(Text, nullable=True)  # the staff's word to the public
    media_url: Mapped[str | None] = mapped_column(String(500), nullable=True)  # a photo elsewhere (Open311 POST)
    source: Mapped[str] = mapped_column(String(20), default="chat")  # chat | open311
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class ApplicationCase(Base):
    """An application (Antrag) whose processing status citizens can query with the case number and the PIN printed
    on its receipt (handover/domain/case_pins.py)."""

    __tablename__ = "application_cases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_number: Mapped[str] = mapped_column(String(20), unique=True, index=True)
    service: Mapped[str] = mapped_column(String(120))
    status: Mapped[str] = mapped_column(String(30))
    status_text: Mapped[str] = mapped_column(Text)
    office: Mapped[str] = mapped_column(String(60))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    # Salted scrypt hash of the receipt's PIN (migration services_0002). A case without one is never shown.
    pin_hash: Mapped[str | None] = mapped_column(String(200), nullable=True)


class StatusLookupFailures(Base):
    """Wrong case number/PIN combinations per conversation: after a few the bot stops looking up and offers a
    person. In the database, not in a Rasa slot, so "/restart" or a new Rasa session does not reset it."""

    __tablename__ = "status_lookup_failures"

    conversation_id: Mapped[str] = mapped_column(String(120), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
