"""`buergerbot totp …`: the optional second factor (TOTP) of console accounts — meant for supervisors and admins,
who see every conversation. Once set up, the console's login asks for the six-digit code of the agent's
authenticator app (any RFC 6238 app: FreeOTP, Aegis, Google or Microsoft Authenticator …)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from sqlalchemy import select

from handover.shell.commands.agents import _database

app = typer.Typer(help="Anmeldung in zwei Schritten (TOTP) für Konten der Agentenkonsole.", no_args_is_help=True)
console = Console()


def _agent(session, username: str):
    from handover.domain.models.conversations import Agent

    agent = session.scalar(select(Agent).where(Agent.username == username))
    if agent is None:
        raise ValueError(f"Konto '{username}' gibt es nicht")
    return agent


@app.command()
def enable(
    username: Annotated[str, typer.Argument(help="Anmeldename des Kontos.")],
    code: Annotated[str | None, typer.Option(help="Aktueller Code aus der App (sonst wird er abgefragt).",
                                             show_default=False)] = None,
    secret: Annotated[str | None, typer.Option(
        help="Schlüssel aus einem früheren Aufruf (Base32), statt eines neuen; für die Einrichtung ohne Rückfrage.",
        show_default=False)] = None,
) -> None:
    """Zweiten Faktor einrichten: zeigt den Schlüssel für die Authenticator-App und prüft einen ersten Code."""
    from handover.domain.agent_accounts import new_totp_secret, totp_code_matches, totp_uri
    from handover.domain.models.second_factor import AgentTotp
    from handover.shell.settings import get_settings

    db = _database()
    try:
        agent_id, role = db.run_sync(lambda s: (lambda a: (a.id, a.role))(_agent(s, username)))
    except ValueError as error:
        console.print(f"[red]Fehler:[/red] {error}")
        raise typer.Exit(1) from None
    secret = (secret or new_totp_secret()).replace(" ", "").upper()
    try:
        totp_code_matches(secret, "000000")  # the secret itself is valid Base32 of at least 112 bits
    except ValueError as error:
        console.print(f"[red]Fehler:[/red] Der Schlüssel ist unbrauchbar ({error}).")
        raise typer.Exit(1) from None
    if code is None:
        grouped = " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))
        console.print(f"Schlüssel für die Authenticator-App ({username}, Rolle {role}):\n  [bold]{grouped}[/bold]")
        console.print("Oder als Link (z. B. mit 'qrencode -t ansiutf8' als QR-Code anzeigen):\n  "
                      + totp_uri(secret, username, f"Bürgerbot {get_settings().city_name}"), soft_wrap=True)
        code = typer.prompt("Aktueller sechsstelliger Code aus der App")
    if not totp_code_matches(secret, code):
        console.print("[red]Fehler:[/red] Der Code passt nicht zum Schlüssel. Nichts wurde geändert; bitte erneut "
                      "versuchen (Uhrzeit des Telefons prüfen).")
        raise typer.Exit(1)

    def store(session):
        row = session.get(AgentTotp, agent_id)
        if row is None:
            session.add(AgentTotp(agent_id=agent_id, secret=secret, last_step=None))
        else:
            row.secret, row.last_step = secret, None

    db.run_sync(store)
    console.print(f"Zweiter Faktor für [bold]{username}[/bold] eingerichtet: die Anmeldung fragt ab jetzt nach "
                  "dem Code.")


@app.command()
def disable(username: Annotated[str, typer.Argument(help="Anmeldename des Kontos.")]) -> None:
    """Zweiten Faktor entfernen (z. B. wenn das Telefon verloren ging)."""
    from handover.domain.models.second_factor import AgentTotp

    db = _database()

    def remove(session) -> bool:
        row = session.get(AgentTotp, _agent(session, username).id)
        if row is not None:
            session.delete(row)
        return row is not None

    try:
        removed = db.run_sync(remove)
    except ValueError as error:
        console.print(f"[red]Fehler:[/red] {error}")
        raise typer.Exit(1) from None
    console.print(f"Zweiter Faktor für [bold]{username}[/bold] entfernt." if removed
                  else f"Für [bold]{username}[/bold] war kein zweiter Faktor eingerichtet.")


@app.command("list")
def list_enrolled() -> None:
    """Welche Konten einen zweiten Faktor haben."""
    from handover.domain.models.conversations import Agent
    from handover.domain.models.second_factor import AgentTotp

    db = _database()
    rows = db.run_sync(lambda s: [(a.username, a.role, s.get(AgentTotp, a.id) is not None)
                                  for a in s.scalars(select(Agent).order_by(Agent.username))])
    for username, role, enrolled in rows:
        console.print(f"{username:<24} {role:<11} {'eingerichtet' if enrolled else '-'}")
