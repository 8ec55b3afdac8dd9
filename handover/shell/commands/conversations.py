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
    """Gespräche (mit Nachrichten, Notizen, Bewertungen) und erledigte Tickets nach Ablauf der Frist löschen."""
    from handover.domain.conversations.retention import purge as purge_conversations
    from handover.shell.commands.agents import _database
    from handover.shell.settings import get_settings

    retention = days if days is not None else get_settings().retention_days
    counts = _database().run_sync(lambda s: purge_conversations(s, retention))
    console.print(
        f"Gelöscht: {counts['conversations']} Gespräche, {counts['tickets']} Tickets (älter als {retention} Tage)."
    )
