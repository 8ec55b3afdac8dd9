"""handover: tickets agents answer (history, assignee), defect reports for staff and Open311 (department, e-mail,
coordinates, public comment, status history, photos), default canned responses

Revision ID: handover_0006_tickets
Revises: handover_0002
Create Date: 2026-11-30
"""

from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

revision = "handover_0006_tickets"
down_revision = "handover_0002"
branch_labels = None
# defect_reports is created in the services branch.
depends_on = "services_0001"

# The department of each defect category at the time of this migration (handover/domain/defect_report_categories.py)
# for reports stored before it.
CATEGORY_DEPARTMENTS = {
    "strassenschaden": "tiefbau",
    "beleuchtung": "tiefbau",
    "verkehrszeichen": "tiefbau",
    "muell": "abfall",
    "gruenflaeche": "umwelt",
    "spielplatz": "umwelt",
    "sonstiges": "ordnungsamt",
}

# Default canned responses (issue 13), German and English. Placeholders are filled by the console
# (handover/console/src/data/canned.js): {name} (left out when the citizen is anonymous), {agent}, {department}
# (the team's name, written as „Team …“ so it reads right for every team), {city}, {today}. Text in [brackets] is
# for the agent to fill in before sending.
CANNED = [
    ("Begrüßung", "gruss",
     "Guten Tag {name}, mein Name ist {agent} vom Team „{department}“. Ich habe Ihr bisheriges Gespräch mit dem "
     "digitalen Assistenten gelesen. Wie kann ich Ihnen helfen?"),
    ("Bitte kurz warten", "warten",
     "Einen Moment bitte, ich sehe mir das für Sie an. Ich melde mich in wenigen Minuten wieder."),
    ("Verabschiedung", "ende",
     "Vielen Dank für Ihre Nachricht. Wenn noch etwas offen ist, schreiben Sie uns gern wieder. "
     "Einen schönen Tag noch!"),
    ("Verweis an eine andere Stelle", "verweis",
     "Dafür ist leider nicht das Team „{department}“ zuständig, sondern [Stelle]. Sie erreichen sie unter "
     "[Telefon / E-Mail / Adresse]. Dort hilft man Ihnen gern weiter."),
    ("Datenschutzhinweis", "datenschutz",
     "Bitte schreiben Sie im Chat keine sensiblen Daten wie Steuer-ID, Kontonummern oder Gesundheitsangaben. "
     "Wir verwenden Ihre Angaben nur, um Ihr Anliegen zu bearbeiten. Mehr dazu steht in der "
     "Datenschutzerklärung der Stadt {city}."),
    ("Greeting (English)", "greeting",
     "Hello {name}, my name is {agent} from the team “{department}”. I have read your conversation with the "
     "digital assistant so far. How can I help you?"),
    ("Please wait (English)", "wait",
     "One moment please, I am looking into this for you. I will be back with you in a few minutes."),
    ("Closing (English)", "bye",
     "Thank you for your message. If anything is still unclear, feel free to write to us again. "
     "Have a nice day!"),
    ("Referral (English)", "referral",
     "Unfortunately the team “{department}” is not responsible for this; [office] is. You can reach them at "
     "[phone / e-mail / address]. They will be glad to help you."),
    ("Data protection notice (English)", "privacy",
     "Please do not share sensitive data such as your tax ID, bank details or health information in the chat. "
     "We only use your details to deal with your request. You can find more in the City of {city}'s privacy "
     "policy."),
]


def upgrade() -> None:
    op.create_table(
        "handover_ticket_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("agent_id", sa.Integer(), nullable=True),
        sa.Column("author_name", sa.String(length=120), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=True),
        sa.Column("recipient", sa.String(length=200), nullable=True),
        sa.Column("mail_status", sa.String(length=20), nullable=True),
        sa.Column("mail_error", sa.String(length=300), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["ticket_id"], ["handover_tickets.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["agent_id"], ["handover_agents.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_handover_ticket_entries_ticket_id", "handover_ticket_entries", ["ticket_id"])
    op.create_table(
        "handover_ticket_assignments",
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["ticket_id"], ["handover_tickets.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["agent_id"], ["handover_agents.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("ticket_id"),
    )
    op.create_index("ix_handover_ticket_assignments_agent_id", "handover_ticket_assignments", ["agent_id"])

    for column in (
        sa.Column("department", sa.String(length=64), nullable=True),
        sa.Column("email", sa.String(length=200), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("public_comment", sa.Text(), nullable=True),
        sa.Column("media_url", sa.String(length=500), nullable=True),
        sa.Column("source", sa.String(length=20), nullable=False, server_default="chat"),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
    ):
        op.add_column("defect_reports", column)
    op.create_index("ix_defect_reports_department", "defect_reports", ["department"])
    op.create_index("ix_defect_reports_status", "defect_reports", ["status"])
    reports = sa.table("defect_reports", sa.column("category", sa.String), sa.column("department", sa.String),
                       sa.column("updated_at", sa.DateTime), sa.column("created_at", sa.DateTime))
    for category, department in CATEGORY_DEPARTMENTS.items():
        op.execute(reports.update().where(reports.c.category == category).values(department=department))
    op.execute(reports.update().values(updated_at=reports.c.created_at))

    op.create_table(
        "defect_report_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("public_comment", sa.Text(), nullable=True),
        sa.Column("agent_id", sa.Integer(), nullable=True),
        sa.Column("author_name", sa.String(length=120), nullable=True),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("mail_status", sa.String(length=20), nullable=True),
        sa.Column("mail_error", sa.String(length=300), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["report_id"], ["defect_reports.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["agent_id"], ["handover_agents.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_defect_report_events_report_id", "defect_report_events", ["report_id"])
    op.create_table(
        "photo_uploads",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("conversation_id", sa.String(length=32), nullable=True),
        sa.Column("report_id", sa.Integer(), nullable=True),
        sa.Column("file_name", sa.String(length=80), nullable=False),
        sa.Column("content_type", sa.String(length=40), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["conversation_id"], ["handover_conversations.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["report_id"], ["defect_reports.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_photo_uploads_conversation_id", "photo_uploads", ["conversation_id"])
    op.create_index("ix_photo_uploads_report_id", "photo_uploads", ["report_id"])

    canned = sa.table("handover_canned_responses", sa.column("title", sa.String), sa.column("text", sa.Text),
                      sa.column("department", sa.String), sa.column("shortcut", sa.String),
                      sa.column("updated_at", sa.DateTime))
    now = datetime.now(timezone.utc)
    op.bulk_insert(canned, [{"title": title, "text": text, "department": None, "shortcut": shortcut,
                             "updated_at": now} for title, shortcut, text in CANNED])


def downgrade() -> None:
    canned = sa.table("handover_canned_responses", sa.column("title", sa.String))
    op.execute(canned.delete().where(canned.c.title.in_([title for title, _shortcut, _text in CANNED])))
    op.drop_index("ix_photo_uploads_report_id", table_name="photo_uploads")
    op.drop_index("ix_photo_uploads_conversation_id", table_name="photo_uploads")
    op.drop_table("photo_uploads")
    op.drop_index("ix_defect_report_events_report_id", table_name="defect_report_events")
    op.drop_table("defect_report_events")
    op.drop_index("ix_defect_reports_status", table_name="defect_reports")
    op.drop_index("ix_defect_reports_department", table_name="defect_reports")
    with op.batch_alter_table("defect_reports") as batch:
        for name in ("updated_at", "source", "media_url", "public_comment", "longitude", "latitude", "name", "email",
                     "department"):
            batch.drop_column(name)
    op.drop_index("ix_handover_ticket_assignments_agent_id", table_name="handover_ticket_assignments")
    op.drop_table("handover_ticket_assignments")
    op.drop_index("ix_handover_ticket_entries_ticket_id", table_name="handover_ticket_entries")
    op.drop_table("handover_ticket_entries")
