"""handover: login throttle, second factor of console accounts, per-IP limits (issue 11)

Revision ID: handover_0003_login_throttle
Revises: handover_0002
Create Date: 2026-11-30
"""

from alembic import op
import sqlalchemy as sa

revision = "handover_0003_login_throttle"
down_revision = "handover_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "handover_login_attempts",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_index(op.f("ix_handover_login_attempts_updated_at"), "handover_login_attempts", ["updated_at"])
    op.create_table(
        "handover_agent_totp",
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("secret", sa.String(length=64), nullable=False),
        sa.Column("last_step", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["agent_id"], ["handover_agents.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("agent_id"),
    )
    op.create_table(
        "handover_client_hits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=20), nullable=False),
        sa.Column("client", sa.String(length=32), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_handover_client_hits_client", "handover_client_hits", ["scope", "client", "at"])
    op.create_index(op.f("ix_handover_client_hits_at"), "handover_client_hits", ["at"])
    op.create_table(
        "handover_conversation_clients",
        sa.Column("conversation_id", sa.String(length=32), nullable=False),
        sa.Column("client", sa.String(length=32), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["conversation_id"], ["handover_conversations.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("conversation_id"),
    )


def downgrade() -> None:
    op.drop_table("handover_conversation_clients")
    op.drop_index(op.f("ix_handover_client_hits_at"), table_name="handover_client_hits")
    op.drop_index("ix_handover_client_hits_client", table_name="handover_client_hits")
    op.drop_table("handover_client_hits")
    op.drop_table("handover_agent_totp")
    op.drop_index(op.f("ix_handover_login_attempts_updated_at"), table_name="handover_login_attempts")
    op.drop_table("handover_login_attempts")
