"""Optional second factor of a console account: a TOTP secret (RFC 6238), enrolled with `buergerbot agents totp`."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from handover.domain.models.conversations import UTCDateTime, utcnow
from handover.shell.database import Base


class AgentTotp(Base):
    __tablename__ = "handover_agent_totp"

    agent_id: Mapped[int] = mapped_column(ForeignKey("handover_agents.id", ondelete="CASCADE"), primary_key=True)
    secret: Mapped[str] = mapped_column(String(64))  # base32
    # the 30-second step of the last accepted code: the same code is never accepted twice
    last_step: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
