"""handover: analytics tables of the insights (conversation and question facts, gap vectors and marks)

Revision ID: handover_0005_analytics
Revises: handover_0002
Create Date: 2026-11-30
"""

from alembic import op
import sqlalchemy as sa

revision = "handover_0005_analytics"
down_revision = "handover_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "analytics_conversations",
        sa.Column("conversation_id", sa.String(length=32), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("local_day", sa.String(length=10), nullable=False),
        sa.Column("local_weekday", sa.Integer(), nullable=False),
        sa.Column("local_hour", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=5), nullable=False),
        sa.Column("page", sa.String(length=300), nullable=True),
        sa.Column("department", sa.String(length=64), nullable=True),
        sa.Column("lebenslage", sa.String(length=120), nullable=True),
        sa.Column("last_activity_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("questions", sa.Integer(), nullable=False),
        sa.Column("answers", sa.Integer(), nullable=False),
        sa.Column("referrals", sa.Integer(), nullable=False),
        sa.Column("clarifies", sa.Integer(), nullable=False),
        sa.Column("no_answers", sa.Integer(), nullable=False),
        sa.Column("support", sa.Boolean(), nullable=False),
        sa.Column("helpful", sa.Integer(), nullable=False),
        sa.Column("not_helpful", sa.Integer(), nullable=False),
        sa.Column("last_feedback", sa.Boolean(), nullable=True),
        sa.Column("bot_unavailable", sa.Boolean(), nullable=False),
        sa.Column("handover_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("handover_reason", sa.String(length=40), nullable=True),
        sa.Column("handover_outcome", sa.String(length=30), nullable=True),
        sa.Column("answered_before_handover", sa.Boolean(), nullable=True),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("proactive", sa.Boolean(), nullable=False),
        sa.Column("wait_seconds", sa.Float(), nullable=True),
        sa.Column("agent_id", sa.Integer(), nullable=True),
        sa.Column("first_response_seconds", sa.Float(), nullable=True),
        sa.Column("handling_seconds", sa.Float(), nullable=True),
        sa.Column("abandoned", sa.Boolean(), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolution", sa.String(length=20), nullable=True),
        sa.Column("csat_rating", sa.Integer(), nullable=True),
        sa.Column("csat_comment", sa.Text(), nullable=True),
        sa.Column("csat_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("conversation_id"),
    )
    op.create_index("ix_analytics_conversations_started", "analytics_conversations", ["started_at"])
    op.create_index("ix_analytics_conversations_day", "analytics_conversations", ["local_day"])

    op.create_table(
        "analytics_questions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(length=32), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("local_day", sa.String(length=10), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("text_hash", sa.String(length=64), nullable=False),
        sa.Column("decision", sa.String(length=12), nullable=False),
        sa.Column("article_id", sa.String(length=120), nullable=True),
        sa.Column("article_kind", sa.String(length=12), nullable=True),
        sa.Column("decline", sa.String(length=20), nullable=True),
        sa.Column("concern", sa.String(length=20), nullable=True),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("candidates", sa.JSON(), nullable=True),
        sa.Column("language", sa.String(length=5), nullable=False),
        sa.Column("department", sa.String(length=64), nullable=True),
        sa.Column("lebenslage", sa.String(length=120), nullable=True),
        sa.Column("picked", sa.Boolean(), nullable=True),
        sa.Column("helpful", sa.Boolean(), nullable=True),
        sa.Column("handover_reason", sa.String(length=40), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("conversation_id", "seq", name="uq_analytics_questions_seq"),
    )
    op.create_index("ix_analytics_questions_asked", "analytics_questions", ["asked_at"])
    op.create_index("ix_analytics_questions_day", "analytics_questions", ["local_day"])
    op.create_index("ix_analytics_questions_conversation", "analytics_questions", ["conversation_id", "seq"])
    op.create_index("ix_analytics_questions_article", "analytics_questions", ["article_id"])

    op.create_table(
        "analytics_question_vectors",
        sa.Column("text_hash", sa.String(length=64), nullable=False),
        sa.Column("model", sa.String(length=120), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("text_hash", "model"),
    )

    op.create_table(
        "analytics_gap_marks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("model", sa.String(length=120), nullable=False),
        sa.Column("centroid", sa.LargeBinary(), nullable=False),
        sa.Column("examples", sa.JSON(), nullable=True),
        sa.Column("marked_by", sa.String(length=120), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    op.drop_table("analytics_gap_marks")
    op.drop_table("analytics_question_vectors")
    op.drop_index("ix_analytics_questions_article", table_name="analytics_questions")
    op.drop_index("ix_analytics_questions_conversation", table_name="analytics_questions")
    op.drop_index("ix_analytics_questions_day", table_name="analytics_questions")
    op.drop_index("ix_analytics_questions_asked", table_name="analytics_questions")
    op.drop_table("analytics_questions")
    op.drop_index("ix_analytics_conversations_day", table_name="analytics_conversations")
    op.drop_index("ix_analytics_conversations_started", table_name="analytics_conversations")
    op.drop_table("analytics_conversations")
