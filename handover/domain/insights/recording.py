"""Writing the analytics facts (handover/domain/models/analytics.py) where the conversation actions store what
happened: the bot's replies (bot_replies.py), a handover request (handover_requests.py), an agent taking over
(claims.py), the end, CSAT and answer feedback (closing.py).

Every function runs inside the action's transaction, in a savepoint of its own: a problem with the statistics is
logged and counted, and never costs the citizen a message. Free text is redacted (handover/domain/redaction.py)
before it is written. What each field means for the reports is in docs/insights.md."""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime, tzinfo
from typing import Any, Callable, Iterable
from urllib.parse import urlsplit

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from handover.domain.models.analytics import ConversationFacts, QuestionFacts
from handover.domain.models.conversations import Conversation, Message
from handover.domain.redaction import PIN, redact, redact_answer

log = logging.getLogger(__name__)

FEEDBACK_INTENTS = {"/feedback_positive": True, "/feedback_negative": False}
PICK_INTENT = "/ask_question"
KNOWLEDGE_DECISIONS = ("answer", "clarify", "no_answer")


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def local_parts(at: datetime, tz: tzinfo) -> tuple[str, int, int]:
    """(YYYY-MM-DD, weekday 0 = Monday, hour) of `at` in the city's time zone."""
    local = at.astimezone(tz)
    return local.date().isoformat(), local.weekday(), local.hour


def page_of(url: str | None) -> str | None:
    """Host and path of the page the widget was opened on: query strings and fragments may carry anything."""
    if not url:
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    page = f"{parts.netloc}{parts.path}".rstrip("/") or None
    return redact(page)[:300] if page else None


def _guarded(work: Callable[[], Any], session: Session, what: str) -> None:
    try:
        with session.begin_nested():
            work()
    except Exception:  # statistics never break the conversation (the action's own writes stay)
        log.exception("insights: recording %s failed", what)


def _facts(session: Session, conversation: Conversation, tz: tzinfo, now: datetime) -> ConversationFacts:
    facts = session.get(ConversationFacts, conversation.id)
    if facts is None:
        started = conversation.created_at or now
        day, weekday, hour = local_parts(started, tz)
        facts = ConversationFacts(
            conversation_id=conversation.id, started_at=started, local_day=day, local_weekday=weekday,
            local_hour=hour, language=conversation.language or "de", page=page_of(conversation.page),
            department=conversation.department, lebenslage=conversation.lebenslage, last_activity_at=now,
            questions=0, answers=0, referrals=0, clarifies=0, no_answers=0, support=False, helpful=0,
            not_helpful=0, bot_unavailable=False, proactive=False, abandoned=False,
        )
        session.add(facts)
        session.flush()
    facts.last_activity_at = max(facts.last_activity_at, now)
    return facts


def _latest_question(session: Session, conversation_id: str, *decisions: str) -> QuestionFacts | None:
    query = select(QuestionFacts).where(QuestionFacts.conversation_id == conversation_id)
    if decisions:
        query = query.where(QuestionFacts.decision.in_(decisions))
    return session.scalar(query.order_by(QuestionFacts.seq.desc()).limit(1))


def _set_feedback(facts: ConversationFacts | None, question: QuestionFacts, helpful: bool) -> None:
    """The verdict on one answer; a changed verdict moves the count, a repeated one changes nothing."""
    previous = question.helpful
    question.helpful = helpful
    if facts is None:
        return
    if previous is not None and previous != helpful:
        if previous:
            facts.helpful -= 1
        else:
            facts.not_helpful -= 1
    if previous != helpful:
        if helpful:
            facts.helpful += 1
        else:
            facts.not_helpful += 1
    facts.last_feedback = helpful


def record_bot_replies(session: Session, conversation: Conversation, *, relay_kind: str, relay_text: str,
                       replies: Iterable[tuple[int, dict | None]], tz: tzinfo, now: datetime) -> None:
    """A citizen turn and the bot's replies to it (seq and custom payload of each stored reply)."""
    replies_list = list(replies)

    def work() -> None:
        facts = _facts(session, conversation, tz, now)
        text = (relay_text or "").strip()
        typed = relay_kind == "message" and not text.startswith("/")
        secret = typed and bool(replies_list) and redact_answer(
            text, _asked_before(session, conversation.id, replies_list[0][0])) == PIN
        if secret:  # the answer to the PIN step is never kept, not even redacted (redaction.py)
            text = PIN
        # What the turn says about the previous replies: a verdict on the last answer, a pick from a menu.
        if relay_kind == "message" and text in FEEDBACK_INTENTS:
            answer = _latest_question(session, conversation.id, "answer")
            if answer is not None:
                _set_feedback(facts, answer, FEEDBACK_INTENTS[text])
        elif relay_kind == "message":
            for pending in session.scalars(
                select(QuestionFacts).where(QuestionFacts.conversation_id == conversation.id,
                                            QuestionFacts.decision == "clarify", QuestionFacts.picked.is_(None))
            ):
                pending.picked = text.startswith(PICK_INTENT)
        day = local_parts(now, tz)[0]
        for seq, custom in replies_list:
            kind = (custom or {}).get("type")
            if kind == "knowledge" and custom.get("decision") in KNOWLEDGE_DECISIONS:
                if secret:  # the bot's echo of what it searched is the PIN too
                    custom = {**custom, "query": PIN}
                _record_knowledge(session, facts, conversation, seq, custom, text if typed else "", now, day)
            elif kind == "support":
                question = redact(text if typed else "")
                article = custom.get("article") or {}
                session.add(QuestionFacts(
                    conversation_id=conversation.id, seq=seq, asked_at=now, local_day=day, question=question,
                    text_hash=text_hash(question), decision="support", concern=str(custom.get("concern") or "")[:20]
                    or None, article_id=article.get("id"), language=conversation.language or "de",
                    department=facts.department, lebenslage=facts.lebenslage,
                ))
                facts.support = True

    _guarded(work, session, "bot replies")


def _record_knowledge(session: Session, facts: ConversationFacts, conversation: Conversation, seq: int,
                      payload: dict, typed: str, now: datetime, day: str) -> None:
    decision = payload["decision"]
    article = payload.get("article") or {}
    office = article.get("office") or {}
    lebenslagen = article.get("lebenslagen") or []
    kind = article.get("kind") or ("service" if article else None)
    question = redact(str(payload.get("query") or typed or ""))[:2000]
    department = office.get("department") if decision == "answer" else None
    lebenslage = lebenslagen[0] if decision == "answer" and lebenslagen else None
    session.add(QuestionFacts(
        conversation_id=conversation.id, seq=seq, asked_at=now, local_day=day, question=question,
        text_hash=text_hash(question), decision=decision, article_id=article.get("id"),
        article_kind=kind if decision == "answer" else None,
        decline=payload.get("decline") if decision == "no_answer" else None,
        score=payload.get("score") if isinstance(payload.get("score"), (int, float)) else None,
        candidates=[c.get("id") for c in payload.get("candidates") or [] if isinstance(c, dict)][:3]
        if decision == "clarify" else None,
        language=conversation.language or "de", department=department or facts.department,
        lebenslage=lebenslage or facts.lebenslage,
    ))
    facts.questions += 1
    if decision == "answer":
        facts.answers += 1
        facts.referrals += kind == "referral"
        # The conversation's topic is that of its first answer (a handover may name its own department later).
        facts.lebenslage = facts.lebenslage or lebenslage
        facts.department = facts.department or department
    elif decision == "clarify":
        facts.clarifies += 1
    else:
        facts.no_answers += 1


def _asked_before(session: Session, conversation_id: str, reply_seq: int) -> dict | None:
    """The payload of the bot's last message before the citizen's turn that `reply_seq` answers."""
    return session.scalar(
        select(Message.payload).where(Message.conversation_id == conversation_id, Message.sender == "bot",
                                      Message.seq < reply_seq)
        .order_by(Message.seq.desc()).limit(1)
    )


def record_bot_unavailable(session: Session, conversation: Conversation, *, tz: tzinfo, now: datetime) -> None:
    _guarded(lambda: setattr(_facts(session, conversation, tz, now), "bot_unavailable", True), session,
             "bot unavailable")


def record_handover(session: Session, conversation: Conversation, *, reason: str, department: str, outcome: str,
                    lebenslage: str | None, tz: tzinfo, now: datetime) -> None:
    """A handover request (queued, or the team closed / nobody online). The first one counts for the reports;
    the first time it is queued starts the wait."""

    def work() -> None:
        facts = _facts(session, conversation, tz, now)
        if facts.handover_at is None:
            facts.handover_at = now
            facts.handover_reason = reason[:40]
            facts.handover_outcome = outcome
            facts.answered_before_handover = facts.answers > 0
            question = _latest_question(session, conversation.id, *KNOWLEDGE_DECISIONS)
            if question is not None and question.handover_reason is None:
                question.handover_reason = reason[:40]
        if outcome == "queued" and facts.queued_at is None:
            facts.queued_at = now
        facts.department = department
        facts.lebenslage = facts.lebenslage or lebenslage

    _guarded(work, session, "handover")


def record_assignment(session: Session, conversation: Conversation, *, agent_id: int, proactive: bool,
                      tz: tzinfo, now: datetime) -> None:
    """The first agent who takes the conversation: the end of the wait (a proactive takeover never waited)."""

    def work() -> None:
        facts = _facts(session, conversation, tz, now)
        if facts.assigned_at is not None:
            return
        facts.assigned_at = now
        facts.agent_id = agent_id
        facts.department = conversation.department or facts.department
        if proactive:
            facts.proactive = True
            if facts.handover_at is None:
                facts.handover_at, facts.handover_reason, facts.handover_outcome = now, "proactive", "proactive"
                facts.answered_before_handover = facts.answers > 0
        elif facts.queued_at is not None:
            facts.wait_seconds = max(0.0, (now - facts.queued_at).total_seconds())

    _guarded(work, session, "assignment")


def record_close(session: Session, conversation: Conversation, *, previous_state: str, resolution: str,
                 tz: tzinfo, now: datetime) -> None:
    """The end: handling time and first response for a conversation an agent had, abandonment for one that was
    still waiting for its first agent when the citizen left."""

    def work() -> None:
        facts = _facts(session, conversation, tz, now)
        facts.closed_at = now
        facts.resolution = resolution[:20]
        if facts.assigned_at is None:
            facts.abandoned = previous_state == "waiting" and resolution == "citizen_ended"
            return
        facts.handling_seconds = max(0.0, (now - facts.assigned_at).total_seconds())
        first_reply = session.scalar(
            select(func.min(Message.created_at)).where(
                Message.conversation_id == conversation.id, Message.sender == "agent",
                Message.created_at >= facts.assigned_at,
            )
        )
        if first_reply is not None:
            facts.first_response_seconds = max(0.0, (first_reply - facts.assigned_at).total_seconds())

    _guarded(work, session, "close")


def record_csat(session: Session, conversation: Conversation, *, rating: int, comment: str | None, tz: tzinfo,
                now: datetime) -> None:
    def work() -> None:
        facts = _facts(session, conversation, tz, now)
        facts.csat_rating = rating
        facts.csat_comment = redact(comment)[:2000] or None
        facts.csat_at = now

    _guarded(work, session, "csat")


def record_feedback(session: Session, conversation_id: str, *, seq: int, helpful: bool) -> None:
    """The feedback frame's verdict on the bot message `seq` (the same verdict as the Ja/Nein buttons)."""

    def work() -> None:
        question = session.scalar(
            select(QuestionFacts).where(QuestionFacts.conversation_id == conversation_id, QuestionFacts.seq == seq)
        )
        if question is not None:
            _set_feedback(session.get(ConversationFacts, conversation_id), question, helpful)

    _guarded(work, session, "feedback")
