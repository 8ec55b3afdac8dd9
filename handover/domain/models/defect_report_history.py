"""What happened to a defect report after it came in (issue 13): each status change with its public comment,
who made it and whether the citizen was told by e-mail; and the photos citizens upload (stored without
metadata, see handover/domain/defect_report_photos.py)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from handover.domain.models.conversations import UTCDateTime, utcnow
from handover.shell.database import Base


class DefectReportEvent(Base):
    __tablename__ = "defect_report_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("defect_reports.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(30))
    public_comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    agent_id: Mapped[int | None] = mapped_column(
        ForeignKey("handover_agents.id", ondelete="SET NULL"), nullable=True
    )
    author_name: Mapped[str | None] = mapped_column(String(120), nullable=True)
    source: Mapped[str] = mapped_column(String(20), default="console")  # chat | console | open311
    mail_status: Mapped[str | None] = mapped_column(String(20), nullable=True)  # sent | failed | not_configured
    mail_error: Mapped[str | None] = mapped_column(String(300), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class PhotoUpload(Base):
    """A photo as stored: re-encoded JPEG, EXIF (GPS included) gone. The id is random and unguessable; it is
    what the widget gets back and later hands to the report form."""

    __tablename__ = "photo_uploads"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    conversation_id: Mapped[str | None] = mapped_column(
        ForeignKey("handover_conversations.id", ondelete="SET NULL"), nullable=True, index=True
    )
    report_id: Mapped[int | None] = mapped_column(
        ForeignKey("defect_reports.id", ondelete="CASCADE"), nullable=True, index=True
    )
    file_name: Mapped[str] = mapped_column(String(80))
    content_type: Mapped[str] = mapped_column(String(40), default="image/jpeg")
    size_bytes: Mapped[int] = mapped_column(Integer)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
