"""`buergerbot conversations …`: operations on stored chats (data retention)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

app = typer.Typer(help="Gespräche und Tickets verwalten (Aufbewahrung).", no_args_is_help=True)
console = Console()


@app.command()
def purge(
    days: Annotated[
        int | None, typer.Option(help="Aufbewahrungsdauer in Tagen (Standard: BUERGERBOT_RETENTION_DAYS).")
    ] = None,
) -> None:
    """Gespräche (mit Nachrichten, Notizen, Bewertungen) und erledigte Tickets nach Ablauf der Frist löschen;
    aus abgeschlossenen Meldungen die Kontaktdaten und Fotos, nie zugeordnete Fotos nach einem Tag."""
    from handover.domain.conversations.retention import purge as purge_conversations
    from handover.shell.commands.agents import _database
    from handover.shell.settings import get_settings

    from handover.domain import defect_reports
    from handover.domain.defect_report_photos import PhotoStore

    settings = get_settings()
    retention = days if days is not None else settings.retention_days
    counts = _database().run_sync(lambda s: purge_conversations(s, retention))
    console.print(
        f"Gelöscht: {counts['conversations']} Gespräche, {counts['tickets']} Tickets (älter als {retention} Tage)."
    )
    photos = PhotoStore(settings.resolved_uploads_dir, settings.upload_max_bytes, settings.photo_max_edge)
    reports = _database().run_sync(lambda s: defect_reports.purge(s, photos, retention))
    console.print(
        f"Meldungen: Kontaktdaten aus {reports['reports']} abgeschlossenen Meldungen entfernt, "
        f"{reports['photos']} Fotos gelöscht."
    )
