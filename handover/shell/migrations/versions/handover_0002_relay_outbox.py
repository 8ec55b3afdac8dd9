"""handover: outbox of the bot relay (pending citizen turns survive a crash after the ack)

Revision ID: handover_0002
Revises: handover_0001
Create Date: 2026-11-30
"""

from alembic import op
import sqlalchemy as sa

revision = "handover_0002"
down_revision = "handover_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "handover_relay_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(length=32), nullable=False),
        sa.Column("message_seq", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("language", sa.String(length=5), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("owner", sa.String(length=40), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["conversation_id"], ["handover_conversations.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("conversation_id", "message_seq", name="uq_handover_relay_outbox_seq"),
    )
    op.create_index("ix_handover_relay_outbox_pending", "handover_relay_outbox", ["conversation_id", "status"])
    op.create_index(op.f("ix_handover_relay_outbox_status"), "handover_relay_outbox", ["status"])


def downgrade() -> None:
    op.drop_index(op.f("ix_handover_relay_outbox_status"), table_name="handover_relay_outbox")
    op.drop_index("ix_handover_relay_outbox_pending", table_name="handover_relay_outbox")
    op.drop_table("handover_relay_outbox")
