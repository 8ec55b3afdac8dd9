"""Agent accounts and console sessions: argon2 password hashes, opaque session tokens (only their SHA-256
is stored), a CSRF token per session, roles agent / supervisor / admin, and a login brake."""

from __future__ import annotations

import hashlib
import secrets
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from handover.domain.models.conversations import Agent, AgentSession, Department

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


class LoginBrake:
    """At most `limit` failed logins per username and window on this replica."""

    def __init__(self, limit: int = 10, window_seconds: float = 900) -> None:
        self.limit = limit
        self.window = window_seconds
        self._failures: dict[str, deque[float]] = defaultdict(deque)

    def blocked(self, username: str) -> bool:
        failures = self._failures[username.lower()]
        cutoff = time.monotonic() - self.window
        while failures and failures[0] < cutoff:
            failures.popleft()
        return len(failures) >= self.limit

    def failed(self, username: str) -> None:
        self._failures[username.lower()].append(time.monotonic())

    def succeeded(self, username: str) -> None:
        self._failures.pop(username.lower(), None)


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


@dataclass
class Authenticator:
    session_hours: int
    brake: LoginBrake = field(default_factory=LoginBrake)

    def login(self, session: Session, username: str, password: str) -> tuple[str, SessionInfo] | None:
        agent = session.scalar(select(Agent).where(Agent.username == username, Agent.active.is_(True)))
        if agent is None:
            verify_password(_DUMMY_HASH, password)
            return None
        if not verify_password(agent.password_hash, password):
            return None
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
        return token, SessionInfo(AgentInfo.of(agent), csrf)

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
