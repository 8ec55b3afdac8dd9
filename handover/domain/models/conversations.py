"""Tables of the handover service: conversations and their ordered events, the bot relay's outbox, handover
history, agents and their sessions, canned responses, internal notes, tickets, CSAT ratings and answer
feedback."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from handover.shell.database import Base


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator):
    """SQLite forgets time zones; every value read back is UTC-aware so comparisons never mix kinds."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if isinstance(value, datetime) and value.tzinfo is not None and dialect.name == "sqlite":
            value = value.astimezone(timezone.utc).replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if isinstance(value, datetime) and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value


class Department(Base):
    __tablename__ = "handover_departments"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))


agent_departments = Table(
    "handover_agent_departments",
    Base.metadata,
    Column("agent_id", ForeignKey("handover_agents.id", ondelete="CASCADE"), primary_key=True),
    Column("department_key", ForeignKey("handover_departments.key", ondelete="CASCADE"), primary_key=True),
)


class Agent(Base):
    __tablename__ = "handover_agents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(20), default="agent")  # agent | supervisor | admin
    password_hash: Mapped[str] = mapped_column(String(255))
    skills: Mapped[list] = mapped_column(JSON, default=list)
    capacity: Mapped[int] = mapped_column(Integer, default=3)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    presence: Mapped[str] = mapped_column(String(10), default="offline")  # online | away | offline
    presence_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    departments: Mapped[list[Department]] = relationship(secondary=agent_departments, lazy="selectin")


class AgentSession(Base):
    __tablename__ = "handover_agent_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("handover_agents.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Conversation(Base):
    __tablename__ = "handover_conversations"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    state: Mapped[str] = mapped_column(String(10), default="bot", index=True)  # bot | waiting | agent | closed
    language: Mapped[str] = mapped_column(String(5), default="de")
    page: Mapped[str | None] = mapped_column(String(500), nullable=True)
    citizen_key: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    department: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    reason: Mapped[str | None] = mapped_column(String(40), nullable=True)
    summary: Mapped[str | None] = mapped_column(Text, nullable=True)
    lebenslage: Mapped[str | None] = mapped_column(String(120), nullable=True)
    handover_payload: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    assigned_agent_id: Mapped[int | None] = mapped_column(
        ForeignKey("handover_agents.id", ondelete="SET NULL"), nullable=True, index=True
    )
    last_seq: Mapped[int] = mapped_column(Integer, default=0)
    last_message_sender: Mapped[str | None] = mapped_column(String(10), nullable=True)
    last_message_text: Mapped[str | None] = mapped_column(String(200), nullable=True)
    last_message_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    resolution: Mapped[str | None] = mapped_column(String(20), nullable=True)
    queued_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    assigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)

    assigned_agent: Mapped[Agent | None] = relationship(lazy="joined")


class Message(Base):
    """Every persisted event of a conversation, in `seq` order: messages of citizen, bot, agent and system,
    state changes and ticket confirmations (replayed to a reconnecting widget)."""

    __tablename__ = "handover_messages"
    __table_args__ = (
        UniqueConstraint("conversation_id", "seq", name="uq_handover_messages_seq"),
        UniqueConstraint("conversation_id", "client_id", name="uq_handover_messages_client_id"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("handover_conversations.id", ondelete="CASCADE"), index=True
    )
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20), default="message")  # message | state | ticket_created
    sender: Mapped[str | None] = mapped_column(String(10), nullable=True)  # citizen | bot | agent | system
    text: Mapped[str | None] = mapped_column(Text, nullable=True)
    client_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    buttons: Mapped[list | None] = mapped_column(JSON, nullable=True)
    payload: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    agent_id: Mapped[int | None] = mapped_column(
        ForeignKey("handover_agents.id", ondelete="SET NULL"), nullable=True
    )
    agent_display_name: Mapped[str | None] = mapped_column(String(120), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class PendingRelay(Base):
    """The outbox of the bot relay: a citizen turn (or the `back_to_bot` greeting) that Rasa still has to answer.
    Written in the same transaction as the message, so a crash after the ack cannot lose the turn; any replica
    may take it over once the lease of the one relaying it has run out."""

    __tablename__ = "handover_relay_outbox"
    __table_args__ = (
        UniqueConstraint("conversation_id", "message_seq", name="uq_handover_relay_outbox_seq"),
        Index("ix_handover_relay_outbox_pending", "conversation_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("handover_conversations.id", ondelete="CASCADE"))
    message_seq: Mapped[int] = mapped_column(Integer)  # order of relays within the conversation
    kind: Mapped[str] = mapped_column(String(10), default="message")  # message | intent
    text: Mapped[str] = mapped_column(Text)  # the citizen's text, or the intent name
    language: Mapped[str] = mapped_column(String(5), default="de")
    # pending | done (bot replies stored) | failed (citizen told) | skipped (no longer with the bot)
    status: Mapped[str] = mapped_column(String(10), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    owner: Mapped[str | None] = mapped_column(String(40), nullable=True)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class HandoverEvent(Base):
    __tablename__ = "handover_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("handover_conversations.id", ondelete="CASCADE"), index=True
    )
    # requested | queued | assigned | transferred | returned_to_bot | closed | unavailable
    kind: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(String(40), nullable=True)
    department: Mapped[str | None] = mapped_column(String(64), nullable=True)
    agent_id: Mapped[int | None] = mapped_column(
        ForeignKey("handover_agents.id", ondelete="SET NULL"), nullable=True
    )
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class InternalNote(Base):
    __tablename__ = "handover_notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("handover_conversations.id", ondelete="CASCADE"), index=True
    )
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("handover_agents.id", ondelete="SET NULL"), nullable=True)
    author_name: Mapped[str] = mapped_column(String(120))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class CannedResponse(Base):
    __tablename__ = "handover_canned_responses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(120))
    text: Mapped[str] = mapped_column(Text)
    department: Mapped[str | None] = mapped_column(String(64), nullable=True)
    shortcut: Mapped[str | None] = mapped_column(String(40), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Ticket(Base):
    __tablename__ = "handover_tickets"
    __table_args__ = (UniqueConstraint("conversation_id", "client_id", name="uq_handover_tickets_client_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str | None] = mapped_column(String(20), unique=True, nullable=True)
    conversation_id: Mapped[str | None] = mapped_column(
        ForeignKey("handover_conversations.id", ondelete="SET NULL"), nullable=True, index=True
    )
    client_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    name: Mapped[str] = mapped_column(String(200))
    contact: Mapped[str] = mapped_column(String(200))
    concern: Mapped[str] = mapped_column(Text)
    department: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    status: Mapped[str] = mapped_column(String(20), default="open", index=True)  # open | in_progress | done
    transcript: Mapped[list | None] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class CsatRating(Base):
    __tablename__ = "handover_csat"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("handover_conversations.id", ondelete="CASCADE"), unique=True
    )
    rating: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("handover_agents.id", ondelete="SET NULL"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class AnswerFeedback(Base):
    __tablename__ = "handover_answer_feedback"
    __table_args__ = (UniqueConstraint("conversation_id", "message_seq", name="uq_handover_feedback_seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("handover_conversations.id", ondelete="CASCADE"), index=True
    )
    message_seq: Mapped[int] = mapped_column(Integer)
    helpful: Mapped[bool] = mapped_column(Boolean)
    comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    article_id: Mapped[str | None] = mapped_column(String(120), nullable=True, index=True)
    score: Mapped[float | None] = mapped_column(Float, nullable=True)
    query: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


Index("ix_handover_conversations_queue", Conversation.state, Conversation.department, Conversation.queued_at)
