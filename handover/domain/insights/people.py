"""People: how long citizens wait for a person and how many give up waiting, first response and handling time
per department and agent, and the callback tickets (opened, answered, their age).

Percentiles are nearest-rank (the value below which p % of the conversations lie), computed in SQL with window
functions, which SQLite (3.25+) and PostgreSQL both have; no percentile_cont, which SQLite lacks."""

from __future__ import annotations

from datetime import datetime, timezone, tzinfo

from sqlalchemy import and_, case, func, literal, select
from sqlalchemy.orm import Session

from handover.domain.insights.filters import MIN_GROUP, OTHER, Filters, merge_small, rate
from handover.domain.insights.tables import Column, Table
from handover.domain.models.analytics import ConversationFacts as C
from handover.domain.models.conversations import Agent, Ticket
from handover.domain.models.tickets import TicketEntry

ALL = "__all__"


def percentiles(session: Session, value, group, where: list) -> dict:
    """{group: (n, p50, p90)} of `value` over the rows matching `where` (None values left out); group None
    gives one row for all under the key ALL."""
    partition = group if group is not None else None
    ordered = select(
        (group if group is not None else literal(ALL)).label("g"),
        value.label("v"),
        func.row_number().over(partition_by=partition, order_by=value).label("rn"),
        func.count().over(partition_by=partition).label("n"),
    ).where(*where, value.is_not(None)).subquery()
    # nearest rank: ceil(p * n) with integer arithmetic (// is floor division on both databases)
    rows = session.execute(
        select(
            ordered.c.g,
            func.max(ordered.c.n),
            func.max(case((ordered.c.rn == (ordered.c.n + 1) // 2, ordered.c.v))),
            func.max(case((ordered.c.rn == (ordered.c.n * 9 + 9) // 10, ordered.c.v))),
        ).group_by(ordered.c.g)
    ).all()
    return {g: (int(n), p50, p90) for g, n, p50, p90 in rows}


def _figures(stats: dict, key) -> tuple[int, float | None, float | None]:
    n, p50, p90 = stats.get(key, (0, None, None))
    if n < MIN_GROUP:
        return n, None, None
    return n, round(float(p50), 1), round(float(p90), 1)


def report(session: Session, filters: Filters, *, tz: tzinfo, department_names: dict[str, str]) -> list[Table]:
    where = filters.conversations()
    return [
        _departments(session, where, department_names),
        _agents(session, where),
        _tickets(session, filters, tz, department_names),
    ]


def _departments(session: Session, where: list, names: dict[str, str]) -> Table:
    queued = C.queued_at.is_not(None)
    left = and_(queued, C.abandoned.is_(True))
    served = and_(queued, C.wait_seconds.is_not(None))
    counts = session.execute(
        select(
            C.department,
            func.sum(case((queued, 1), else_=0)),
            func.sum(case((served, 1), else_=0)),
            func.sum(case((left, 1), else_=0)),
            func.sum(case((C.assigned_at.is_not(None), 1), else_=0)),
        ).where(*where).group_by(C.department)
    ).all()
    groups = {department: (int(q or 0), int(s or 0), int(a or 0), int(t or 0)) for department, q, s, a, t in counts}
    total = tuple(sum(values[i] for values in groups.values()) for i in range(4))
    wait = {**percentiles(session, C.wait_seconds, C.department, where),
            **percentiles(session, C.wait_seconds, None, where)}
    first = {**percentiles(session, C.first_response_seconds, C.department, where),
             **percentiles(session, C.first_response_seconds, None, where)}
    handling = {**percentiles(session, C.handling_seconds, C.department, where),
                **percentiles(session, C.handling_seconds, None, where)}

    def row(key, label, values):
        queued_n, served_n, abandoned_n, taken_n = values
        _, wait50, wait90 = _figures(wait, key)
        _, first50, first90 = _figures(first, key)
        _, handle50, handle90 = _figures(handling, key)
        return {"key": key or "", "department": label, "queued": queued_n, "taken": taken_n,
                "abandoned": abandoned_n, "abandonment": rate(abandoned_n, served_n + abandoned_n),
                "wait_p50": wait50, "wait_p90": wait90, "first_response_p50": first50,
                "first_response_p90": first90, "handling_p50": handle50, "handling_p90": handle90}

    rows = [row(key, names.get(key or "", key or ""), values)
            for key, values in sorted(groups.items(), key=lambda item: -item[1][3]) if values[0] or values[3]]
    small = [r for r in rows if r["taken"] < MIN_GROUP and r["queued"] < MIN_GROUP]
    rows = [r for r in rows if r not in small]
    if small:  # fewer than five conversations: only the count, in one row
        rows.append({"key": OTHER, "department": OTHER, "queued": sum(r["queued"] for r in small),
                     "taken": sum(r["taken"] for r in small), "abandoned": None, "abandonment": None,
                     "wait_p50": None, "wait_p90": None, "first_response_p50": None, "first_response_p90": None,
                     "handling_p50": None, "handling_p90": None})
    rows.append(row(ALL, "Alle Fachbereiche", total))
    return Table(
        "people_departments", "Wartezeit, Abbrüche und Bearbeitung nach Fachbereich",
        [Column("department", "Fachbereich"), Column("queued", "In Warteschlange", "count"),
         Column("taken", "Übernommen", "count"), Column("abandoned", "Abgebrochen", "count"),
         Column("abandonment", "Abbruchquote", "percent"), Column("wait_p50", "Wartezeit p50", "seconds"),
         Column("wait_p90", "Wartezeit p90", "seconds"), Column("first_response_p50", "Erste Antwort p50", "seconds"),
         Column("first_response_p90", "Erste Antwort p90", "seconds"),
         Column("handling_p50", "Bearbeitung p50", "seconds"), Column("handling_p90", "Bearbeitung p90", "seconds")],
        rows,
        definition="Wartezeit: vom ersten Einreihen bis zur Übernahme, nur Gespräche, die aus der Warteschlange "
        "übernommen wurden. Abbruchquote: vom Bürger beendet, während er auf die erste Übernahme wartete / "
        "(aus der Warteschlange übernommen + abgebrochen); noch Wartende zählen nicht. Erste Antwort: von der "
        "Übernahme bis zur ersten Nachricht der Mitarbeiterin. Bearbeitung: von der Übernahme bis zum Abschluss. "
        f"Fachbereich: der, in dem das Gespräch zuletzt war. p50/p90 erst ab {MIN_GROUP} Werten.",
        chart="bars", x="department", y=["wait_p50", "wait_p90"],
    )


def _agents(session: Session, where: list) -> Table:
    taken = dict(session.execute(
        select(C.agent_id, func.count()).where(*where, C.agent_id.is_not(None)).group_by(C.agent_id)
    ).all())
    names = dict(session.execute(select(Agent.id, Agent.display_name).where(Agent.id.in_(list(taken)))).all()) \
        if taken else {}
    first = percentiles(session, C.first_response_seconds, C.agent_id, where)
    handling = percentiles(session, C.handling_seconds, C.agent_id, where)
    rows = []
    for agent_id, count in sorted(taken.items(), key=lambda item: -item[1]):
        _, first50, first90 = _figures(first, agent_id)
        _, handle50, handle90 = _figures(handling, agent_id)
        rows.append({"key": str(agent_id), "agent": names.get(agent_id, f"Konto #{agent_id}"), "conversations": count,
                     "first_response_p50": first50, "first_response_p90": first90, "handling_p50": handle50,
                     "handling_p90": handle90})
    return Table(
        "people_agents", "Erste Antwort und Bearbeitung nach Mitarbeiterin / Mitarbeiter",
        [Column("agent", "Person"), Column("conversations", "Gespräche", "count"),
         Column("first_response_p50", "Erste Antwort p50", "seconds"),
         Column("first_response_p90", "Erste Antwort p90", "seconds"),
         Column("handling_p50", "Bearbeitung p50", "seconds"), Column("handling_p90", "Bearbeitung p90", "seconds")],
        merge_small(rows, "conversations", "agent"),
        definition="Zugeordnet der Person, die das Gespräch als erste übernommen hat. Personen mit weniger als "
        f"{MIN_GROUP} Gesprächen im Zeitraum sind zusammengefasst, ohne Zeiten.",
        chart="bars", x="agent", y=["first_response_p50"],
    )


def _tickets(session: Session, filters: Filters, tz: tzinfo, names: dict[str, str]) -> Table:
    begin, after = filters.utc_bounds(tz)
    now = filters.as_of
    first_reply = (
        select(TicketEntry.ticket_id, func.min(TicketEntry.created_at).label("at"))
        .where(TicketEntry.kind.in_(("email", "phone"))).group_by(TicketEntry.ticket_id).subquery()
    )
    scope = [Ticket.department == filters.department] if filters.department else []
    opened = session.execute(
        select(Ticket.department, Ticket.created_at, Ticket.status, Ticket.updated_at, first_reply.c.at)
        .outerjoin(first_reply, first_reply.c.ticket_id == Ticket.id)
        .where(*scope, Ticket.created_at >= begin, Ticket.created_at < after)
    ).all()
    still_open = session.execute(
        select(Ticket.department, Ticket.created_at).where(*scope, Ticket.status != "done")
    ).all()
    groups: dict[str, dict] = {}

    def group(key: str | None) -> dict:
        return groups.setdefault(key or "", {"opened": 0, "answered": 0, "answer_hours": [], "open": 0, "ages": []})

    for department, created, status, updated, replied in opened:
        g = group(department)
        g["opened"] += 1
        answered_at = replied or (updated if status == "done" else None)
        if answered_at is not None:
            g["answered"] += 1
            g["answer_hours"].append(max(0.0, (_aware(answered_at) - _aware(created)).total_seconds() / 3600))
    for department, created in still_open:
        g = group(department)
        g["open"] += 1
        g["ages"].append(max(0.0, (now - _aware(created)).total_seconds() / 86400))

    def row(key: str, label: str, g: dict) -> dict:
        enough = g["answered"] >= MIN_GROUP
        return {"key": key, "department": label, "opened": g["opened"], "answered": g["answered"],
                "answer_rate": rate(g["answered"], g["opened"]),
                "answer_hours_p50": _nearest(g["answer_hours"], 0.5) if enough else None,
                "open_now": g["open"], "open_age_p50": _nearest(g["ages"], 0.5) if g["open"] >= MIN_GROUP else None,
                "oldest_open_days": round(max(g["ages"]), 1) if g["ages"] else None}

    rows = [row(key, names.get(key, key), g) for key, g in sorted(groups.items(), key=lambda i: -i[1]["opened"])]
    everything = {"opened": 0, "answered": 0, "answer_hours": [], "open": 0, "ages": []}
    for g in groups.values():
        for key in everything:
            everything[key] += g[key]
    rows.append(row(ALL, "Alle Fachbereiche", everything))
    return Table(
        "people_tickets", "Rückruf-Tickets",
        [Column("department", "Fachbereich"), Column("opened", "Eröffnet", "count"),
         Column("answered", "Beantwortet", "count"), Column("answer_rate", "Antwortquote", "percent"),
         Column("answer_hours_p50", "Antwort nach (Std., p50)", "number"), Column("open_now", "Jetzt offen", "count"),
         Column("open_age_p50", "Alter offener (Tage, p50)", "number"),
         Column("oldest_open_days", "Ältestes offenes (Tage)", "number")],
        rows,
        definition="Eröffnet: im Zeitraum angelegte Tickets. Beantwortet: davon die mit einer Antwort (E-Mail oder "
        "notierter Anruf) oder erledigt; Antwortzeit bis zur ersten Antwort. Jetzt offen: alle nicht erledigten "
        "Tickets, unabhängig vom Zeitraum, mit ihrem Alter. Filter Lebenslage und Sprache gelten für Tickets nicht.",
        chart="bars", x="department", y=["opened", "answered"],
    )


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def _nearest(values: list[float], p: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-int(p * 100) * len(ordered) // 100))
    return round(ordered[rank - 1], 1)
