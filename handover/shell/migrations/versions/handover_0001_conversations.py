"""handover: conversations, events, agents, sessions, canned responses, notes, tickets, CSAT, feedback

Revision ID: handover_0001
Revises:
Create Date: 2026-11-22
"""

from alembic import op
import sqlalchemy as sa

revision = "handover_0001"
down_revision = None
branch_labels = ("handover",)
depends_on = None


def upgrade() -> None:
    op.create_table('handover_agents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=80), nullable=False),
    sa.Column('display_name', sa.String(length=120), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('skills', sa.JSON(), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('presence', sa.String(length=10), nullable=False),
    sa.Column('presence_seen_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('username')
    )
    op.create_table('handover_canned_responses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('department', sa.String(length=64), nullable=True),
    sa.Column('shortcut', sa.String(length=40), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('handover_departments',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('key')
    )
    op.create_table('handover_agent_departments',
    sa.Column('agent_id', sa.Integer(), nullable=False),
    sa.Column('department_key', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['agent_id'], ['handover_agents.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['department_key'], ['handover_departments.key'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('agent_id', 'department_key')
    )
    op.create_table('handover_agent_sessions',
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('agent_id', sa.Integer(), nullable=False),
    sa.Column('csrf_token', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agent_id'], ['handover_agents.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('token_hash')
    )
    op.create_index(op.f('ix_handover_agent_sessions_agent_id'), 'handover_agent_sessions', ['agent_id'], unique=False)
    op.create_table('handover_conversations',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('language', sa.String(length=5), nullable=False),
    sa.Column('page', sa.String(length=500), nullable=True),
    sa.Column('citizen_key', sa.String(length=64), nullable=True),
    sa.Column('department', sa.String(length=64), nullable=True),
    sa.Column('reason', sa.String(length=40), nullable=True),
    sa.Column('summary', sa.Text(), nullable=True),
    sa.Column('lebenslage', sa.String(length=120), nullable=True),
    sa.Column('handover_payload', sa.JSON(), nullable=True),
    sa.Column('assigned_agent_id', sa.Integer(), nullable=True),
    sa.Column('last_seq', sa.Integer(), nullable=False),
    sa.Column('last_message_sender', sa.String(length=10), nullable=True),
    sa.Column('last_message_text', sa.String(length=200), nullable=True),
    sa.Column('last_message_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolution', sa.String(length=20), nullable=True),
    sa.Column('queued_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('assigned_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['assigned_agent_id'], ['handover_agents.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_hash')
    )
    op.create_index(op.f('ix_handover_conversations_assigned_agent_id'), 'handover_conversations', ['assigned_agent_id'], unique=False)
    op.create_index(op.f('ix_handover_conversations_citizen_key'), 'handover_conversations', ['citizen_key'], unique=False)
    op.create_index(op.f('ix_handover_conversations_department'), 'handover_conversations', ['department'], unique=False)
    op.create_index('ix_handover_conversations_queue', 'handover_conversations', ['state', 'department', 'queued_at'], unique=False)
    op.create_index(op.f('ix_handover_conversations_state'), 'handover_conversations', ['state'], unique=False)
    op.create_index(op.f('ix_handover_conversations_updated_at'), 'handover_conversations', ['updated_at'], unique=False)
    op.create_table('handover_answer_feedback',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('conversation_id', sa.String(length=32), nullable=False),
    sa.Column('message_seq', sa.Integer(), nullable=False),
    sa.Column('helpful', sa.Boolean(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('article_id', sa.String(length=120), nullable=True),
    sa.Column('score', sa.Float(), nullable=True),
    sa.Column('query', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['conversation_id'], ['handover_conversations.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('conversation_id', 'message_seq', name='uq_handover_feedback_seq')
    )
    op.create_index(op.f('ix_handover_answer_feedback_article_id'), 'handover_answer_feedback', ['article_id'], unique=False)
    op.create_index(op.f('ix_handover_answer_feedback_conversation_id'), 'handover_answer_feedback', ['conversation_id'], unique=False)
    op.create_table('handover_csat',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('conversation_id', sa.String(length=32), nullable=False),
    sa.Column('rating', sa.Integer(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('agent_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agent_id'], ['handover_agents.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['conversation_id'], ['handover_conversations.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('conversation_id')
    )
    op.create_table('handover_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('conversation_id', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.String(length=40), nullable=True),
    sa.Column('department', sa.String(length=64), nullable=True),
    sa.Column('agent_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agent_id'], ['handover_agents.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['conversation_id'], ['handover_conversations.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_handover_events_conversation_id'), 'handover_events', ['conversation_id'], unique=False)
    op.create_table('handover_messages',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('conversation_id', sa.String(length=32), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('sender', sa.String(length=10), nullable=True),
    sa.Column('text', sa.Text(), nullable=True),
    sa.Column('client_id', sa.String(length=64), nullable=True),
    sa.Column('buttons', sa.JSON(), nullable=True),
    sa.Column('payload', sa.JSON(), nullable=True),
    sa.Column('agent_id', sa.Integer(), nullable=True),
    sa.Column('agent_display_name', sa.String(length=120), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agent_id'], ['handover_agents.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['conversation_id'], ['handover_conversations.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('conversation_id', 'client_id', name='uq_handover_messages_client_id'),
    sa.UniqueConstraint('conversation_id', 'seq', name='uq_handover_messages_seq')
    )
    op.create_index(op.f('ix_handover_messages_conversation_id'), 'handover_messages', ['conversation_id'], unique=False)
    op.create_table('handover_notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('conversation_id', sa.String(length=32), nullable=False),
    sa.Column('agent_id', sa.Integer(), nullable=True),
    sa.Column('author_name', sa.String(length=120), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agent_id'], ['handover_agents.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['conversation_id'], ['handover_conversations.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_handover_notes_conversation_id'), 'handover_notes', ['conversation_id'], unique=False)
    op.create_table('handover_tickets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=20), nullable=True),
    sa.Column('conversation_id', sa.String(length=32), nullable=True),
    sa.Column('client_id', sa.String(length=64), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('contact', sa.String(length=200), nullable=False),
    sa.Column('concern', sa.Text(), nullable=False),
    sa.Column('department', sa.String(length=64), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('transcript', sa.JSON(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['conversation_id'], ['handover_conversations.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('conversation_id', 'client_id', name='uq_handover_tickets_client_id'),
    sa.UniqueConstraint('reference')
    )
    op.create_index(op.f('ix_handover_tickets_conversation_id'), 'handover_tickets', ['conversation_id'], unique=False)
    op.create_index(op.f('ix_handover_tickets_department'), 'handover_tickets', ['department'], unique=False)
    op.create_index(op.f('ix_handover_tickets_status'), 'handover_tickets', ['status'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_handover_tickets_status'), table_name='handover_tickets')
    op.drop_index(op.f('ix_handover_tickets_department'), table_name='handover_tickets')
    op.drop_index(op.f('ix_handover_tickets_conversation_id'), table_name='handover_tickets')
    op.drop_table('handover_tickets')
    op.drop_index(op.f('ix_handover_notes_conversation_id'), table_name='handover_notes')
    op.drop_table('handover_notes')
    op.drop_index(op.f('ix_handover_messages_conversation_id'), table_name='handover_messages')
    op.drop_table('handover_messages')
    op.drop_index(op.f('ix_handover_events_conversation_id'), table_name='handover_events')
    op.drop_table('handover_events')
    op.drop_table('handover_csat')
    op.drop_index(op.f('ix_handover_answer_feedback_conversation_id'), table_name='handover_answer_feedback')
    op.drop_index(op.f('ix_handover_answer_feedback_article_id'), table_name='handover_answer_feedback')
    op.drop_table('handover_answer_feedback')
    op.drop_index(op.f('ix_handover_conversations_updated_at'), table_name='handover_conversations')
    op.drop_index(op.f('ix_handover_conversations_state'), table_name='handover_conversations')
    op.drop_index('ix_handover_conversations_queue', table_name='handover_conversations')
    op.drop_index(op.f('ix_handover_conversations_department'), table_name='handover_conversations')
    op.drop_index(op.f('ix_handover_conversations_citizen_key'), table_name='handover_conversations')
    op.drop_index(op.f('ix_handover_conversations_assigned_agent_id'), table_name='handover_conversations')
    op.drop_table('handover_conversations')
    op.drop_index(op.f('ix_handover_agent_sessions_agent_id'), table_name='handover_agent_sessions')
    op.drop_table('handover_agent_sessions')
    op.drop_table('handover_agent_departments')
    op.drop_table('handover_departments')
    op.drop_table('handover_canned_responses')
    op.drop_table('handover_agents')
