"""Data retention (`buergerbot conversations purge`): what is deleted after the retention period — conversations,
done tickets, the insights' facts, the access audit log's entries (kept as long as the conversations they
are about) and the count of wrong status-lookup PINs per conversation."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from handover.domain import access_audit
from handover.domain.conversations.core import utcnow
from handover.domain.insights import retention as analytics_retention
from handover.domain.models.conversations import (
    AnswerFeedback,
    Conversation,
    CsatRating,
    HandoverEvent,
    InternalNote,
    Message,
    PendingRelay,
    Ticket,
)
from handover.domain.models.services import StatusLookupFailures


def purge(session: Session, older_than_days: int) -> dict:
    """Deletes conversations (with messages, events, notes, ratings, feedback) not touched for the retention
    period, done tickets and access audit entries older than it. Returns counts."""
    cutoff = utcnow() - timedelta(days=older_than_days)
    stale = select(Conversation.id).where(Conversation.updated_at < cutoff, Conversation.state.in_(("closed", "bot")))
    ids = list(session.scalars(stale))
    counts = {"conversations": len(ids), "tickets": 0}
    for chunk in (ids[i:i + 500] for i in range(0, len(ids), 500)):
        for model in (Message, PendingRelay, HandoverEvent, InternalNote, CsatRating, AnswerFeedback):
            session.execute(delete(model).where(model.conversation_id.in_(chunk)))
        session.execute(update(Ticket).where(Ticket.conversation_id.in_(chunk)).values(conversation_id=None))
        session.execute(delete(Conversation).where(Conversation.id.in_(chunk)))
    counts["tickets"] = session.execute(
        delete(Ticket).where(Ticket.status == "done", Ticket.updated_at < cutoff)
    ).rowcount
    # The insights' facts go with their conversation, and so do stale facts whose conversation is gone already.
    counts["analytics"] = analytics_retention.purge(session, ids, cutoff)
    counts["access_audit"] = access_audit.purge(session, older_than_days)
    # Wrong status-lookup PINs per conversation: only needed while the conversation can go on.
    counts["status_lookup_failures"] = session.execute(
        delete(StatusLookupFailures).where(StatusLookupFailures.last_failed_at < cutoff)
    ).rowcount
    return counts
