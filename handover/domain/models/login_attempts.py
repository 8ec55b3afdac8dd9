"""Console login throttle: one row per key (an account, a client address, a browser) with its attempts and the
earliest time of the next one (handover/domain/login_throttle.py). In the database, so every replica sees the
same counts and a restart keeps them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from handover.domain.models.conversations import UTCDateTime, utcnow
from handover.shell.database import Base


class LoginAttempts(Base):
    __tablename__ = "handover_login_attempts"

    # SHA-256 of kind and value: neither user names nor addresses are stored in the clear
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))  # account | address | browser
    # attempts since the last success; each attempt counts when it starts, a success takes it back
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
