"""The access audit log: every time a member of staff reads a conversation's transcript — opening it in the
console, claiming or taking it over, having it assigned, seeing it among a citizen's earlier conversations,
the transcript API, its export, a ticket with the transcript attached — one entry says who, when, which
conversation and how. Admins read and export it; `accesses_of` answers a citizen's request under GDPR Art. 15
("who saw my conversation?"). Entries are written in the transaction that reads the transcript, so a read that
fails is not logged and a read that succeeds always is."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from handover.domain.agent_accounts import AgentInfo
from handover.domain.models.access_audit import AccessAuditEntry
from handover.domain.models.conversations import utcnow
from handover.domain.routing import iso

ACTIONS = {
    "open": "im Chat geöffnet",
    "claim": "aus der Warteschlange übernommen",
    "takeover": "proaktiv übernommen",
    "assigned": "zugewiesen bekommen",
    "context": "als früheres Gespräch angezeigt",
    "transcript": "Verlauf über die API gelesen",
    "export": "Verlauf exportiert",
    "ticket": "Ticket mit Verlauf angesehen",
}
CSV_COLUMNS = ("time", "agent_id", "username", "display_name", "role", "conversation_id", "action", "action_text",
               "ticket_id")


def record(session: Session, agent: AgentInfo, conversation_id: str | None, action: str,
           ticket_id: int | None = None) -> None:
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    session.add(AccessAuditEntry(
        created_at=utcnow(), agent_id=agent.id, agent_username=agent.username, agent_display_name=agent.display_name,
        agent_role=agent.role, conversation_id=conversation_id, action=action, ticket_id=ticket_id,
    ))


def entry_dict(entry: AccessAuditEntry) -> dict:
    return {
        "id": entry.id,
        "time": iso(entry.created_at),
        "agent": {"id": entry.agent_id, "username": entry.agent_username, "display_name": entry.agent_display_name,
                  "role": entry.agent_role},
        "conversation_id": entry.conversation_id,
        "action": entry.action,
        "action_text": ACTIONS.get(entry.action, entry.action),
        "ticket_id": entry.ticket_id,
    }


def entries(session: Session, *, conversation_id: str | None = None, agent_id: int | None = None,
            since: datetime | None = None, until: datetime | None = None, before_id: int | None = None,
            limit: int | None = 200) -> list[AccessAuditEntry]:
    """Newest first; `before_id` pages on (the id of the last entry of the previous page)."""
    query = select(AccessAuditEntry).order_by(AccessAuditEntry.id.desc())
    if conversation_id:
        query = query.where(AccessAuditEntry.conversation_id == conversation_id)
    if agent_id is not None:
        query = query.where(AccessAuditEntry.agent_id == agent_id)
    if since is not None:
        query = query.where(AccessAuditEntry.created_at >= since)
    if until is not None:
        query = query.where(AccessAuditEntry.created_at < until)
    if before_id is not None:
        query = query.where(AccessAuditEntry.id < before_id)
    if limit is not None:
        query = query.limit(limit)
    return list(session.scalars(query))


def accesses_of(session: Session, conversation_id: str) -> dict:
    """GDPR Art. 15: who has seen this conversation, how often, first and last time, and every single access."""
    rows = entries(session, conversation_id=conversation_id, limit=None)
    people: dict[tuple, dict] = {}
    for entry in reversed(rows):  # oldest first
        key = (entry.agent_id, entry.agent_username)
        person = people.setdefault(key, {
            "agent": {"id": entry.agent_id, "username": entry.agent_username,
                      "display_name": entry.agent_display_name, "role": entry.agent_role},
            "first_access": iso(entry.created_at), "last_access": None, "count": 0, "actions": [],
        })
        person["last_access"] = iso(entry.created_at)
        person["count"] += 1
        if entry.action not in person["actions"]:
            person["actions"].append(entry.action)
    return {"conversation_id": conversation_id, "people": list(people.values()),
            "entries": [entry_dict(e) for e in rows]}


def to_csv(rows: list[AccessAuditEntry]) -> str:
    """UTF-8 CSV with a header row (a spreadsheet opens it; times in UTC)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for entry in rows:
        writer.writerow([iso(entry.created_at), entry.agent_id, _cell(entry.agent_username),
                         _cell(entry.agent_display_name), entry.agent_role, entry.conversation_id, entry.action,
                         ACTIONS.get(entry.action, entry.action), entry.ticket_id or ""])
    return out.getvalue()


def _cell(value: str | None) -> str:
    """Names are typed by admins; a leading = + - @ would run as a formula in a spreadsheet."""
    value = value or ""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def purge(session: Session, older_than_days: int) -> int:
    """Entries older than the retention period (the same period as the conversations they are about)."""
    cutoff = utcnow() - timedelta(days=older_than_days)
    return session.execute(delete(AccessAuditEntry).where(AccessAuditEntry.created_at < cutoff)).rowcount
