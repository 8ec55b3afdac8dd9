"""handover: access audit log (who read which conversation's transcript, when and how; issue 11)

Revision ID: handover_0004_access_audit
Revises: handover_0002
Create Date: 2026-12-01
"""

from alembic import op
import sqlalchemy as sa

revision = "handover_0004_access_audit"
down_revision = "handover_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "handover_access_audit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=True),
        sa.Column("agent_username", sa.String(length=80), nullable=False),
        sa.Column("agent_display_name", sa.String(length=120), nullable=False),
        sa.Column("agent_role", sa.String(length=20), nullable=False),
        sa.Column("conversation_id", sa.String(length=32), nullable=True),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_handover_access_audit_created_at", "handover_access_audit", ["created_at"])
    op.create_index("ix_handover_access_audit_conversation", "handover_access_audit",
                    ["conversation_id", "created_at"])
    op.create_index("ix_handover_access_audit_agent", "handover_access_audit", ["agent_id", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_handover_access_audit_agent", table_name="handover_access_audit")
    op.drop_index("ix_handover_access_audit_conversation", table_name="handover_access_audit")
    op.drop_index("ix_handover_access_audit_created_at", table_name="handover_access_audit")
    op.drop_table("handover_access_audit")
