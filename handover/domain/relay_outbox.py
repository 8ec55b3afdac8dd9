"""The bot relay as an outbox: a citizen turn stored in state `bot` is also stored as a pending relay (same
transaction as the message), and is relayed to Rasa until the bot's replies are stored or the citizen has been
told that the assistant could not answer. Nothing here depends on pub/sub: a Redis outage delays what sockets
see, never what Rasa is asked.

Order and exclusivity come from the database, so they hold across replicas and restarts: only the oldest
pending turn of a conversation can be claimed, and a claim is a conditional UPDATE that sets a lease (owner +
expiry) only while nobody else holds a live one. The relay that holds the lease marks the turn done in the same
transaction that stores the bot's replies (`finish`), so a turn taken over after a lease ran out is answered
once. A replica that starts, and every replica periodically, picks up pending turns whose lease is free; turns
older than `max_age_seconds` are not answered late but reported as failed to the citizen."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Awaitable, Callable

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from handover.domain.models.conversations import Conversation, PendingRelay
from handover.domain.rasa_client import BotReply, RasaClient, RasaUnavailable
from handover.shell.database import Database

log = logging.getLogger(__name__)

# Time a relay may spend around its Rasa call (storing the replies) before its lease may be taken over.
LEASE_SLACK_SECONDS = 5.0
RETRY_BACKOFF_START = 0.5
RETRY_BACKOFF_MAX = 4.0
SWEEP_BATCH = 200


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class RelayPolicy:
    retry_seconds: float = 10.0  # keep retrying an unreachable Rasa this long before telling the citizen
    max_age_seconds: float = 600.0  # older pending turns are reported as failed instead of answered late
    sweep_seconds: float = 15.0  # how often each replica looks for pending turns nobody is relaying


@dataclass(frozen=True)
class ClaimedRelay:
    id: int
    conversation_id: str
    kind: str  # message | intent
    text: str
    language: str
    owner: str
    expired: bool


def enqueue(session: Session, conversation_id: str, message_seq: int, text: str, language: str,
            kind: str = "message") -> None:
    """Inside the transaction that stores the message (or the return to the bot)."""
    session.add(PendingRelay(conversation_id=conversation_id, message_seq=message_seq, kind=kind, text=text,
                             language=language, status="pending", attempts=0, created_at=utcnow()))


def finish(session: Session, relay: ClaimedRelay, status: str) -> bool:
    """Marks the claimed turn done/failed/skipped in the caller's transaction. False when it is no longer ours
    to finish (our lease ran out and another relay has finished it): the caller must then store nothing."""
    return session.execute(
        update(PendingRelay)
        .where(PendingRelay.id == relay.id, PendingRelay.status == "pending", PendingRelay.owner == relay.owner)
        .values(status=status, finished_at=utcnow(), lease_until=None)
    ).rowcount == 1


def fail_pending(session: Session, conversation_id: str, *, created_before: datetime | None = None) -> int:
    """The other turns waiting behind a failed one: one notice covers them all, so they fail with it."""
    condition = [PendingRelay.conversation_id == conversation_id, PendingRelay.status == "pending"]
    if created_before is not None:
        condition.append(PendingRelay.created_at < created_before)
    return session.execute(
        update(PendingRelay).where(*condition).values(status="failed", finished_at=utcnow(), lease_until=None)
    ).rowcount


class RelayOutbox:
    def __init__(
        self,
        *,
        db: Database,
        rasa: RasaClient,
        call_timeout: float,
        policy: RelayPolicy,
        deliver: Callable[[ClaimedRelay, list[BotReply]], Awaitable[None]],
        give_up: Callable[[ClaimedRelay, datetime | None], Awaitable[None]],
        typing: Callable[[str, bool], Awaitable[None]],
        on_rasa_error: Callable[[], None] = lambda: None,
    ) -> None:
        self.db = db
        self.rasa = rasa
        self.call_timeout = call_timeout
        self.lease = timedelta(seconds=call_timeout + LEASE_SLACK_SECONDS)
        self.policy = policy
        self._deliver = deliver
        self._give_up = give_up
        self._typing = typing
        self._on_rasa_error = on_rasa_error
        self.owner = f"{socket.gethostname()[:20]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._drains: dict[str, asyncio.Task] = {}
        self._wanted: set[str] = set()
        self._sweeper: asyncio.Task | None = None

    # ------------------------------------------------------------------------------------------
    # life cycle
    def start(self) -> None:
        self._sweeper = asyncio.create_task(self._sweep_forever(), name="relay-outbox-sweeper")

    async def stop(self) -> None:
        tasks = [t for t in (self._sweeper, *self._drains.values()) if t is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        # Hand our turns over at once instead of letting other replicas wait for the leases to run out.
        try:
            await self.db.run(lambda s: s.execute(
                update(PendingRelay).where(PendingRelay.owner == self.owner, PendingRelay.status == "pending")
                .values(lease_until=None)))
        except Exception as error:  # the database is gone: the leases run out by themselves
            log.warning("relay leases not released at shutdown: %s", error)

    def kick(self, conversation_id: str) -> None:
        """Relay the conversation's pending turns (now, on this replica, unless another one is at it)."""
        self._wanted.add(conversation_id)
        running = self._drains.get(conversation_id)
        # A drain that has just returned stays listed until its done-callback runs; a kick in that moment must
        # start a new one, or the turn waits for the next sweep.
        if running is None or running.done():
            task = asyncio.create_task(self._drain(conversation_id), name=f"relay-{conversation_id}")
            self._drains[conversation_id] = task
            task.add_done_callback(lambda t, c=conversation_id: self._drain_done(c, t))

    def _drain_done(self, conversation_id: str, task: asyncio.Task) -> None:
        if self._drains.get(conversation_id) is task:
            del self._drains[conversation_id]
        if not task.cancelled() and task.exception() is not None:
            # The lease runs out and a sweep (here or elsewhere) takes the turn up again.
            log.error("relay of a conversation failed", exc_info=task.exception())

    async def _drain(self, conversation_id: str) -> None:
        while True:
            self._wanted.discard(conversation_id)
            while (relay := await self.db.run(lambda s: self._claim_next(s, conversation_id))) is not None:
                await self._process(relay)
            # A kick that came in while we were busy may have found the previous turn still pending.
            if conversation_id not in self._wanted:
                return

    # ------------------------------------------------------------------------------------------
    # claiming
    def _claim_next(self, session: Session, conversation_id: str) -> ClaimedRelay | None:
        now = utcnow()
        while True:
            row = session.scalars(
                select(PendingRelay)
                .where(PendingRelay.conversation_id == conversation_id, PendingRelay.status == "pending")
                .order_by(PendingRelay.message_seq).limit(1)
            ).first()
            if row is None:
                return None
            if row.lease_until is not None and row.lease_until > now and row.owner != self.owner:
                return None  # another replica is relaying it; it takes the next turn afterwards
            won = session.execute(
                update(PendingRelay)
                .where(PendingRelay.id == row.id, PendingRelay.status == "pending",
                       or_(PendingRelay.lease_until.is_(None), PendingRelay.lease_until <= now,
                           PendingRelay.owner == self.owner))
                .values(owner=self.owner, lease_until=now + self.lease, attempts=PendingRelay.attempts + 1)
            ).rowcount
            if won != 1:
                return None
            current = session.execute(select(Conversation.state, Conversation.language)
                                      .where(Conversation.id == conversation_id)).first()
            if current is None or current.state != "bot":  # an agent has the conversation now: the bot stays silent
                row.status, row.finished_at, row.lease_until = "skipped", now, None
                session.flush()
                continue
            # The language now, not when the message was stored: the bot's detection in the turn before or the
            # citizen's choice since (handover/domain/conversations/languages.py) may have changed it.
            return ClaimedRelay(
                id=row.id, conversation_id=conversation_id, kind=row.kind, text=row.text,
                language=current.language or row.language,
                owner=self.owner, expired=row.created_at < now - timedelta(seconds=self.policy.max_age_seconds),
            )

    async def _renew(self, relay: ClaimedRelay) -> bool:
        def work(session: Session) -> bool:
            return session.execute(
                update(PendingRelay)
                .where(PendingRelay.id == relay.id, PendingRelay.status == "pending",
                       PendingRelay.owner == relay.owner)
                .values(lease_until=utcnow() + self.lease)
            ).rowcount == 1

        return await self.db.run(work)

    # ------------------------------------------------------------------------------------------
    # relaying
    async def _process(self, relay: ClaimedRelay) -> None:
        if relay.expired:
            cutoff = utcnow() - timedelta(seconds=self.policy.max_age_seconds)
            log.warning("pending relay older than %.0f s reported as failed instead of answered late",
                        self.policy.max_age_seconds)
            await self._give_up(relay, cutoff)
            return
        replies = await self._ask_rasa(relay)
        if replies is None:
            return
        await self._deliver(relay, replies)

    async def _ask_rasa(self, relay: ClaimedRelay) -> list[BotReply] | None:
        """The bot's replies; None when the citizen has been told it failed or the turn is no longer ours."""
        deadline = time.monotonic() + self.policy.retry_seconds
        backoff = RETRY_BACKOFF_START
        await self._typing(relay.conversation_id, True)
        try:
            while True:
                try:
                    # Bounded as a whole (not per connect/read) so the lease always outlives the call.
                    return await asyncio.wait_for(self._call(relay), self.call_timeout)
                except (RasaUnavailable, asyncio.TimeoutError) as error:
                    self._on_rasa_error()
                    if time.monotonic() + backoff > deadline:
                        log.warning("rasa unavailable, citizen told: %s", error or type(error).__name__)
                        await self._give_up(relay, None)
                        return None
                    log.info("rasa unavailable, retrying in %.1f s: %s", backoff, error or type(error).__name__)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, RETRY_BACKOFF_MAX)
                if not await self._renew(relay):
                    return None  # taken over after our lease ran out
        finally:
            await self._typing(relay.conversation_id, False)

    def _call(self, relay: ClaimedRelay) -> Awaitable[list[BotReply]]:
        if relay.kind == "intent":
            return self.rasa.trigger_intent(relay.conversation_id, relay.text, relay.language)
        return self.rasa.send_message(relay.conversation_id, relay.text, relay.language)

    # ------------------------------------------------------------------------------------------
    # pick-up of turns nobody is relaying (crash, restart, another replica gone)
    async def sweep(self) -> int:
        def work(session: Session) -> list[str]:
            now = utcnow()
            # Finished turns are history the transcript already tells; keep the table small.
            session.execute(delete(PendingRelay).where(
                PendingRelay.status != "pending",
                PendingRelay.finished_at < now - timedelta(seconds=max(self.policy.max_age_seconds, 3600))))
            return list(session.scalars(
                select(PendingRelay.conversation_id)
                .where(PendingRelay.status == "pending",
                       or_(PendingRelay.lease_until.is_(None), PendingRelay.lease_until <= now))
                .distinct().limit(SWEEP_BATCH)
            ))

        conversation_ids = await self.db.run(work)
        for conversation_id in conversation_ids:
            self.kick(conversation_id)
        return len(conversation_ids)

    async def _sweep_forever(self) -> None:
        first = True
        while True:
            try:
                picked = await self.sweep()
                if picked and first:
                    log.info("relay outbox: picking up pending turns of %d conversations", picked)
                first = False
            except asyncio.CancelledError:
                raise
            except Exception:  # the database may be restarting; the next sweep tries again
                log.warning("relay outbox sweep failed", exc_info=True)
            await asyncio.sleep(self.policy.sweep_seconds)
