"""Retention of the analytics tables: their rows are deleted with their conversation (called by
handover/domain/conversations/retention.py), and rows older than the retention period whose conversation is gone
already (a backfill, a seeded benchmark database) go too, with the embeddings no remaining question uses."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from handover.domain.models.analytics import ConversationFacts, QuestionFacts, QuestionVector
from handover.domain.models.conversations import Conversation


def purge(session: Session, conversation_ids: list[str], cutoff: datetime) -> int:
    """Deletes the facts of `conversation_ids` and stale orphans; returns the number of conversation facts."""
    deleted = 0
    for chunk in (conversation_ids[i:i + 500] for i in range(0, len(conversation_ids), 500)):
        session.execute(delete(QuestionFacts).where(QuestionFacts.conversation_id.in_(chunk)))
        deleted += session.execute(
            delete(ConversationFacts).where(ConversationFacts.conversation_id.in_(chunk))
        ).rowcount
    live = select(Conversation.id)
    stale = select(ConversationFacts.conversation_id).where(
        ConversationFacts.last_activity_at < cutoff, ConversationFacts.conversation_id.not_in(live)
    )
    session.execute(delete(QuestionFacts).where(QuestionFacts.conversation_id.in_(stale)))
    deleted += session.execute(
        delete(ConversationFacts).where(ConversationFacts.last_activity_at < cutoff,
                                        ConversationFacts.conversation_id.not_in(live))
    ).rowcount
    session.execute(
        delete(QuestionFacts).where(QuestionFacts.asked_at < cutoff, QuestionFacts.conversation_id.not_in(live))
    )
    session.execute(delete(QuestionVector).where(QuestionVector.text_hash.not_in(select(QuestionFacts.text_hash))))
    return deleted
