"""Login throttle: exponential back-off per account, per client address and per browser, never a lock.

Why not a lock: "10 wrong passwords lock the account for 15 minutes" let anyone lock out any agent. Here an
account (or an address, or a browser) that failed `free` times in a row must wait before its next attempt —
1 s, then 2 s, 4 s … up to `max_delay` — and the correct password after the wait signs in. During a wait the
password is not even checked, so guessing gets no faster by sending more.

Every attempt is counted when it starts (in one transaction with the check, on a row locked for it), so a burst
of parallel guesses cannot slip through between check and count; a successful login takes the count back.

Keys (OWASP "device cookie"): an agent's browser that signed in before carries a signed browser cookie for its
account (handover/web/console_login.py). An attempt with a valid one for the account it names is throttled only
by that browser's own key — someone hammering the account or the office's shared address does not keep the
agent out. Without one, the account's and the address's keys apply. Counters are forgotten after a day without
attempts.

Rows live in the database (handover/domain/models/login_attempts.py): shared by replicas, kept over restarts.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from handover.domain.models.login_attempts import LoginAttempts

FORGET_AFTER = timedelta(days=1)
BASE_DELAY_SECONDS = 1.0


@dataclass(frozen=True)
class ThrottleKey:
    kind: str  # account | address | browser
    value: str
    free: int  # attempts before the back-off starts

    @property
    def digest(self) -> str:
        return hashlib.sha256(f"{self.kind}:{self.value}".encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class LoginPolicy:
    free_per_account: int = 5
    free_per_address: int = 20
    max_delay_seconds: float = 300.0

    def delay(self, attempts: int, free: int) -> float:
        """Wait before the attempt after `attempts` counted ones: 0 while under `free`, then 1 s, 2 s, 4 s …"""
        if attempts < max(free, 1):
            return 0.0
        exponent = min(attempts - max(free, 1), 30)
        return min(self.max_delay_seconds, BASE_DELAY_SECONDS * 2 ** exponent)

    def keys(self, *, account: str, address: str | None, browser: str | None) -> list[ThrottleKey]:
        if browser is not None:  # a browser that signed in to this account before
            return [ThrottleKey("browser", browser, self.free_per_account)]
        keys = [ThrottleKey("account", account.strip().lower(), self.free_per_account)]
        if address is not None:
            keys.append(ThrottleKey("address", address, self.free_per_address))
        return keys


def _claim_one(session: Session, policy: LoginPolicy, key: ThrottleKey, now: datetime) -> float | None:
    """Counts one attempt for `key`; None when it may go ahead, else the seconds to wait (nothing counted)."""
    session.execute(delete(LoginAttempts).where(LoginAttempts.key == key.digest,
                                                LoginAttempts.updated_at < now - FORGET_AFTER))
    row = session.scalar(select(LoginAttempts).where(LoginAttempts.key == key.digest).with_for_update())
    if row is None:
        try:
            with session.begin_nested():
                row = LoginAttempts(key=key.digest, kind=key.kind, attempts=0, next_attempt_at=None, updated_at=now)
                session.add(row)
        except IntegrityError:  # another replica inserted it at the same moment: count on its row
            row = session.scalar(select(LoginAttempts).where(LoginAttempts.key == key.digest).with_for_update())
    if row.next_attempt_at is not None and row.next_attempt_at > now:
        return (row.next_attempt_at - now).total_seconds()
    row.attempts += 1
    wait = policy.delay(row.attempts, key.free)
    row.next_attempt_at = now + timedelta(seconds=wait) if wait else None
    row.updated_at = now
    return None


def claim(session: Session, policy: LoginPolicy, keys: list[ThrottleKey], now: datetime) -> int | None:
    """Counts the attempt for every key in one transaction. Returns None when it may go ahead; otherwise the whole
    seconds to wait, and the caller must roll the transaction back (nothing is counted for a refused attempt)."""
    waits = [wait for key in keys if (wait := _claim_one(session, policy, key, now)) is not None]
    if waits:
        return max(1, math.ceil(max(waits)))
    return None


def succeeded(session: Session, policy: LoginPolicy, keys: list[ThrottleKey]) -> None:
    """A successful login forgets the account's and the browser's failures. The address only gets this attempt
    back: one valid account must not wipe the failures of a password sprayer behind the same address."""
    for key in keys:
        row = session.scalar(select(LoginAttempts).where(LoginAttempts.key == key.digest).with_for_update())
        if row is None:
            continue
        if key.kind == "address":
            row.attempts = max(0, row.attempts - 1)
            if policy.delay(row.attempts, key.free) == 0:
                row.next_attempt_at = None
        else:
            session.delete(row)


def purge_stale(session: Session, now: datetime) -> int:
    """Rows without attempts for a day (called now and then so the table does not grow with sprayed names)."""
    return session.execute(delete(LoginAttempts).where(LoginAttempts.updated_at < now - FORGET_AFTER)).rowcount
