"""Tickets as agents work them (issue 13): the history of a ticket (the citizen's concern, e-mail replies with
their delivery result, noted phone calls, status and assignee changes, the confirmation e-mail) and who works
on it. The ticket itself is `Ticket` in conversations.py; both tables here go with it when it is deleted."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from handover.domain.models.conversations import UTCDateTime, utcnow
from handover.shell.database import Base


class TicketEntry(Base):
    __tablename__ = "handover_ticket_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("handover_tickets.id", ondelete="CASCADE"), index=True)
    # concern | confirmation | email | phone | status | assignee
    kind: Mapped[str] = mapped_column(String(20))
    text: Mapped[str | None] = mapped_column(Text, nullable=True)
    agent_id: Mapped[int | None] = mapped_column(
        ForeignKey("handover_agents.id", ondelete="SET NULL"), nullable=True
    )
    author_name: Mapped[str | None] = mapped_column(String(120), nullable=True)
    status: Mapped[str | None] = mapped_column(String(20), nullable=True)  # the ticket's status after the entry
    # e-mails: to whom, and what became of them (sent | failed | not_configured)
    recipient: Mapped[str | None] = mapped_column(String(200), nullable=True)
    mail_status: Mapped[str | None] = mapped_column(String(20), nullable=True)
    mail_error: Mapped[str | None] = mapped_column(String(300), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class TicketAssignment(Base):
    """Who works on a ticket (one row per assigned ticket; none: nobody yet)."""

    __tablename__ = "handover_ticket_assignments"

    ticket_id: Mapped[int] = mapped_column(ForeignKey("handover_tickets.id", ondelete="CASCADE"), primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("handover_agents.id", ondelete="CASCADE"), index=True)
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
