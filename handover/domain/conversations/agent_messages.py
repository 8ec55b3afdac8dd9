"""What the holder says to the citizen (a message, idempotent by client id, or a knowledge article pushed into
the chat), internal notes only colleagues see, and the agent's typing and read receipts — messages only by the
holder, notes, typing and read receipts only by agents who may act on the conversation (access.py)."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session, noload

from handover.domain.agent_accounts import AgentInfo
from handover.domain.article_cards import card_text, knowledge_card
from handover.domain.conversations import access
from handover.domain.conversations.core import (
    ConversationContext,
    ack,
    append_event,
    event_frame,
    publish_events,
    publish_transient,
    require_holder,
    utcnow,
)
from handover.domain.conversations.views import note_dict
from handover.domain.models.conversations import Conversation, InternalNote, Message
from handover.web.frames import FrameError


async def agent_message(ctx: ConversationContext, agent: AgentInfo, conversation_id: str, client_id: str,
                        text: str, payload: dict | None = None) -> dict:
    def work(session: Session):
        existing = session.scalar(
            select(Message).where(Message.conversation_id == conversation_id, Message.client_id == client_id)
        )
        if existing is not None:
            return existing.seq, None
        # the hot path: no need to load the holder's account (and its departments) for a message
        conversation = session.get(Conversation, conversation_id, options=[noload(Conversation.assigned_agent)])
        if conversation is None:
            raise FrameError("not_found")
        require_holder(conversation, agent)
        message = append_event(session, conversation, sender="agent", text=text, client_id=client_id,
                               payload=payload, agent=agent)
        return message.seq, event_frame(message)

    seq, frame = await ctx.db.run(work)
    delivered = True
    if frame is not None:
        ctx.metrics.messages.labels("agent").inc()
        delivered = await publish_events(ctx, conversation_id, [frame])
    return ack({"type": "ack", "conversation_id": conversation_id, "client_id": client_id, "seq": seq}, delivered)


async def push_article(ctx: ConversationContext, agent: AgentInfo, conversation_id: str, article_id: str) -> dict:
    article = ctx.get_article(article_id)
    if article is None:
        raise FrameError("not_found", "Diesen Artikel gibt es nicht.")
    # The same card as the bot's answer (summary, Stand, office, links), not a bare link.
    return await agent_message(ctx, agent, conversation_id, f"article-{uuid.uuid4().hex}", card_text(article),
                               knowledge_card(article))


async def add_note(ctx: ConversationContext, agent: AgentInfo, conversation_id: str, text: str) -> dict:
    def work(session: Session):
        access.permitted_conversation(session, ctx.routing, agent, conversation_id)
        note = InternalNote(conversation_id=conversation_id, agent_id=agent.id, author_name=agent.display_name,
                            text=text, created_at=utcnow())
        session.add(note)
        session.flush()
        return note_dict(note)

    note = await ctx.db.run(work)
    await publish_transient(ctx, conversation_id, {"type": "note", "conversation_id": conversation_id,
                                                   "note": note}, "agents")
    return {"type": "note", "conversation_id": conversation_id, "note": note}


async def _check_access(ctx: ConversationContext, agent: AgentInfo, conversation_id: str) -> None:
    """Typing and read receipts are not stored, but they reach the citizen: only from agents who may act."""
    def work(session: Session) -> None:
        access.permitted_conversation(session, ctx.routing, agent, conversation_id)

    await ctx.db.run(work)


async def agent_typing(ctx: ConversationContext, agent: AgentInfo, conversation_id: str, active: bool) -> None:
    await _check_access(ctx, agent, conversation_id)
    await publish_transient(
        ctx, conversation_id, {"type": "typing", "conversation_id": conversation_id, "sender": "agent",
                               "active": active}, "citizen")


async def agent_read(ctx: ConversationContext, agent: AgentInfo, conversation_id: str, seq: int) -> None:
    await _check_access(ctx, agent, conversation_id)
    await publish_transient(ctx, conversation_id, {"type": "read", "conversation_id": conversation_id,
                                                   "seq": seq}, "citizen")
