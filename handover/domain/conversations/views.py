"""How a conversation looks to the console: its summary line (queues, lists, tabs), the full conversation frame
an agent opens (transcript, notes, context panel) and the context panel itself (the handover's reason, the bot's
decision trail, the citizen's earlier conversations). Reads only, with one exception: every transcript handed to
a member of staff is written to the access audit log (handover/domain/access_audit.py) in the same transaction,
and only what the access rule (access.py) lets them see is handed out."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from handover.domain import access_audit
from handover.domain.agent_accounts import AgentInfo
from handover.domain.conversations import access
from handover.domain.conversations.core import ConversationContext, event_frame, utcnow
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
        "reserved": None,  # the queue's view (Routing.queues) and the conversation frame fill it in
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


def earlier_conversations(session: Session, conversation: Conversation, routing: Routing,
                          viewer: AgentInfo) -> list[dict]:
    """The same citizen's last five other conversations (by the widget's citizen key), with their messages — those
    the viewer may see; each one shown is an access to its transcript (audited as `context`)."""
    earlier = []
    if conversation.citizen_key:
        others = list(session.scalars(
            select(Conversation)
            .where(Conversation.citizen_key == conversation.citizen_key, Conversation.id != conversation.id)
            .order_by(Conversation.created_at.desc())
            .limit(5)
        ))
        visible = access.visible_ids(session, routing, viewer, others)
        for other in (o for o in others if o.id in visible):
            access_audit.record(session, viewer, other.id, "context")
            messages = session.scalars(
                select(Message).where(Message.conversation_id == other.id, Message.kind == "message")
                .order_by(Message.seq)
            )
            earlier.append(
                {"id": other.id, "created_at": iso(other.created_at), "state": other.state,
                 "summary": other.summary, "messages": [event_frame(m) for m in messages]}
            )
    return earlier


def context_panel(session: Session, conversation: Conversation, routing: Routing, viewer: AgentInfo) -> dict:
    payload = conversation.handover_payload or {}
    trail = decision_trail(session, conversation)
    earlier = earlier_conversations(session, conversation, routing, viewer)
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


def conversation_frame(routing: Routing, session: Session, conversation: Conversation, viewer: AgentInfo,
                       action: str) -> dict:
    """The whole conversation for a member of staff who may see it (the caller checked); audited as `action`."""
    now = utcnow()
    access_audit.record(session, viewer, conversation.id, action)
    head = summary(routing, conversation, now)
    if conversation.state == "waiting":
        reservation = routing.reservation_now(session, conversation, conversation.department, now)
        head["reserved"] = reservation.as_dict(now) if reservation else None
    head["context"] = context_panel(session, conversation, routing, viewer)
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


async def open_conversation(ctx: ConversationContext, agent: AgentInfo, conversation_id: str,
                            action: str = "open") -> dict:
    """The conversation frame for an agent who may see it (`forbidden` otherwise)."""
    def work(session: Session) -> dict:
        conversation = access.permitted_conversation(session, ctx.routing, agent, conversation_id)
        return conversation_frame(ctx.routing, session, conversation, agent, action)

    return await ctx.db.run(work)


_SPEAKERS = {"citizen": "Bürger/in", "bot": "Digitaler Assistent", "system": "System"}


def transcript_text(routing: Routing, session: Session, conversation: Conversation, viewer: AgentInfo) -> str:
    """The transcript as plain text (German labels, times in UTC): what the export hands out. Internal notes are
    not part of it — they are staff's working notes, not the conversation."""
    office_hours = routing.office_hours
    department = office_hours.name(conversation.department) if conversation.department else "–"
    lines = [
        f"Gespräch {conversation.id}",
        f"Begonnen: {iso(conversation.created_at)} · Status: {conversation.state} · Fachbereich: {department}",
        f"Exportiert von {viewer.display_name} ({viewer.username}) am {iso(utcnow())}",
        "",
    ]
    for message in session.scalars(
        select(Message).where(Message.conversation_id == conversation.id, Message.kind == "message")
        .order_by(Message.seq)
    ):
        speaker = (f"{message.agent_display_name or 'Mitarbeiter/in'} (Mitarbeiter/in)" if message.sender == "agent"
                   else _SPEAKERS.get(message.sender or "", message.sender or ""))
        lines.append(f"[{iso(message.created_at)}] {speaker}: {message.text or ''}")
    return "\n".join(lines) + "\n"
