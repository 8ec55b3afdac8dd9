"""Volume: how many conversations, when (by day, by hour of the week: for staffing), and about what (life event,
department, language, page)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from handover.domain.insights.filters import MIN_GROUP, Filters, fold_tail, merge_small
from handover.domain.insights.tables import Column, Table
from handover.domain.models.analytics import ConversationFacts as C

WEEKDAYS = ("Mo", "Di", "Mi", "Do", "Fr", "Sa", "So")
TOP_PAGES = 15

COUNTED = (
    "Gezählt werden Gespräche, die im Zeitraum begonnen haben und in denen etwas geschah: eine Frage an den Bot, "
    "der Wunsch nach einem Menschen oder eine Störung des Assistenten (ein nur geöffnetes Chatfenster zählt nicht)."
)


def days_table(session: Session, filters: Filters) -> Table:
    per_day = dict(session.execute(
        select(C.local_day, func.count()).where(*filters.conversations()).group_by(C.local_day)
    ).all())
    return Table(
        "volume_days", "Gespräche pro Tag",
        [Column("day", "Tag", "day"), Column("conversations", "Gespräche", "count")],
        [{"day": day, "conversations": per_day.get(day, 0)} for day in filters.days],
        definition=COUNTED, chart="columns", x="day", y=["conversations"],
        note=f"{sum(per_day.values())} Gespräche im Zeitraum.",
    )


def report(session: Session, filters: Filters) -> list[Table]:
    where = filters.conversations()
    days = days_table(session, filters)
    total = sum(row["conversations"] for row in days.rows)
    cells = {
        (weekday, hour): count
        for weekday, hour, count in session.execute(
            select(C.local_weekday, C.local_hour, func.count()).where(*where)
            .group_by(C.local_weekday, C.local_hour)
        )
    }
    hours = Table(
        "volume_hours", "Gespräche nach Wochentag und Uhrzeit",
        [Column("weekday", "Wochentag")] + [Column(f"h{hour:02d}", f"{hour:02d} Uhr", "count") for hour in range(24)],
        [{"weekday": WEEKDAYS[d], **{f"h{h:02d}": cells.get((d, h), 0) for h in range(24)}} for d in range(7)],
        definition="Beginn des Gesprächs in Ortszeit, summiert über alle Wochen des Zeitraums: zeigt, wann "
        "Personal gebraucht wird.",
        chart="heatmap", x="weekday", y=[f"h{h:02d}" for h in range(24)],
    )
    return [days, hours] + [
        _by(session, where, total, column, table_id, title, label)
        for column, table_id, title, label in (
            (C.lebenslage, "volume_lebenslage", "Gespräche nach Lebenslage", "Lebenslage"),
            (C.department, "volume_department", "Gespräche nach Fachbereich", "Fachbereich"),
            (C.language, "volume_language", "Gespräche nach Sprache", "Sprache"),
            (C.page, "volume_page", "Gespräche nach Seite", "Seite"),
        )
    ]


def _by(session: Session, where: list, total: int, column, table_id: str, title: str, label: str) -> Table:
    counts = session.execute(
        select(column, func.count().label("n")).where(*where).group_by(column).order_by(func.count().desc())
    ).all()
    rows = _merge_unknown([{"key": key or "", "group": key or "", "conversations": n} for key, n in counts])
    rows = merge_small(rows, "conversations", "group")
    if table_id == "volume_page":
        rows = fold_tail(rows, TOP_PAGES, "conversations", "group")
    for row in rows:
        row["share"] = round(row["conversations"] / total, 4) if total and row["conversations"] is not None else None
    return Table(
        table_id, title,
        [Column("group", label), Column("conversations", "Gespräche", "count"), Column("share", "Anteil", "percent")],
        rows,
        definition=f"Lebenslage und Fachbereich: die der ersten Antwort des Bots bzw. der Übergabe; "
        f"„ohne Angabe“, wenn der Bot kein Thema erkannt hat. Gruppen unter {MIN_GROUP} Gesprächen sind "
        f"zusammengefasst." if table_id in ("volume_lebenslage", "volume_department")
        else f"Gruppen unter {MIN_GROUP} Gesprächen sind zusammengefasst.",
        chart="bars", x="group", y=["conversations"],
    )


def _merge_unknown(rows: list[dict]) -> list[dict]:
    """Rows without a value (and the long tail) become one row with an empty key ("ohne Angabe")."""
    unknown = [row for row in rows if not row["key"]]
    if len(unknown) <= 1:
        return rows
    merged = {"key": "", "group": "", "conversations": sum(row["conversations"] for row in unknown)}
    return [row for row in rows if row["key"]] + [merged]
