"""Articles for editors: those the bot answers with often but citizens find unhelpful, those it never answered with
in the range, and those whose Stand (`updated`) is older than the setting (default 12 months)."""

from __future__ import annotations

from datetime import date
from typing import Iterable

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from handover.domain.insights.filters import MIN_GROUP, Filters, rate
from handover.domain.insights.tables import Column, Table
from handover.domain.models.analytics import QuestionFacts as Q

# "Poor feedback": at most this share of the rated answers helped.
POOR_HELPFUL_RATE = 0.5
MAX_ROWS = 50


def _article_columns() -> list[Column]:
    return [Column("article", "Artikel"), Column("article_id", "ID"), Column("path", "Datei"),
            Column("url", "Seite", "link")]


def _article_row(article) -> dict:
    return {"key": article.id, "article": article.title, "article_id": article.id, "path": article.path,
            "url": article.url}


def report(session: Session, filters: Filters, *, articles: Iterable, stale_months: int,
           today: date) -> list[Table]:
    articles = list(articles)
    hits = {
        article_id: (int(conversations), int(rated or 0), int(helpful or 0))
        for article_id, conversations, rated, helpful in session.execute(
            select(
                Q.article_id, func.count(func.distinct(Q.conversation_id)),
                func.sum(case((Q.helpful.is_not(None), 1), else_=0)),
                func.sum(case((Q.helpful.is_(True), 1), else_=0)),
            ).where(*filters.questions(), Q.decision == "answer", Q.article_id.is_not(None)).group_by(Q.article_id)
        )
    }
    by_id = {a.id: a for a in articles}
    poor = []
    for article_id, (conversations, rated, helpful) in hits.items():
        share = rate(helpful, rated)
        if conversations >= MIN_GROUP and share is not None and share <= POOR_HELPFUL_RATE:
            article = by_id.get(article_id)
            row = _article_row(article) if article else {"key": article_id, "article": article_id,
                                                          "article_id": article_id, "path": None, "url": None}
            poor.append({**row, "conversations": conversations, "rated": rated, "not_helpful": rated - helpful,
                         "helpful_rate": share})
    poor.sort(key=lambda r: (-r["not_helpful"], r["helpful_rate"]))
    unused = [_article_row(a) for a in sorted(articles, key=lambda a: a.title) if a.id not in hits]
    cutoff = _months_before(today, stale_months)
    stale = [{**_article_row(a), "updated": a.updated.isoformat(), "age_days": (today - a.updated).days}
             for a in sorted(articles, key=lambda a: a.updated) if a.updated < cutoff]
    return [
        Table(
            "articles_poor_feedback", "Viel genutzt, wenig hilfreich",
            [*_article_columns()[:2], Column("conversations", "Gespräche mit Antwort", "count"),
             Column("rated", "Bewertet", "count"), Column("not_helpful", "Hat nicht geholfen", "count"),
             Column("helpful_rate", "Quote hilfreich", "percent"), *_article_columns()[2:]],
            poor[:MAX_ROWS],
            definition=f"Artikel, mit denen der Bot in mindestens {MIN_GROUP} Gesprächen geantwortet hat und deren "
            f"Antworten höchstens zu {int(POOR_HELPFUL_RATE * 100)} % als hilfreich bewertet wurden (ab "
            f"{MIN_GROUP} Bewertungen).",
        ),
        Table(
            "articles_no_hits", "Artikel ohne Treffer im Zeitraum",
            _article_columns(), unused[:MAX_ROWS * 4],
            definition="Artikel, mit denen der Bot im Zeitraum (und in der Auswahl) nie direkt geantwortet hat: "
            "Fragen fehlen in der Wissensbasis, oder das Thema wird nicht gesucht.",
            note=f"{len(unused)} von {len(articles)} Artikeln.",
        ),
        Table(
            "articles_stale", f"Stand älter als {stale_months} Monate",
            [*_article_columns()[:2], Column("updated", "Stand", "day"), Column("age_days", "Alter (Tage)", "count"),
             *_article_columns()[2:]],
            stale[:MAX_ROWS * 4],
            definition=f"Artikel, deren Feld updated (Stand) vor dem {cutoff.isoformat()} liegt (Einstellung "
            "BUERGERBOT_INSIGHTS_STALE_MONTHS). Unabhängig vom Zeitraum.",
            note=f"{len(stale)} von {len(articles)} Artikeln.",
        ),
    ]


def _months_before(day: date, months: int) -> date:
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month, min(candidate, day.day))
        except ValueError:
            continue
    return date(year, month, 28)
