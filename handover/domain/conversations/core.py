"""The core every conversation action shares: the context it runs with, the per-conversation sequence numbers
(every persisted event gets the next `seq`), the frame a stored event is sent as, and publishing.

Every persisted event is also published on its conversation's pub/sub channel so sockets on any replica receive
it; a failed publish only delays it (sockets catch up from the database), which the ack then says."""

from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable, Coroutine

from sqlalchemy import update
from sqlalchemy.orm import Session

from handover.domain.agent_accounts import AgentInfo
from handover.domain.conversations.rate_limit import RateLimiter
from handover.domain.models.conversations import Conversation, Message
from handover.domain.relay_outbox import RelayOutbox
from handover.domain.routing import Routing, iso
from handover.shell.database import Database
from handover.shell.metrics import Metrics
from handover.shell.pubsub import PubSub
from handover.web.frames import FrameError

log = logging.getLogger(__name__)

CONSOLES_CHANNEL = "buergerbot:consoles"


def conversation_channel(conversation_id: str) -> str:
    return f"buergerbot:conv:{conversation_id}"


def agent_channel(agent_id: int) -> str:
    return f"buergerbot:agent:{agent_id}"


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class BackgroundTasks:
    """Work an action starts and does not wait for (a handover after a citizen's request, the coalesced
    overview); a failure is counted and logged instead of vanishing with the task."""

    def __init__(self, metrics: Metrics) -> None:
        self.metrics = metrics
        self._tasks: set[asyncio.Task] = set()

    def spawn(self, coro: Coroutine) -> asyncio.Task:
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._done)
        return task

    def _done(self, task: asyncio.Task) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            self.metrics.errors.labels("task").inc()
            log.error("background task failed", exc_info=task.exception())

    async def cancel_all(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)


@dataclass
class ConversationContext:
    """What the actions need, built once per app instance (conversations.lifecycle)."""

    db: Database
    pubsub: PubSub
    routing: Routing
    metrics: Metrics
    rate_limiter: RateLimiter
    relay: RelayOutbox
    tasks: BackgroundTasks
    watch_minutes: int
    get_article: Callable[[str], Any] = lambda article_id: None
    # handover.domain.tickets.TicketDesk (set by handover/runtime.py): sends the confirmation e-mail of a ticket.
    ticket_desk: Any = None
    # The console overview is coalesced: one broadcast per interval however many changes (broadcasts.py).
    overview_interval: float = 0.25
    overview_pending: bool = field(default=False)


# --- persisted events ------------------------------------------------------------------------------------
def state_notice(state: str) -> dict:
    """Marks a system message that only announces a state change: the transcript (and the agent) keep it, while
    the widget shows the citizen its own wording from the `state` event that follows (protocol: state_notice)."""
    return {"type": "state_notice", "version": 1, "state": state}


def append_event(
    session: Session,
    conversation: Conversation,
    *,
    kind: str = "message",
    sender: str | None = None,
    text: str | None = None,
    client_id: str | None = None,
    buttons: list | None = None,
    payload: dict | None = None,
    agent: AgentInfo | None = None,
) -> Message:
    """Next seq by an atomic increment on the conversation row: concurrent writers (any replica) queue
    on the row lock and each gets its own number."""
    now = utcnow()
    values: dict[str, Any] = {"last_seq": Conversation.last_seq + 1, "updated_at": now}
    if kind == "message":
        values.update(last_message_sender=sender, last_message_text=(text or "")[:200], last_message_at=now)
    seq = session.execute(
        update(Conversation).where(Conversation.id == conversation.id).values(**values)
        .returning(Conversation.last_seq)
    ).scalar_one()
    message = Message(
        id=uuid.uuid4().hex,
        conversation_id=conversation.id,
        seq=seq,
        kind=kind,
        sender=sender,
        text=text,
        client_id=client_id,
        buttons=buttons or None,
        payload=payload,
        agent_id=agent.id if agent else None,
        agent_display_name=agent.display_name if agent else None,
        created_at=now,
    )
    session.add(message)
    session.flush()
    return message


def append_state(
    session: Session,
    conversation: Conversation,
    state: str,
    reason: str | None,
    *,
    agent_name: str | None = None,
    queue: dict | None = None,
    offer_ticket: bool = False,
    csat: bool = False,
) -> Message:
    payload = {
        "state": state,
        "reason": reason,
        "agent": {"display_name": agent_name} if agent_name else None,
        "queue": queue,
        "offer_ticket": offer_ticket,
        "csat": csat,
    }
    return append_event(session, conversation, kind="state", payload=payload)


def event_frame(message: Message) -> dict:
    """Persisted event → the frame the widget and console receive (docs/protocol.md)."""
    if message.kind == "state":
        payload = dict(message.payload or {})
        return {"type": "state", "seq": message.seq, "conversation_id": message.conversation_id, **payload}
    if message.kind == "ticket_created":
        return {
            "type": "ticket_created",
            "seq": message.seq,
            "conversation_id": message.conversation_id,
            "reference": (message.payload or {}).get("reference"),
            "client_id": message.client_id,
        }
    return {
        "type": "message",
        "seq": message.seq,
        "conversation_id": message.conversation_id,
        "id": message.id,
        "sender": message.sender,
        "text": message.text,
        "client_id": message.client_id,
        "created_at": iso(message.created_at),
        "buttons": message.buttons or [],
        "payload": message.payload,
        "agent": {"display_name": message.agent_display_name} if message.agent_display_name else None,
    }


# --- loading with the agent's rights -------------------------------------------------------------------
def load_conversation(session: Session, conversation_id: str) -> Conversation:
    conversation = session.get(Conversation, conversation_id)
    if conversation is None:
        raise FrameError("not_found", conversation_id=conversation_id)
    return conversation


def require_holder(conversation: Conversation, agent: AgentInfo) -> None:
    if conversation.state != "agent":
        raise FrameError("conflict", "Das Gespräch wird gerade von niemandem betreut.")
    if conversation.assigned_agent_id != agent.id and not agent.is_supervisor:
        raise FrameError("forbidden", "Dieses Gespräch betreut eine andere Person.")


# --- publishing ----------------------------------------------------------------------------------------
async def publish_events(ctx: ConversationContext, conversation_id: str, frames: list[dict], to: str = "all") -> bool:
    """False when pub/sub could not carry them to other replicas: they are stored, and sockets there catch
    up when pub/sub is back (resync) or when they reconnect."""
    delivered = True
    for frame in frames:
        delivered &= await ctx.pubsub.publish(conversation_channel(conversation_id), {"to": to, "frame": frame})
    return delivered


async def publish_transient(ctx: ConversationContext, conversation_id: str, frame: dict, to: str) -> None:
    """Frames that are not stored (typing, read, queue position, notes' live copy): lost with pub/sub."""
    await ctx.pubsub.publish(conversation_channel(conversation_id), {"to": to, "frame": frame})


def ack(frame: dict, delivered: bool) -> dict:
    return frame if delivered else {**frame, "delivery": "delayed"}
