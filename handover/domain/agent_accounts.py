"""Agent accounts and console sessions: argon2 password hashes, opaque session tokens (only their SHA-256
is stored), a CSRF token per session, roles agent / supervisor / admin, and the optional second factor (TOTP,
RFC 6238, with pyotp). How often one may try is the login throttle's business (handover/domain/login_throttle.py)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Literal

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from handover.domain.models.conversations import Agent, AgentSession, Department
from handover.domain.models.second_factor import AgentTotp

# editor: sees only the knowledge insights (gaps, articles; handover/domain/insights/catalog.py), no conversations
ROLES = ("agent", "supervisor", "admin", "editor")
SESSION_COOKIE = "bb_session"
CSRF_COOKIE = "bb_csrf"
_hasher = PasswordHasher()
# verifying against a real hash for unknown users keeps the timing of "no such user" and "wrong password" alike
_DUMMY_HASH = _hasher.hash("not-a-real-password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class AgentInfo:
    """What request handlers and sockets know about the logged-in agent (detached from the DB session)."""

    id: int
    username: str
    display_name: str
    role: str
    departments: tuple[str, ...]
    skills: tuple[str, ...]
    capacity: int

    @property
    def is_supervisor(self) -> bool:
        return self.role in ("supervisor", "admin")

    @property
    def handles_conversations(self) -> bool:
        """Editors work on the articles only: no queues, chats, tickets or reports about people."""
        return self.role != "editor"

    @classmethod
    def of(cls, agent: Agent) -> "AgentInfo":
        return cls(
            id=agent.id,
            username=agent.username,
            display_name=agent.display_name,
            role=agent.role,
            departments=tuple(d.key for d in agent.departments),
            skills=tuple(agent.skills or ()),
            capacity=agent.capacity,
        )


@dataclass(frozen=True)
class SessionInfo:
    agent: AgentInfo
    csrf_token: str


def create_agent(
    session: Session,
    *,
    username: str,
    display_name: str,
    role: str,
    departments: list[str],
    password: str,
    skills: list[str] | None = None,
    capacity: int = 3,
) -> Agent:
    if role not in ROLES:
        raise ValueError(f"Rolle muss eine von {', '.join(ROLES)} sein")
    if len(password) < 8:
        raise ValueError("Das Passwort muss mindestens 8 Zeichen haben")
    if session.scalar(select(Agent).where(Agent.username == username)):
        raise ValueError(f"Konto '{username}' existiert bereits")
    found = {d.key: d for d in session.scalars(select(Department).where(Department.key.in_(departments)))}
    missing = [key for key in departments if key not in found]
    if missing:
        raise ValueError(f"Unbekannte Fachbereiche: {', '.join(missing)}")
    agent = Agent(
        username=username,
        display_name=display_name,
        role=role,
        password_hash=hash_password(password),
        skills=skills or ["de"],
        capacity=capacity,
        departments=[found[key] for key in departments],
    )
    session.add(agent)
    session.flush()
    return agent


TOTP_STEP_SECONDS = 30


def _totp_step(totp: AgentTotp, code: str | None, now: datetime) -> int | None:
    """The time step the code belongs to (this one or one either side, for clocks a little apart), if it is valid
    and newer than the last accepted one: a code seen once is never accepted again."""
    code = "".join((code or "").split())
    if not (len(code) == 6 and code.isdigit()):
        return None
    generator = pyotp.TOTP(totp.secret, interval=TOTP_STEP_SECONDS)
    current = int(now.timestamp()) // TOTP_STEP_SECONDS
    for step in (current - 1, current, current + 1):
        if hmac.compare_digest(generator.at(step * TOTP_STEP_SECONDS), code) and (
                totp.last_step is None or step > totp.last_step):
            return step
    return None


def new_totp_secret() -> str:
    return pyotp.random_base32()


def totp_uri(secret: str, username: str, issuer: str) -> str:
    """otpauth:// URI for authenticator apps (as text or QR code)."""
    return pyotp.TOTP(secret, interval=TOTP_STEP_SECONDS).provisioning_uri(name=username, issuer_name=issuer)


def totp_code_matches(secret: str, code: str, now: datetime | None = None) -> bool:
    """For enrolment: the code the agent typed from the new secret."""
    return _totp_step(AgentTotp(secret=secret, last_step=None), code, now or datetime.now(timezone.utc)) is not None


@dataclass(frozen=True)
class LoginResult:
    # ok | wrong (user name or password) | otp_required (password right, code missing) | otp_invalid
    outcome: Literal["ok", "wrong", "otp_required", "otp_invalid"]
    token: str | None = None
    info: SessionInfo | None = None


@dataclass
class Authenticator:
    session_hours: int

    def login(self, session: Session, username: str, password: str, otp: str | None = None) -> LoginResult:
        agent = session.scalar(select(Agent).where(Agent.username == username, Agent.active.is_(True)))
        if agent is None:
            verify_password(_DUMMY_HASH, password)
            return LoginResult("wrong")
        if not verify_password(agent.password_hash, password):
            return LoginResult("wrong")
        totp = session.get(AgentTotp, agent.id)
        if totp is not None:
            if not (otp or "").strip():
                return LoginResult("otp_required")
            step = _totp_step(totp, otp, datetime.now(timezone.utc))
            if step is None:
                return LoginResult("otp_invalid")
            totp.last_step = step
        if _hasher.check_needs_rehash(agent.password_hash):
            agent.password_hash = hash_password(password)
        token = secrets.token_urlsafe(32)
        csrf = secrets.token_urlsafe(24)
        now = datetime.now(timezone.utc)
        session.execute(delete(AgentSession).where(AgentSession.expires_at < now))
        session.add(
            AgentSession(
                token_hash=token_digest(token),
                agent_id=agent.id,
                csrf_token=csrf,
                created_at=now,
                expires_at=now + timedelta(hours=self.session_hours),
            )
        )
        return LoginResult("ok", token, SessionInfo(AgentInfo.of(agent), csrf))

    @staticmethod
    def resolve(session: Session, token: str | None) -> SessionInfo | None:
        if not token or len(token) > 200:
            return None
        row = session.get(AgentSession, token_digest(token))
        if row is None or row.expires_at < datetime.now(timezone.utc):
            return None
        agent = session.get(Agent, row.agent_id)
        if agent is None or not agent.active:
            return None
        return SessionInfo(AgentInfo.of(agent), row.csrf_token)

    @staticmethod
    def logout(session: Session, token: str | None) -> None:
        if token:
            session.execute(delete(AgentSession).where(AgentSession.token_hash == token_digest(token)))


def csrf_matches(expected: str, given: str | None) -> bool:
    return bool(given) and secrets.compare_digest(expected, given)
