"""How a conversation looks to the console: its summary line (queues, lists, tabs), the full conversation frame
an agent opens (transcript, notes, context panel) and the context panel itself (the handover's reason, the bot's
decision trail, the citizen's earlier conversations). Reads only; no state changes here."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from handover.domain.agent_accounts import AgentInfo
from handover.domain.conversations.core import ConversationContext, event_frame, load_conversation, utcnow
from handover.domain.models.conversations import Conversation, InternalNote, Message
from handover.domain.routing import Routing, iso


def summary(routing: Routing, conversation: Conversation, now: datetime) -> dict:
    office_hours = routing.office_hours
    department = office_hours.resolve(conversation.department) if conversation.department else None
    agent = conversation.assigned_agent
    return {
        "id": conversation.id,
        "state": conversation.state,
        "department": department,
        "department_name": office_hours.name(department) if department else None,
        "reason": conversation.reason,
        "summary": conversation.summary,
        "language": conversation.language,
        "lebenslage": conversation.lebenslage,
        "page": conversation.page,
        "created_at": iso(conversation.created_at),
        "queued_at": iso(conversation.queued_at),
        "wait_seconds": int((now - conversation.queued_at).total_seconds())
        if conversation.state == "waiting" and conversation.queued_at
        else None,
        "position": None,
        "agent": {"id": agent.id, "display_name": agent.display_name}
        if agent is not None and conversation.state == "agent"
        else None,
        "last_seq": conversation.last_seq,
        "last_message": {
            "sender": conversation.last_message_sender,
            "text": conversation.last_message_text,
            "created_at": iso(conversation.last_message_at),
        }
        if conversation.last_message_at
        else None,
    }


def summarizer(routing: Routing):
    """`summary` bound to the routing, in the shape `Routing.queues` takes."""
    return lambda conversation, now: summary(routing, conversation, now)


def note_dict(note: InternalNote) -> dict:
    return {
        "id": note.id,
        "conversation_id": note.conversation_id,
        "author": {"id": note.agent_id, "display_name": note.author_name},
        "text": note.text,
        "created_at": iso(note.created_at),
    }


def decision_trail(session: Session, conversation: Conversation) -> list[dict]:
    """Each knowledge answer the bot gave: the query, its decision and score, the article and the candidates."""
    trail = []
    for message in session.scalars(
        select(Message)
        .where(Message.conversation_id == conversation.id, Message.sender == "bot")
        .order_by(Message.seq)
    ):
        custom = message.payload or {}
        if custom.get("type") != "knowledge":
            continue
        article = custom.get("article") or None
        trail.append(
            {
                "seq": message.seq,
                "query": custom.get("query"),
                "decision": custom.get("decision"),
                "score": custom.get("score"),
                "article": {"id": article.get("id"), "title": article.get("title")} if article else None,
                "candidates": custom.get("candidates") or [],
            }
        )
    return trail


def earlier_conversations(session: Session, conversation: Conversation) -> list[dict]:
    """The same citizen's last five other conversations (by the widget's citizen key), with their messages."""
    earlier = []
    if conversation.citizen_key:
        for other in session.scalars(
            select(Conversation)
            .where(Conversation.citizen_key == conversation.citizen_key, Conversation.id != conversation.id)
            .order_by(Conversation.created_at.desc())
            .limit(5)
        ):
            messages = session.scalars(
                select(Message).where(Message.conversation_id == other.id, Message.kind == "message")
                .order_by(Message.seq)
            )
            earlier.append(
                {"id": other.id, "created_at": iso(other.created_at), "state": other.state,
                 "summary": other.summary, "messages": [event_frame(m) for m in messages]}
            )
    return earlier


def context_panel(session: Session, conversation: Conversation) -> dict:
    payload = conversation.handover_payload or {}
    trail = decision_trail(session, conversation)
    earlier = earlier_conversations(session, conversation)
    return {
        "reason": conversation.reason,
        "summary": conversation.summary or payload.get("summary"),
        "department": conversation.department,
        "lebenslage": conversation.lebenslage or payload.get("lebenslage"),
        "language": conversation.language,
        "page": conversation.page,
        "last_query": payload.get("last_query"),
        "articles": payload.get("articles") or [],
        "decision_trail": trail,
        "earlier_conversations": earlier,
    }


def conversation_frame(routing: Routing, session: Session, conversation: Conversation) -> dict:
    now = utcnow()
    head = summary(routing, conversation, now)
    head["context"] = context_panel(session, conversation)
    messages = [
        event_frame(m)
        for m in session.scalars(
            select(Message).where(Message.conversation_id == conversation.id).order_by(Message.seq)
        )
    ]
    notes = [
        note_dict(n)
        for n in session.scalars(
            select(InternalNote).where(InternalNote.conversation_id == conversation.id)
            .order_by(InternalNote.created_at)
        )
    ]
    return {"type": "conversation", "conversation": head, "messages": messages, "notes": notes}


async def open_conversation(ctx: ConversationContext, agent: AgentInfo, conversation_id: str) -> dict:
    return await ctx.db.run(
        lambda s: conversation_frame(ctx.routing, s, load_conversation(s, conversation_id)))
