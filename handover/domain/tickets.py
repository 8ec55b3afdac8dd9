"""Tickets: a citizen leaves contact and concern (with the transcript attached) when nobody can take the chat;
agents answer them in the console by e-mail or by noting a phone call, set their status and who works on them.

The store functions below run inside a database session; `TicketDesk` is what the console and the chat call:
it adds the e-mails (handover/domain/mail/) and tells every console about the change. Each step is written to
the ticket's history (models/tickets.py): the citizen's concern, the confirmation e-mail, replies with their
delivery result, calls, status and assignee changes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from handover.domain.agent_accounts import AgentInfo
from handover.domain.conversations.core import CONSOLES_CHANNEL
from handover.domain.mail import Mailer, MailResult, OutgoingMail, email_address, render
from handover.domain.models.conversations import Agent, Conversation, HandoverEvent, Message, Ticket
from handover.domain.models.tickets import TicketAssignment, TicketEntry
from handover.domain.office_hours import OfficeHours
from handover.domain.routing import iso
from handover.shell.pubsub import PubSub

STATUSES = ("open", "in_progress", "done")
MAX_REPLY_CHARS = 10_000
MAX_CALL_NOTE_CHARS = 4_000


class TicketError(Exception):
    """A request about a ticket that cannot be done; `status` is the HTTP status the console gets."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def now_utc() -> datetime:
    return datetime.now(timezone.utc)


# --- shapes -------------------------------------------------------------------------------------------
def ticket_dict(ticket: Ticket, *, office_hours: OfficeHours | None = None,
                assignee: dict | None = None) -> dict:
    """The ticket as lists and events carry it. `department_name` so the console never shows a key."""
    department_name = office_hours.name(ticket.department) if office_hours and ticket.department else None
    return {
        "id": ticket.id,
        "reference": ticket.reference,
        "status": ticket.status,
        "name": ticket.name,
        "contact": ticket.contact,
        "has_email": email_address(ticket.contact) is not None,
        "concern": ticket.concern,
        "department": ticket.department,
        "department_name": department_name,
        "assignee": assignee,
        "conversation_id": ticket.conversation_id,
        "created_at": iso(ticket.created_at),
        "updated_at": iso(ticket.updated_at),
    }


def entry_dict(entry: TicketEntry) -> dict:
    return {
        "id": entry.id,
        "kind": entry.kind,
        "text": entry.text,
        "author": {"id": entry.agent_id, "display_name": entry.author_name} if entry.author_name else None,
        "status": entry.status,
        "recipient": entry.recipient,
        "mail": {"status": entry.mail_status, "error": entry.mail_error} if entry.mail_status else None,
        "created_at": iso(entry.created_at),
    }


def assignees(session: Session, ticket_ids: list[int]) -> dict[int, dict]:
    if not ticket_ids:
        return {}
    rows = session.execute(
        select(TicketAssignment.ticket_id, Agent.id, Agent.display_name)
        .join(Agent, Agent.id == TicketAssignment.agent_id)
        .where(TicketAssignment.ticket_id.in_(ticket_ids))
    )
    return {ticket_id: {"id": agent_id, "display_name": name} for ticket_id, agent_id, name in rows}


def dicts(session: Session, tickets: list[Ticket], office_hours: OfficeHours | None = None) -> list[dict]:
    names = assignees(session, [t.id for t in tickets])
    return [ticket_dict(t, office_hours=office_hours, assignee=names.get(t.id)) for t in tickets]


# --- where a ticket goes ---------------------------------------------------------------------------------
def topic_department(session: Session, conversation: Conversation, office_hours: OfficeHours) -> str:
    """The department of what the conversation is about, newest first: a handover the bot asked for with a
    department (from the last matched article or the form's subject), or the office of the last article the bot
    answered with. Only when neither names one: the conversation's own department (widget page) or the default
    queue. A citizen who pressed "Mit einem Menschen sprechen" after a Bauordnung answer reaches Bauordnung."""
    default = office_hours.default_department
    candidates: list[tuple[datetime, str]] = []
    for event in session.scalars(
        select(HandoverEvent)
        .where(HandoverEvent.conversation_id == conversation.id, HandoverEvent.kind == "requested")
        .order_by(HandoverEvent.id.desc()).limit(5)
    ):
        key = office_hours.resolve(event.department)
        if key != default:
            candidates.append((event.created_at, key))
            break
    for message in session.scalars(
        select(Message)
        .where(Message.conversation_id == conversation.id, Message.sender == "bot", Message.payload.is_not(None))
        .order_by(Message.seq.desc()).limit(50)
    ):
        payload = message.payload or {}
        article = payload.get("article") if payload.get("type") == "knowledge" else None
        department = ((article or {}).get("office") or {}).get("department")
        if department and office_hours.resolve(department) != default:
            candidates.append((message.created_at, office_hours.resolve(department)))
            break
    if candidates:
        return max(candidates, key=lambda item: item[0])[1]
    return office_hours.resolve(conversation.department)


# --- the store ----------------------------------------------------------------------------------------
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
    now = now_utc()
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
    # The citizen's own words open the history, so the answer can always be read next to the question.
    session.add(TicketEntry(ticket_id=ticket.id, kind="concern", text=ticket.concern, author_name=ticket.name or None,
                            status=ticket.status or "open", created_at=now))
    session.flush()
    return ticket, True


def list_tickets(session: Session, status: str | None = "open", departments: set[str] | None = None,
                 assignee_id: int | None = None) -> list[Ticket]:
    query = select(Ticket).order_by(Ticket.created_at.desc()).limit(500)
    if status == "active":
        query = query.where(Ticket.status != "done")
    elif status and status != "all":
        query = query.where(Ticket.status == status)
    if departments is not None:
        query = query.where(Ticket.department.in_(departments))
    if assignee_id is not None:
        query = query.join(TicketAssignment, TicketAssignment.ticket_id == Ticket.id).where(
            TicketAssignment.agent_id == assignee_id)
    return list(session.scalars(query))


def transcript_of(session: Session, conversation_id: str) -> list[dict]:
    rows = session.scalars(
        select(Message)
        .where(Message.conversation_id == conversation_id, Message.kind == "message")
        .order_by(Message.seq)
    )
    return [
        {"seq": m.seq, "sender": m.sender, "text": m.text, "created_at": iso(m.created_at),
         "payload": m.payload,
         "agent": {"display_name": m.agent_display_name} if m.agent_display_name else None}
        for m in rows
    ]


def full_transcript(session: Session, ticket: Ticket) -> list[dict]:
    """The whole conversation while it exists (also what was said after the ticket), else the copy taken when
    the ticket was left (the conversation may be purged earlier than the ticket)."""
    if ticket.conversation_id and session.get(Conversation, ticket.conversation_id) is not None:
        return transcript_of(session, ticket.conversation_id)
    return list(ticket.transcript or [])


def history(session: Session, ticket_id: int) -> list[dict]:
    return [entry_dict(e) for e in session.scalars(
        select(TicketEntry).where(TicketEntry.ticket_id == ticket_id).order_by(TicketEntry.created_at, TicketEntry.id))]


def language_of(session: Session, ticket: Ticket) -> str:
    conversation = session.get(Conversation, ticket.conversation_id) if ticket.conversation_id else None
    return conversation.language if conversation is not None and conversation.language in ("de", "en") else "de"


def set_status(session: Session, ticket_id: int, status: str, agent: AgentInfo | None = None) -> Ticket | None:
    if status not in STATUSES:
        raise ValueError(f"status must be one of {', '.join(STATUSES)}")
    ticket = session.get(Ticket, ticket_id)
    if ticket is not None and ticket.status != status:
        ticket.status = status
        ticket.updated_at = now_utc()
        session.add(TicketEntry(ticket_id=ticket.id, kind="status", status=status,
                                agent_id=agent.id if agent else None,
                                author_name=agent.display_name if agent else None, created_at=ticket.updated_at))
    return ticket


def assign(session: Session, ticket: Ticket, agent_id: int | None, by: AgentInfo) -> None:
    """Sets who works on the ticket (None: nobody). Only active agents can be assigned."""
    current = session.get(TicketAssignment, ticket.id)
    if (current.agent_id if current else None) == agent_id:
        return
    target = session.get(Agent, agent_id) if agent_id is not None else None
    if agent_id is not None and (target is None or not target.active):
        raise TicketError(422, "Diese Person gibt es nicht (mehr).")
    if current is not None:
        session.delete(current)
        session.flush()
    now = now_utc()
    if target is not None:
        session.add(TicketAssignment(ticket_id=ticket.id, agent_id=target.id, assigned_at=now))
    ticket.updated_at = now
    session.add(TicketEntry(ticket_id=ticket.id, kind="assignee", agent_id=by.id, author_name=by.display_name,
                            text=target.display_name if target else None, created_at=now))


# --- the desk: what the console and the chat call ----------------------------------------------------------
@dataclass
class TicketDesk:
    db: object  # handover.shell.database.Database
    mailer: Mailer
    office_hours: OfficeHours
    pubsub: PubSub
    city_name: str

    def department_name(self, key: str | None) -> str:
        return self.office_hours.name(self.office_hours.resolve(key))

    def _load(self, session: Session, ticket_id: int, visible: set[str] | None) -> Ticket:
        ticket = session.get(Ticket, ticket_id)
        if ticket is None or (visible is not None and ticket.department not in visible):
            raise TicketError(404, "Ticket nicht gefunden.")
        return ticket

    def _dict(self, session: Session, ticket: Ticket) -> dict:
        return dicts(session, [ticket], self.office_hours)[0]

    async def announce(self, ticket: dict) -> None:
        await self.pubsub.publish(CONSOLES_CHANNEL, {"kind": "ticket", "ticket": ticket})

    async def list(self, status: str | None, visible: set[str] | None, assignee_id: int | None = None) -> list[dict]:
        return await self.db.run(
            lambda s: dicts(s, list_tickets(s, status, visible, assignee_id), self.office_hours))

    async def detail(self, ticket_id: int, visible: set[str] | None) -> dict:
        def work(session: Session) -> dict:
            ticket = self._load(session, ticket_id, visible)
            return {
                **self._dict(session, ticket),
                "email": email_address(ticket.contact),
                "language": language_of(session, ticket),
                "history": history(session, ticket.id),
                "transcript": full_transcript(session, ticket),
                "mail": self.mailer.status(),
            }

        return await self.db.run(work)

    async def update(self, ticket_id: int, visible: set[str] | None, agent: AgentInfo, *,
                     status: str | None = None, assignee_id: int | None = None, assign_change: bool = False) -> dict:
        def work(session: Session) -> dict:
            ticket = self._load(session, ticket_id, visible)
            if status is not None:
                try:
                    set_status(session, ticket.id, status, agent)
                except ValueError as error:
                    raise TicketError(422, str(error)) from None
            if assign_change:
                assign(session, ticket, assignee_id, agent)
            session.flush()
            return self._dict(session, ticket)

        ticket = await self.db.run(work)
        await self.announce(ticket)
        return ticket

    async def reply_by_email(self, ticket_id: int, visible: set[str] | None, agent: AgentInfo, text: str,
                             status: str | None = None) -> dict:
        """Sends the agent's reply (with the citizen's original concern quoted) and writes both the reply and
        its delivery result into the history. Refused before anything is stored when e-mail cannot work."""
        text = text.strip()
        if not text:
            raise TicketError(422, "Bitte schreiben Sie eine Antwort.")
        if len(text) > MAX_REPLY_CHARS:
            raise TicketError(422, f"Die Antwort ist zu lang (höchstens {MAX_REPLY_CHARS} Zeichen).")
        if not self.mailer.configured:
            raise TicketError(409, "E-Mail-Versand ist nicht eingerichtet (SMTP-Einstellungen fehlen). Bitte rufen "
                                   "Sie die Person an und notieren Sie den Anruf.")

        def prepare(session: Session):
            ticket = self._load(session, ticket_id, visible)
            address = email_address(ticket.contact)
            if address is None:
                raise TicketError(409, "Für dieses Ticket ist keine E-Mail-Adresse angegeben. Bitte rufen Sie an "
                                       "und notieren Sie den Anruf.")
            language = language_of(session, ticket)
            subject, body = render(
                "ticket_reply", language, name=ticket.name, reply=text, agent=agent.display_name,
                department=self.department_name(ticket.department), city=self.city_name,
                reference=ticket.reference, concern=ticket.concern,
                date=ticket.created_at.astimezone(self.office_hours.tz).strftime("%d.%m.%Y"),
            )
            return address, subject, body

        address, subject, body = await self.db.run(prepare)
        result = await self.mailer.send(OutgoingMail(to=address, subject=subject, body=body))

        def record(session: Session) -> dict:
            ticket = self._load(session, ticket_id, visible)
            entry = TicketEntry(ticket_id=ticket.id, kind="email", text=text, agent_id=agent.id,
                                author_name=agent.display_name, recipient=address, mail_status=result.status,
                                mail_error=result.error, created_at=now_utc())
            session.add(entry)
            ticket.updated_at = entry.created_at
            if result.sent:
                # Answered: at least in progress; the agent may close it with the same click.
                set_status(session, ticket.id, status or ("in_progress" if ticket.status == "open" else ticket.status),
                           agent)
            session.flush()
            return {"ticket": self._dict(session, ticket), "entry": entry_dict(entry)}

        outcome = await self.db.run(record)
        await self.announce(outcome["ticket"])
        return outcome

    async def note_call(self, ticket_id: int, visible: set[str] | None, agent: AgentInfo, text: str,
                        status: str | None = None) -> dict:
        text = text.strip()
        if not text:
            raise TicketError(422, "Bitte notieren Sie kurz, was besprochen wurde.")
        if len(text) > MAX_CALL_NOTE_CHARS:
            raise TicketError(422, f"Die Notiz ist zu lang (höchstens {MAX_CALL_NOTE_CHARS} Zeichen).")

        def work(session: Session) -> dict:
            ticket = self._load(session, ticket_id, visible)
            entry = TicketEntry(ticket_id=ticket.id, kind="phone", text=text, agent_id=agent.id,
                                author_name=agent.display_name, created_at=now_utc())
            session.add(entry)
            ticket.updated_at = entry.created_at
            new_status = status or ("in_progress" if ticket.status == "open" else None)
            if new_status:
                try:
                    set_status(session, ticket.id, new_status, agent)
                except ValueError as error:
                    raise TicketError(422, str(error)) from None
            session.flush()
            return {"ticket": self._dict(session, ticket), "entry": entry_dict(entry)}

        outcome = await self.db.run(work)
        await self.announce(outcome["ticket"])
        return outcome

    async def send_confirmation(self, ticket_id: int) -> MailResult | None:
        """The one confirmation e-mail after a ticket from the chat (only with an address); its result goes into
        the history, so "not configured" or a refused address shows in the console."""

        def prepare(session: Session):
            ticket = session.get(Ticket, ticket_id)
            address = email_address(ticket.contact) if ticket is not None else None
            if address is None:
                return None
            subject, body = render(
                "ticket_confirmation", language_of(session, ticket), name=ticket.name,
                reference=ticket.reference, department=self.department_name(ticket.department),
                concern=ticket.concern, city=self.city_name,
            )
            return address, subject, body

        prepared = await self.db.run(prepare)
        if prepared is None:
            return None
        address, subject, body = prepared
        result = await self.mailer.send(OutgoingMail(to=address, subject=subject, body=body, automatic=True))

        def record(session: Session) -> None:
            session.add(TicketEntry(ticket_id=ticket_id, kind="confirmation", recipient=address,
                                    mail_status=result.status, mail_error=result.error, created_at=now_utc()))

        await self.db.run(record)
        return result
