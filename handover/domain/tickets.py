"""Callback / message tickets: a citizen leaves contact and concern (with the transcript attached) when
nobody can take the chat; agents work through them in the console."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from handover.domain.models.conversations import Message, Ticket
from handover.domain.routing import iso

STATUSES = ("open", "in_progress", "done")


def ticket_dict(ticket: Ticket) -> dict:
    return {
        "id": ticket.id,
        "reference": ticket.reference,
        "status": ticket.status,
        "name": ticket.name,
        "contact": ticket.contact,
        "concern": ticket.concern,
        "department": ticket.department,
        "conversation_id": ticket.conversation_id,
        "created_at": iso(ticket.created_at),
        "updated_at": iso(ticket.updated_at),
    }


def find_ticket(session: Session, conversation_id: str, client_id: str) -> Ticket | None:
    return session.scalar(
        select(Ticket).where(Ticket.conversation_id == conversation_id, Ticket.client_id == client_id)
    )


def create_ticket(
    session: Session,
    *,
    conversation_id: str | None,
    client_id: str | None,
    name: str,
    contact: str,
    concern: str,
    department: str | None,
    transcript: list[dict],
) -> tuple[Ticket, bool]:
    """Returns (ticket, created). The same client id within a conversation yields the same ticket."""
    if conversation_id and client_id:
        existing = find_ticket(session, conversation_id, client_id)
        if existing is not None:
            return existing, False
    now = datetime.now(timezone.utc)
    ticket = Ticket(
        conversation_id=conversation_id,
        client_id=client_id,
        name=name.strip(),
        contact=contact.strip(),
        concern=concern.strip(),
        department=department,
        transcript=transcript,
        created_at=now,
        updated_at=now,
    )
    try:
        with session.begin_nested():
            session.add(ticket)
            session.flush()
    except IntegrityError:
        existing = find_ticket(session, conversation_id or "", client_id or "")
        if existing is None:
            raise
        return existing, False
    ticket.reference = f"T-{now.year}-{ticket.id:06d}"
    session.flush()
    return ticket, True


def list_tickets(session: Session, status: str | None = "open", departments: set[str] | None = None) -> list[Ticket]:
    query = select(Ticket).order_by(Ticket.created_at.desc()).limit(500)
    if status and status != "all":
        query = query.where(Ticket.status == status)
    if departments is not None:
        query = query.where(Ticket.department.in_(departments))
    return list(session.scalars(query))


def transcript_of(session: Session, conversation_id: str) -> list[dict]:
    rows = session.scalars(
        select(Message)
        .where(Message.conversation_id == conversation_id, Message.kind == "message")
        .order_by(Message.seq)
    )
    return [
        {"seq": m.seq, "sender": m.sender, "text": m.text, "created_at": iso(m.created_at),
         "agent": {"display_name": m.agent_display_name} if m.agent_display_name else None}
        for m in rows
    ]


def set_status(session: Session, ticket_id: int, status: str) -> Ticket | None:
    if status not in STATUSES:
        raise ValueError(f"status must be one of {', '.join(STATUSES)}")
    ticket = session.get(Ticket, ticket_id)
    if ticket is not None:
        ticket.status = status
        ticket.updated_at = datetime.now(timezone.utc)
    return ticket
