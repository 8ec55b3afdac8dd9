"""The one shape every report returns: tables with typed columns. The console draws each table's chart from
it and shows the table next to the chart (screen readers read the table); the same table is exported as CSV."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

from handover.domain.insights.filters import MIN_GROUP, OTHER

# kind: text | count | percent (a fraction 0..1) | seconds | number | day | link
OTHER_LABEL = f"Weitere (je unter {MIN_GROUP} Gespräche)"


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = "text"


@dataclass
class Table:
    id: str
    title: str
    columns: list[Column]
    rows: list[dict[str, Any]]
    definition: str = ""  # how the figures are counted (docs/insights.md says the same)
    chart: str | None = None  # bars | columns | line | heatmap | stacked | None (table only)
    x: str | None = None  # the column the chart's categories come from
    y: list[str] = field(default_factory=list)  # the columns it draws
    note: str | None = None

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "title": self.title,
            "definition": self.definition,
            "columns": [{"key": c.key, "label": c.label, "kind": c.kind} for c in self.columns],
            "rows": self.rows,
            "chart": self.chart,
            "x": self.x,
            "y": self.y,
            "note": self.note,
        }

    def csv(self) -> str:
        """CSV with the German column labels; fractions as percentages with one decimal, withheld figures as
        "<5". Starts with a BOM so spreadsheet programs read the umlauts."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
        writer.writerow([c.label for c in self.columns])
        for row in self.rows:
            writer.writerow([_csv_value(row.get(c.key), c.kind) for c in self.columns])
        return "\ufeff" + buffer.getvalue()


def _csv_value(value: Any, kind: str) -> str:
    if value is None:
        return "" if kind in ("text", "day", "link") else f"<{MIN_GROUP}"
    if value == OTHER:
        return OTHER_LABEL
    if kind == "percent":
        return f"{value * 100:.1f}".replace(".", ",")
    if kind in ("seconds", "number") and isinstance(value, float):
        return f"{value:.1f}".replace(".", ",")
    text = str(value)
    # A cell starting with = + - @ would be run as a formula by spreadsheet programs (CSV injection).
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
