"""The citizen's side of a conversation: the hello that starts or resumes it, the backlog a socket replays, a
citizen's message (stored idempotently by client id, and in state `bot` queued for Rasa in the same
transaction), typing and read receipts."""

from __future__ import annotations

import hashlib
import secrets
import uuid

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, noload

from handover.domain import relay_outbox
from handover.domain.conversations.broadcasts import schedule_overview
from handover.domain.conversations.core import (
    ConversationContext,
    ack,
    append_event,
    append_state,
    event_frame,
    publish_events,
    publish_transient,
    utcnow,
)
from handover.domain.conversations.handover_requests import request_handover
from handover.domain.models.conversations import Conversation, Message
from handover.domain.redaction import redact_answer
from handover.web.frames import FrameError


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


async def hello(ctx: ConversationContext, *, token: str | None, language: str, page: str | None,
                citizen_key: str | None, department: str | None = None) -> tuple[str, dict]:
    """Resumes the conversation of a token, or starts a new one (unknown tokens never reveal anything)."""
    office_hours = ctx.routing.office_hours

    def work(session: Session):
        now = utcnow()
        conversation = None
        if token:
            conversation = session.scalar(select(Conversation).where(Conversation.token_hash == token_hash(token)))
        resumed = conversation is not None
        new_token = token
        if conversation is None:
            new_token = secrets.token_urlsafe(32)
            conversation = Conversation(
                id=uuid.uuid4().hex,
                token_hash=token_hash(new_token),
                state="bot",
                language=language,
                page=page,
                citizen_key=citizen_key,
                department=department if department in office_hours.departments else None,
                created_at=now,
                updated_at=now,
            )
            session.add(conversation)
            session.flush()
        elif citizen_key and not conversation.citizen_key:
            conversation.citizen_key = citizen_key
        queue = None
        if conversation.state == "waiting":
            queue = ctx.routing.positions(session, conversation.department, now).get(conversation.id)
        agent = conversation.assigned_agent if conversation.state == "agent" else None
        welcome = {
            "type": "welcome",
            "protocol": 1,
            "conversation_id": conversation.id,
            "token": new_token,
            "resumed": resumed,
            "state": conversation.state,
            "last_seq": conversation.last_seq,
            "agent": {"display_name": agent.display_name} if agent else None,
            "queue": queue,
            "office_hours": office_hours.status(conversation.department, now).as_dict(),
            # the conversation's language, which the bot may have changed since the widget's last frame (issue 14)
            "language": conversation.language,
        }
        return conversation.id, welcome

    return await ctx.db.run(work)


async def events_since(ctx: ConversationContext, conversation_id: str, last_seq: int) -> list[dict]:
    def work(session: Session):
        return [
            event_frame(m)
            for m in session.scalars(
                select(Message)
                .where(Message.conversation_id == conversation_id, Message.seq > last_seq)
                .order_by(Message.seq)
            )
        ]

    return await ctx.db.run(work)


async def citizen_message(ctx: ConversationContext, conversation_id: str, client_id: str, text: str) -> dict:
    """Stores the message (idempotent by client id) and, in state `bot`, its pending relay in the same
    transaction; publishes it and starts the relay (which does not wait for pub/sub). Returns the ack."""
    if not ctx.rate_limiter.allow(conversation_id):
        raise FrameError("rate_limited", client_id=client_id)

    def work(session: Session):
        existing = session.scalar(
            select(Message).where(Message.conversation_id == conversation_id, Message.client_id == client_id)
        )
        if existing is not None:
            return existing.seq, [], None, None
        conversation = session.get(Conversation, conversation_id, options=[noload(Conversation.assigned_agent)])
        if conversation is None:
            raise FrameError("not_found", client_id=client_id)
        events = []
        if conversation.state == "closed":  # writing again after the end reopens the chat with the bot
            conversation.state = "bot"
            conversation.closed_at = None
            events.append(append_state(session, conversation, "bot", "reopened"))
        # The answer to the PIN step is kept as [PIN] (redaction.py); Rasa gets the real text through the outbox.
        asked = session.scalar(
            select(Message.payload).where(Message.conversation_id == conversation_id, Message.sender == "bot")
            .order_by(Message.seq.desc()).limit(1)
        ) if conversation.state == "bot" else None
        try:
            with session.begin_nested():
                message = append_event(session, conversation, sender="citizen", text=redact_answer(text, asked),
                                       client_id=client_id)
        except IntegrityError:  # the same client id raced in on another socket
            existing = session.scalar(
                select(Message).where(Message.conversation_id == conversation_id, Message.client_id == client_id)
            )
            return existing.seq, [], None, None
        events.append(message)
        relayed = conversation.state == "bot" and text.strip() != "/request_human"
        if relayed:
            relay_outbox.enqueue(session, conversation_id, message.seq, text, conversation.language)
        return message.seq, [event_frame(e) for e in events], conversation.state, relayed

    seq, frames, state, relayed = await ctx.db.run(work)
    delivered = True
    if frames:
        ctx.metrics.messages.labels("citizen").inc()
        if relayed:
            ctx.relay.kick(conversation_id)
            schedule_overview(ctx)
        delivered = await publish_events(ctx, conversation_id, frames)
        if state == "bot" and not relayed:
            ctx.tasks.spawn(request_handover(ctx, conversation_id, reason="citizen_request"))
    return ack({"type": "ack", "client_id": client_id, "seq": seq}, delivered)


async def citizen_typing(ctx: ConversationContext, conversation_id: str, active: bool) -> None:
    await publish_transient(
        ctx, conversation_id,
        {"type": "typing", "conversation_id": conversation_id, "sender": "citizen", "active": active},
        "agents",
    )


async def citizen_read(ctx: ConversationContext, conversation_id: str, seq: int) -> None:
    await publish_transient(
        ctx, conversation_id, {"type": "read", "conversation_id": conversation_id, "seq": seq, "sender": "citizen"},
        "agents",
    )
