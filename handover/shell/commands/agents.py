"""`buergerbot agents …`: accounts for the agent console."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import select

app = typer.Typer(help="Konten für Mitarbeitende der Agentenkonsole verwalten.", no_args_is_help=True)
console = Console()


def _database():
    from handover.domain.office_hours import OfficeHours
    from handover.domain.routing import Routing
    from handover.shell.database import Database, make_engine, make_sessionmaker, upgrade_database
    from handover.shell.settings import get_settings

    settings = get_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade_database(settings.resolved_database_url)
    db = Database(make_sessionmaker(make_engine(settings.resolved_database_url)))
    routing = Routing(OfficeHours.from_file(settings.departments_file), settings.presence_timeout_seconds,
                      settings.default_handle_seconds)
    db.run_sync(routing.seed_departments)
    return db


@app.command()
def add(
    username: Annotated[str, typer.Argument(help="Anmeldename, z. B. 'mmeier'.")],
    display_name: Annotated[
        str | None, typer.Argument(help="Name, den Bürgerinnen und Bürger sehen, z. B. 'Maria Meier'.")
    ] = None,
    display_name_option: Annotated[
        str | None, typer.Option("--display-name", help="Alternative zum zweiten Argument.", show_default=False)
    ] = None,
    role: Annotated[str, typer.Option(help="agent, supervisor, admin oder editor (nur Wissens-Auswertungen).")] = "agent",
    departments: Annotated[
        str, typer.Option(help="Fachbereiche, kommagetrennt (Schlüssel aus handover/config/departments.yml).")
    ] = "servicecenter",
    skills: Annotated[str, typer.Option(help="Fähigkeiten, kommagetrennt, z. B. 'de,en'.")] = "de",
    capacity: Annotated[int, typer.Option(help="Höchstzahl gleichzeitiger Chats.", min=1, max=20)] = 3,
    password: Annotated[
        str | None, typer.Option(help="Passwort (sonst wird es sicher abgefragt).", show_default=False)
    ] = None,
) -> None:
    """Ein Konto anlegen (Passwort wird mit Argon2 gespeichert)."""
    from handover.domain.agent_accounts import create_agent

    display_name = display_name or display_name_option or username
    if password is None:
        password = typer.prompt("Passwort", hide_input=True, confirmation_prompt=True)
    db = _database()
    try:
        agent = db.run_sync(
            lambda s: create_agent(
                s,
                username=username,
                display_name=display_name,
                role=role,
                departments=[d.strip() for d in departments.split(",") if d.strip()],
                password=password,
                skills=[k.strip() for k in skills.split(",") if k.strip()],
                capacity=capacity,
            ).id
        )
    except ValueError as error:
        console.print(f"[red]Fehler:[/red] {error}")
        raise typer.Exit(1) from None
    console.print(f"Konto [bold]{username}[/bold] ({role}) angelegt, Nummer {agent}.")


@app.command("list")
def list_agents() -> None:
    """Alle Konten mit Rolle, Fachbereichen und Kapazität anzeigen."""
    from handover.domain.models.conversations import Agent

    db = _database()
    rows = db.run_sync(
        lambda s: [
            (a.id, a.username, a.display_name, a.role, ", ".join(d.key for d in a.departments), a.capacity, a.active)
            for a in s.scalars(select(Agent).order_by(Agent.username))
        ]
    )
    table = Table("Nr.", "Anmeldename", "Name", "Rolle", "Fachbereiche", "Kapazität", "aktiv")
    for row in rows:
        table.add_row(*(str(v) if not isinstance(v, bool) else ("ja" if v else "nein") for v in row))
    console.print(table)
