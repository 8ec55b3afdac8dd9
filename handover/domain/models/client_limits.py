"""Per-IP limits (handover/domain/client_limits.py): one row per counted action of a client address within the
last minute, and the client address a conversation was last seen from (so the status lookup that Rasa runs
through /webhook counts against the citizen's address). Addresses are stored only as keyed hashes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from handover.domain.models.conversations import UTCDateTime, utcnow
from handover.shell.database import Base


class ClientHit(Base):
    __tablename__ = "handover_client_hits"
    __table_args__ = (Index("ix_handover_client_hits_client", "scope", "client", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scope: Mapped[str] = mapped_column(String(20))  # conversation | status_lookup | ticket
    client: Mapped[str] = mapped_column(String(32))  # keyed hash of the address (IPv6: its /64)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)


class ConversationClient(Base):
    __tablename__ = "handover_conversation_clients"

    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("handover_conversations.id", ondelete="CASCADE"), primary_key=True
    )
    client: Mapped[str] = mapped_column(String(32))
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
