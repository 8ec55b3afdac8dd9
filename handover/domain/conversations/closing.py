"""The end of a conversation and what the citizen says about it: closing by the holder or by the citizen (any
state → closed, with the CSAT question), the CSAT rating after the end, and the citizen's verdict on one of the
bot's answers (helpful or not, kept with the article, score and query it answered). An agent closes only
conversations they may act on (access.py), and one held by a colleague only as a supervisor."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from handover.domain.agent_accounts import AgentInfo
from handover.domain.conversations import access, texts
from handover.domain.conversations.broadcasts import queue_changed
from handover.domain.conversations.core import (
    ConversationContext,
    append_event,
    append_state,
    event_frame,
    publish_events,
    require_holder,
    state_notice,
    utcnow,
)
from handover.domain.insights import recording as insights
from handover.domain.models.conversations import AnswerFeedback, Conversation, CsatRating, HandoverEvent, Message
from handover.web.frames import FrameError


async def close(ctx: ConversationContext, agent: AgentInfo, conversation_id: str, resolution: str) -> dict:
    await close_conversation(ctx, conversation_id, resolution=resolution, reason="closed_by_agent", agent=agent)
    return {"type": "closed", "conversation_id": conversation_id}


async def citizen_end(ctx: ConversationContext, conversation_id: str) -> None:
    await close_conversation(ctx, conversation_id, resolution="citizen_ended", reason="closed_by_citizen", agent=None)


async def close_conversation(ctx: ConversationContext, conversation_id: str, *, resolution: str, reason: str,
                             agent: AgentInfo | None) -> None:
    """Closing twice is no error: the second time nothing is stored or published."""

    def work(session: Session):
        conversation = session.get(Conversation, conversation_id)
        if conversation is None:
            raise FrameError("not_found")
        if agent is not None:
            access.require_access(session, ctx.routing, agent, conversation)
        if conversation.state == "closed":
            return [], None
        if agent is not None and conversation.state == "agent":
            require_holder(conversation, agent)
        previous_state = conversation.state
        conversation.state = "closed"
        conversation.resolution = resolution
        conversation.closed_at = utcnow()
        insights.record_close(session, conversation, previous_state=previous_state, resolution=resolution,
                              tz=ctx.routing.office_hours.tz, now=conversation.closed_at)
        session.add(HandoverEvent(conversation_id=conversation_id, kind="closed", reason=resolution,
                                  department=conversation.department,
                                  agent_id=agent.id if agent else conversation.assigned_agent_id))
        frames = [
            event_frame(append_event(session, conversation, sender="system", payload=state_notice("closed"),
                                     text=texts.text(conversation.language, reason))),
            event_frame(append_state(session, conversation, "closed", reason, csat=True)),
        ]
        return frames, conversation.department

    frames, department = await ctx.db.run(work)
    await publish_events(ctx, conversation_id, frames)
    if frames:
        await queue_changed(ctx, {department} if department else set())


async def save_csat(ctx: ConversationContext, conversation_id: str, rating: int, comment: str | None) -> dict:
    def work(session: Session):
        conversation = session.get(Conversation, conversation_id)
        if conversation is None:
            raise FrameError("not_found")
        if conversation.state != "closed":
            raise FrameError("conflict", "Eine Bewertung ist erst nach dem Ende des Gesprächs möglich.")
        existing = session.scalar(select(CsatRating).where(CsatRating.conversation_id == conversation_id))
        if existing is None:
            session.add(CsatRating(conversation_id=conversation_id, rating=rating, comment=comment,
                                   agent_id=conversation.assigned_agent_id))
        else:
            existing.rating, existing.comment = rating, comment
        insights.record_csat(session, conversation, rating=rating, comment=comment, tz=ctx.routing.office_hours.tz,
                             now=utcnow())

    await ctx.db.run(work)
    return {"type": "csat_saved"}


async def save_feedback(ctx: ConversationContext, conversation_id: str, seq: int, helpful: bool,
                        comment: str | None) -> dict:
    def work(session: Session):
        message = session.scalar(
            select(Message).where(Message.conversation_id == conversation_id, Message.seq == seq,
                                  Message.sender == "bot")
        )
        if message is None:
            raise FrameError("not_found", "Zu dieser Antwort gibt es keine Bewertungsmöglichkeit.")
        payload = message.payload or {}
        article = payload.get("article") or {}
        existing = session.scalar(
            select(AnswerFeedback).where(AnswerFeedback.conversation_id == conversation_id,
                                         AnswerFeedback.message_seq == seq)
        )
        if existing is None:
            session.add(
                AnswerFeedback(
                    conversation_id=conversation_id, message_seq=seq, helpful=helpful, comment=comment,
                    article_id=article.get("id"), score=payload.get("score"), query=payload.get("query"),
                )
            )
        else:
            existing.helpful, existing.comment = helpful, comment
        insights.record_feedback(session, conversation_id, seq=seq, helpful=helpful)

    await ctx.db.run(work)
    return {"type": "feedback_saved", "seq": seq}
