"""The reports there are, who may see them, and how each is built: the one place the console API and the
`buergerbot insights` command look reports up. Supervisors (and admins) see everything; editors see only the
knowledge insights (articles and gaps); agents see none."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import tzinfo
from typing import Callable

from sqlalchemy.orm import Session

from handover.domain.insights import articles, outcomes, people, satisfaction, volume
from handover.domain.insights.filters import Filters
from handover.domain.insights.tables import Table

SUPERVISOR_REPORTS = ("overview", "volume", "outcomes", "people", "satisfaction", "articles", "gaps")
EDITOR_REPORTS = ("articles", "gaps")
ACCESS = {"supervisor": SUPERVISOR_REPORTS, "admin": SUPERVISOR_REPORTS, "editor": EDITOR_REPORTS}
TITLES = {
    "overview": "Überblick",
    "volume": "Anfragen",
    "outcomes": "Bot-Ergebnisse",
    "people": "Team",
    "satisfaction": "Zufriedenheit",
    "articles": "Artikel",
    "gaps": "Wissenslücken",
}


def allowed(role: str) -> tuple[str, ...]:
    return ACCESS.get(role, ())


@dataclass(frozen=True)
class Sources:
    """What the reports need besides the database: the city's time zone and names, and the knowledge articles."""

    tz: tzinfo
    department_names: dict[str, str]
    articles: Callable[[], list]
    stale_months: int = 12


def build(report: str, session: Session, filters: Filters, sources: Sources) -> list[Table]:
    """The tables of one report (not `gaps`, which needs the embedding model: handover/domain/insights/gaps.py)."""
    if report == "overview":  # three queries: the page everyone opens first stays fast
        summary, distribution, _ = outcomes.summary_tables(session, filters)
        return [volume.days_table(session, filters), summary, distribution]
    if report == "volume":
        return volume.report(session, filters)
    if report == "outcomes":
        return outcomes.report(session, filters)
    if report == "people":
        return people.report(session, filters, tz=sources.tz, department_names=sources.department_names)
    if report == "satisfaction":
        titles = {a.id: a.title for a in sources.articles()}
        return satisfaction.report(session, filters, article_titles=titles)
    if report == "articles":
        items = sources.articles()
        feedback = satisfaction.article_feedback(session, filters, {a.id: a.title for a in items})
        return [feedback] + articles.report(session, filters, articles=items, stale_months=sources.stale_months,
                                            today=filters.as_of.astimezone(sources.tz).date())
    raise KeyError(report)
