"""Satisfaction: the CSAT rating citizens give after the end (distribution, trend, comments) and their verdict on
the bot's answers ("Hat Ihnen das geholfen?") per article."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from handover.domain.insights.filters import MIN_GROUP, Filters, merge_small, rate
from handover.domain.insights.tables import Column, Table
from handover.domain.models.analytics import ConversationFacts as C
from handover.domain.models.analytics import QuestionFacts as Q

MAX_COMMENTS = 20


def report(session: Session, filters: Filters, *, article_titles: dict[str, str]) -> list[Table]:
    where = filters.conversations()
    rated = [*where, C.csat_rating.is_not(None)]
    counts = dict(session.execute(select(C.csat_rating, func.count()).where(*rated).group_by(C.csat_rating)).all())
    total = sum(counts.values())
    closed = session.scalar(select(func.count()).select_from(C).where(*where, C.closed_at.is_not(None))) or 0
    average = session.scalar(select(func.avg(C.csat_rating)).where(*rated))
    satisfied = counts.get(4, 0) + counts.get(5, 0)
    summary = Table(
        "csat_summary", "Zufriedenheit (CSAT)",
        [Column("metric", "Kennzahl"), Column("numerator", "Anzahl", "count"),
         Column("denominator", "von (Nenner)", "count"), Column("value", "Wert", "number"),
         Column("rate", "Quote", "percent")],
        [
            {"key": "response_rate", "metric": "Bewertet", "numerator": total, "denominator": closed, "value": None,
             "rate": rate(total, closed)},
            {"key": "satisfied", "metric": "Zufrieden (4 oder 5 Sterne)", "numerator": satisfied,
             "denominator": total, "value": None, "rate": rate(satisfied, total)},
            {"key": "average", "metric": "Durchschnitt (1–5)", "numerator": None, "denominator": total,
             "value": round(float(average), 2) if average is not None and total >= MIN_GROUP else None,
             "rate": None},
        ],
        definition="Die Bewertung wird nach dem Ende eines Gesprächs erfragt. Bewertet: bewertete / beendete "
        "(geschlossene) Gespräche. Zufrieden: 4 oder 5 Sterne / bewertete Gespräche. Gespräche zählen nach ihrem "
        f"Beginn im Zeitraum; Werte auf weniger als {MIN_GROUP} Bewertungen werden nicht gezeigt.",
    )
    distribution = Table(
        "csat_distribution", "Verteilung der Bewertungen",
        [Column("rating", "Sterne"), Column("conversations", "Gespräche", "count"),
         Column("share", "Anteil", "percent")],
        [{"key": str(stars), "rating": f"{stars} ★", "conversations": counts.get(stars, 0),
          "share": rate(counts.get(stars, 0), total)} for stars in range(1, 6)],
        definition="Anzahl der Bewertungen je Sternzahl / alle Bewertungen.",
        chart="bars", x="rating", y=["conversations"],
    )
    return [summary, distribution, _trend(session, filters, rated), _comments(session, rated, total),
            article_feedback(session, filters, article_titles)]


def _week(day: str) -> str:
    value = date.fromisoformat(day)
    return (value - timedelta(days=value.weekday())).isoformat()


def _trend(session: Session, filters: Filters, rated: list) -> Table:
    """By day for ranges up to five weeks, by week (starting Monday) beyond."""
    weekly = len(filters.days) > 35
    buckets: dict[str, list[int]] = {}
    for day, n, total in session.execute(
        select(C.local_day, func.count(), func.sum(C.csat_rating)).where(*rated).group_by(C.local_day)
    ):
        bucket = buckets.setdefault(_week(day) if weekly else day, [0, 0])
        bucket[0] += n
        bucket[1] += int(total or 0)
    keys = sorted({_week(day) for day in filters.days}) if weekly else filters.days
    rows = []
    for key in keys:
        n, total = buckets.get(key, [0, 0])
        rows.append({"period": key, "ratings": n, "average": round(total / n, 2) if n >= MIN_GROUP else None})
    return Table(
        "csat_trend", "Zufriedenheit im Verlauf",
        [Column("period", "Woche ab" if weekly else "Tag", "day"), Column("ratings", "Bewertungen", "count"),
         Column("average", "Durchschnitt (1–5)", "number")],
        rows,
        definition=f"Durchschnitt der Sterne je {'Woche' if weekly else 'Tag'} des Gesprächsbeginns; erst ab "
        f"{MIN_GROUP} Bewertungen.",
        chart="line", x="period", y=["average"],
    )


def _comments(session: Session, rated: list, total: int) -> Table:
    rows = []
    if total >= MIN_GROUP:
        for day, rating, comment in session.execute(
            select(C.local_day, C.csat_rating, C.csat_comment)
            .where(*rated, C.csat_comment.is_not(None), C.csat_comment != "")
            .order_by(C.csat_at.desc()).limit(MAX_COMMENTS)
        ):
            rows.append({"day": day, "rating": rating, "comment": comment})
    return Table(
        "csat_comments", "Kommentare zur Bewertung",
        [Column("day", "Tag", "day"), Column("rating", "Sterne", "count"), Column("comment", "Kommentar")],
        rows,
        definition=f"Die neuesten {MAX_COMMENTS} Kommentare, personenbezogene Angaben geschwärzt. Erst ab "
        f"{MIN_GROUP} Bewertungen in der Auswahl.",
        note=None if total >= MIN_GROUP else f"Weniger als {MIN_GROUP} Bewertungen in der Auswahl.",
    )


def article_feedback(session: Session, filters: Filters, titles: dict[str, str]) -> Table:
    answered = func.count(func.distinct(Q.conversation_id))
    rows = []
    for article_id, hits, rated, helpful in session.execute(
        select(
            Q.article_id, answered,
            func.sum(case((Q.helpful.is_not(None), 1), else_=0)),
            func.sum(case((Q.helpful.is_(True), 1), else_=0)),
        ).where(*filters.questions(), Q.decision == "answer", Q.article_id.is_not(None))
        .group_by(Q.article_id).order_by(answered.desc())
    ):
        rated, helpful = int(rated or 0), int(helpful or 0)
        rows.append({"key": article_id, "article": titles.get(article_id, article_id), "article_id": article_id,
                     "conversations": hits, "rated": rated, "helpful": helpful, "not_helpful": rated - helpful,
                     "helpful_rate": rate(helpful, rated)})
    return Table(
        "article_feedback", "Bewertung der Antworten je Artikel",
        [Column("article", "Artikel"), Column("conversations", "Gespräche mit Antwort", "count"),
         Column("rated", "Bewertet", "count"), Column("helpful", "Hat geholfen", "count"),
         Column("not_helpful", "Hat nicht geholfen", "count"), Column("helpful_rate", "Quote hilfreich", "percent")],
        merge_small(rows, "conversations", "article", sum_keys=("rated", "helpful", "not_helpful")),
        definition="Gespräche, in denen der Bot mit dem Artikel geantwortet hat; „Hat Ihnen das geholfen?“ Ja/Nein "
        "je Antwort. Quote hilfreich: Ja / bewertete Antworten, erst ab 5 Bewertungen. Artikel mit weniger als "
        f"{MIN_GROUP} Gesprächen sind zusammengefasst.",
        chart="bars", x="article", y=["helpful", "not_helpful"],
    )
