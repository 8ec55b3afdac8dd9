"""The access audit log: every time staff read a conversation's transcript (GDPR Art. 15: who saw my data)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from handover.domain.models.conversations import UTCDateTime, utcnow
from handover.shell.database import Base


class AccessAuditEntry(Base):
    """One access. No foreign keys on purpose: the entry must outlive a deleted agent account, and it names the
    conversation even after the conversation itself has been purged (the entry follows its own retention)."""

    __tablename__ = "handover_access_audit"
    __table_args__ = (
        Index("ix_handover_access_audit_conversation", "conversation_id", "created_at"),
        Index("ix_handover_access_audit_agent", "agent_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    agent_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # copied, so the entry still says who it was when the account is renamed or deleted
    agent_username: Mapped[str] = mapped_column(String(80))
    agent_display_name: Mapped[str] = mapped_column(String(120))
    agent_role: Mapped[str] = mapped_column(String(20))
    conversation_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    # open | claim | takeover | assigned | context | transcript | export | ticket (access_audit.ACTIONS)
    action: Mapped[str] = mapped_column(String(20))
    ticket_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
