"""`buergerbot`: the one command for operators and content editors."""

from __future__ import annotations

import typer

from handover.shell.commands import agents, conversations, insights, knowledge, second_factor

app = typer.Typer(help="Bürgerbot – Bürgerservice-Assistent: Wissensbasis, Agenten, Betrieb.", no_args_is_help=True)
app.add_typer(knowledge.app, name="knowledge", help="Wissensartikel prüfen, indexieren, durchsuchen, evaluieren.")
app.add_typer(agents.app, name="agents", help="Konten für Mitarbeitende der Agentenkonsole verwalten.")
app.add_typer(conversations.app, name="conversations", help="Gespräche und Tickets verwalten (Aufbewahrung).")
app.add_typer(second_factor.app, name="totp", help="Anmeldung in zwei Schritten (TOTP) für Konsolenkonten.")
app.add_typer(insights.app, name="insights", help="Auswertungen: Wissenslücken für die Redaktion, Beispieldaten.")


if __name__ == "__main__":
    app()
