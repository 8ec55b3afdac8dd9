"""Services: defect reports (Mängelmelder) and application cases with demo cases for the status query.

Revision ID: services_0001
Revises:
Create Date: 2026-11-22
"""
from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

revision = "services_0001"
down_revision = None
branch_labels = ("services",)
depends_on = None

# Demo cases of the fictional city; the bot's tests and the README refer to these numbers.
DEMO_CASES = [
    ("MS-2026-000123", "Wohngeld", "in_progress", "Ihr Antrag wird bearbeitet. Alle Unterlagen liegen vor; "
     "der Bescheid wird voraussichtlich in etwa zwei Wochen verschickt.", "sozialamt"),
    ("MS-2026-000124", "Personalausweis", "ready_for_pickup", "Ihr neuer Personalausweis liegt zur Abholung "
     "im Bürgerbüro bereit. Bitte bringen Sie Ihren alten Ausweis mit.", "buergerbuero"),
    ("MS-2026-000125", "Baugenehmigung", "documents_missing", "Für die Prüfung fehlen noch der Lageplan und die "
     "Statik. Bitte reichen Sie die Unterlagen beim Bauamt nach.", "bauamt"),
    ("MS-2026-000126", "Gewerbeanmeldung", "approved", "Ihre Gewerbeanmeldung ist abgeschlossen. Die Bestätigung "
     "wurde Ihnen per Post zugeschickt.", "ordnungsamt"),
    ("MS-2026-000127", "Wohnberechtigungsschein", "received", "Ihr Antrag ist eingegangen und wird in der "
     "Reihenfolge des Eingangs bearbeitet.", "sozialamt"),
]


def upgrade() -> None:
    op.create_table(
        "defect_reports",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("reference", sa.String(20), nullable=True),
        sa.Column("category", sa.String(40), nullable=False),
        sa.Column("location", sa.String(300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("contact", sa.String(200), nullable=True),
        sa.Column("conversation_id", sa.String(120), nullable=True),
        sa.Column("language", sa.String(5), nullable=False),
        sa.Column("status", sa.String(30), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_defect_reports_reference", "defect_reports", ["reference"], unique=True)
    op.create_index("ix_defect_reports_conversation_id", "defect_reports", ["conversation_id"])

    cases = op.create_table(
        "application_cases",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("case_number", sa.String(20), nullable=False),
        sa.Column("service", sa.String(120), nullable=False),
        sa.Column("status", sa.String(30), nullable=False),
        sa.Column("status_text", sa.Text(), nullable=False),
        sa.Column("office", sa.String(60), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_application_cases_case_number", "application_cases", ["case_number"], unique=True)
    seeded_at = datetime(2026, 11, 16, 9, 30, tzinfo=timezone.utc)
    op.bulk_insert(
        cases,
        [
            {"case_number": number, "service": service, "status": status, "status_text": text, "office": office,
             "updated_at": seeded_at}
            for number, service, status, text, office in DEMO_CASES
        ],
    )


def downgrade() -> None:
    op.drop_index("ix_application_cases_case_number", table_name="application_cases")
    op.drop_table("application_cases")
    op.drop_index("ix_defect_reports_conversation_id", table_name="defect_reports")
    op.drop_index("ix_defect_reports_reference", table_name="defect_reports")
    op.drop_table("defect_reports")
