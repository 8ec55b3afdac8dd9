"""Tables of the insights (issue 15): one row of facts per conversation, one row per question the bot answered
(or could not), the embedding of each distinct gap question, and the editors' marks on knowledge-gap clusters.

Everything a citizen wrote is redacted (handover/domain/redaction.py) before it is written here, and nothing here
links back to a person: no token, no citizen key, no ticket contact. The reports (handover/domain/insights/) read
only these tables (plus ticket counts and agent names), so they never touch the transcripts. Retention
(handover/domain/conversations/retention.py) deletes these rows with their conversation.

No foreign keys to the conversation tables on purpose: analytics rows are written in the same transaction as the
conversation's own change, but they are a separate store that can be backfilled or seeded (benchmarks) on its own.
Local day, weekday and hour are stored at write time (in the departments file's time zone), so "by hour of the
week" is a plain GROUP BY on SQLite and PostgreSQL alike."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, Float, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from handover.domain.models.conversations import UTCDateTime, utcnow
from handover.shell.database import Base


class ConversationFacts(Base):
    """What the reports count about one conversation. Created with the first thing worth counting (a bot reply,
    a handover request, "assistant not reachable"); updated by later events."""

    __tablename__ = "analytics_conversations"

    conversation_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    local_day: Mapped[str] = mapped_column(String(10))  # YYYY-MM-DD in the city's time zone
    local_weekday: Mapped[int] = mapped_column(Integer)  # 0 = Monday
    local_hour: Mapped[int] = mapped_column(Integer)
    language: Mapped[str] = mapped_column(String(5), default="de")
    page: Mapped[str | None] = mapped_column(String(300), nullable=True)  # host + path, no query or fragment
    department: Mapped[str | None] = mapped_column(String(64), nullable=True)
    lebenslage: Mapped[str | None] = mapped_column(String(120), nullable=True)
    last_activity_at: Mapped[datetime] = mapped_column(UTCDateTime())

    # the bot
    questions: Mapped[int] = mapped_column(Integer, default=0)  # knowledge replies: answer + clarify + no_answer
    answers: Mapped[int] = mapped_column(Integer, default=0)
    referrals: Mapped[int] = mapped_column(Integer, default=0)  # answers whose article is kind: referral
    clarifies: Mapped[int] = mapped_column(Integer, default=0)
    no_answers: Mapped[int] = mapped_column(Integer, default=0)
    support: Mapped[bool] = mapped_column(Boolean, default=False)  # a distress reply (type: support) was given
    helpful: Mapped[int] = mapped_column(Integer, default=0)  # "Ja, hat geholfen"
    not_helpful: Mapped[int] = mapped_column(Integer, default=0)  # "Nein"
    last_feedback: Mapped[bool | None] = mapped_column(Boolean, nullable=True)  # the latest verdict, if any
    bot_unavailable: Mapped[bool] = mapped_column(Boolean, default=False)

    # the handover (the first one of the conversation)
    handover_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    handover_reason: Mapped[str | None] = mapped_column(String(40), nullable=True)
    # queued | outside_office_hours | no_agent_online | proactive
    handover_outcome: Mapped[str | None] = mapped_column(String(30), nullable=True)
    answered_before_handover: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    queued_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    assigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    proactive: Mapped[bool] = mapped_column(Boolean, default=False)  # taken from the watch list, never queued
    wait_seconds: Mapped[float | None] = mapped_column(Float, nullable=True)
    agent_id: Mapped[int | None] = mapped_column(Integer, nullable=True)  # the first agent who took it
    first_response_seconds: Mapped[float | None] = mapped_column(Float, nullable=True)
    handling_seconds: Mapped[float | None] = mapped_column(Float, nullable=True)
    abandoned: Mapped[bool] = mapped_column(Boolean, default=False)  # ended while waiting, nobody had taken it

    # the end
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    resolution: Mapped[str | None] = mapped_column(String(20), nullable=True)
    csat_rating: Mapped[int | None] = mapped_column(Integer, nullable=True)
    csat_comment: Mapped[str | None] = mapped_column(Text, nullable=True)  # redacted
    csat_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


Index("ix_analytics_conversations_started", ConversationFacts.started_at)
Index("ix_analytics_conversations_day", ConversationFacts.local_day)


class QuestionFacts(Base):
    """One knowledge reply of the bot (decision answer / clarify / no_answer) or distress reply (support), with the
    citizen's redacted question and what became of it."""

    __tablename__ = "analytics_questions"
    __table_args__ = (UniqueConstraint("conversation_id", "seq", name="uq_analytics_questions_seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(32))
    seq: Mapped[int] = mapped_column(Integer)  # the bot message's seq (feedback frames name it)
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime())
    local_day: Mapped[str] = mapped_column(String(10))
    question: Mapped[str] = mapped_column(Text, default="")  # redacted
    text_hash: Mapped[str] = mapped_column(String(64))  # sha256 of `question`: the key of its embedding
    decision: Mapped[str] = mapped_column(String(12))  # answer | clarify | no_answer | support
    article_id: Mapped[str | None] = mapped_column(String(120), nullable=True)
    article_kind: Mapped[str | None] = mapped_column(String(12), nullable=True)  # service | referral
    decline: Mapped[str | None] = mapped_column(String(20), nullable=True)  # not_covered | offtopic
    concern: Mapped[str | None] = mapped_column(String(20), nullable=True)  # support: crisis, violence, …
    score: Mapped[float | None] = mapped_column(Float, nullable=True)
    candidates: Mapped[list | None] = mapped_column(JSON, nullable=True)  # clarify: the offered article ids
    language: Mapped[str] = mapped_column(String(5), default="de")
    department: Mapped[str | None] = mapped_column(String(64), nullable=True)
    lebenslage: Mapped[str | None] = mapped_column(String(120), nullable=True)
    picked: Mapped[bool | None] = mapped_column(Boolean, nullable=True)  # clarify: a candidate was chosen
    helpful: Mapped[bool | None] = mapped_column(Boolean, nullable=True)  # the citizen's verdict on an answer
    handover_reason: Mapped[str | None] = mapped_column(String(40), nullable=True)  # a handover followed it


Index("ix_analytics_questions_asked", QuestionFacts.asked_at)
Index("ix_analytics_questions_day", QuestionFacts.local_day)
Index("ix_analytics_questions_conversation", QuestionFacts.conversation_id, QuestionFacts.seq)
Index("ix_analytics_questions_article", QuestionFacts.article_id)


class QuestionVector(Base):
    """The embedding of a distinct redacted gap question (by `text_hash`), computed once by the gaps view with the
    knowledge service's model and kept for the next view (float16 bytes: half the size, the same clusters)."""

    __tablename__ = "analytics_question_vectors"

    text_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    model: Mapped[str] = mapped_column(String(120), primary_key=True)
    vector: Mapped[bytes] = mapped_column(LargeBinary)


class GapMark(Base):
    """An editor's decision on a knowledge-gap cluster: new_article (a new article is needed) or out_of_scope.
    Clusters are recomputed for every view, so the mark keeps the cluster's centroid: a later cluster about the
    same thing (cosine similarity above the clustering threshold) carries the mark."""

    __tablename__ = "analytics_gap_marks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    status: Mapped[str] = mapped_column(String(20))  # new_article | out_of_scope
    label: Mapped[str] = mapped_column(String(200))
    model: Mapped[str] = mapped_column(String(120))
    centroid: Mapped[bytes] = mapped_column(LargeBinary)
    examples: Mapped[list | None] = mapped_column(JSON, nullable=True)  # redacted, for the record
    marked_by: Mapped[str | None] = mapped_column(String(120), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
