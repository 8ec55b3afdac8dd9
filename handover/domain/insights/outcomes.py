"""Bot outcomes: what became of the conversations in which a citizen asked the bot something. Every rate names
its numerator and its denominator, and a denominator holds only conversations that could have produced the
numerator (Chatwoot's bot metrics once divided by conversations the bot never saw, and by open ones). The
definitions are the same in docs/insights.md."""

from __future__ import annotations

from sqlalchemy import and_, case, func, not_, or_, select
from sqlalchemy.orm import Session

from handover.domain.insights.filters import MIN_GROUP, Filters, merge_small, rate
from handover.domain.insights.tables import Column, Table
from handover.domain.models.analytics import ConversationFacts as C
from handover.domain.models.analytics import QuestionFacts as Q

OUTCOMES = {
    "resolved": "Beantwortet, ohne Menschen gelöst",
    "answered_not_helpful": "Beantwortet, half nicht (ohne Übergabe)",
    "answered_then_handover": "Beantwortet, dann an einen Menschen übergeben",
    "no_answer_handover": "Keine Antwort, an einen Menschen übergeben",
    "no_answer": "Keine Antwort, ohne Übergabe",
}
REASONS = {
    "citizen_request": "Wunsch nach einem Menschen",
    "frustration": "Unmut (Angebot angenommen)",
    "low_confidence": "Keine passende Antwort / half nicht",
    "repeated_failure": "Wiederholt keine Antwort",
    "form_needs_human": "Formular braucht einen Menschen",
    "proactive": "Proaktiv übernommen",
}
HANDOVER_OUTCOMES = {
    "queued": "In die Warteschlange",
    "outside_office_hours": "Außerhalb der Chat-Servicezeiten",
    "no_agent_online": "Niemand online",
    "proactive": "Proaktiv übernommen",
}


def _sum(condition):
    return func.sum(case((condition, 1), else_=0))


def _asked():
    return C.questions > 0


def _handed():
    return C.handover_at.is_not(None)


def _feedback_ok():
    return or_(C.last_feedback.is_(None), C.last_feedback.is_(True))


def categories():
    """The five outcomes of a finished conversation with at least one question: exclusive and complete."""
    answered, handed = C.answers > 0, _handed()
    answered_first = C.answered_before_handover.is_(True)
    return {
        "resolved": and_(answered, not_(handed), _feedback_ok()),
        "answered_not_helpful": and_(answered, not_(handed), C.last_feedback.is_(False)),
        "answered_then_handover": and_(handed, answered_first),
        "no_answer_handover": and_(handed, not_(answered_first)),
        "no_answer": and_(C.answers == 0, not_(handed)),
    }


def report(session: Session, filters: Filters) -> list[Table]:
    where = filters.conversations()
    handed = summary_tables(session, filters)
    return [*handed[:2], _reasons(session, where, handed[2]), _handover_outcomes(session, where),
            _declines(session, filters)]


def summary_tables(session: Session, filters: Filters) -> tuple[Table, Table, int]:
    """The rates and the five outcomes (two queries: one over the conversations, one over the questions); also
    the number of conversations with a handover."""
    where = filters.conversations()
    finished = filters.finished()
    asked, handed = _asked(), _handed()
    outcome_sums = {key: _sum(and_(asked, finished, condition)) for key, condition in categories().items()}
    row = session.execute(
        select(
            func.count().label("all"),
            _sum(asked).label("asked"),
            _sum(and_(asked, finished)).label("asked_finished"),
            _sum(C.answers > 0).label("answered"),
            _sum(and_(C.answers > 0, finished)).label("answered_finished"),
            _sum(C.referrals > 0).label("referred"),
            _sum(and_(handed, C.questions == 0, not_(C.support))).label("direct"),
            _sum(handed).label("handed"),
            _sum(C.support).label("support"),
            _sum(C.bot_unavailable).label("unavailable"),
            *[value.label(key) for key, value in outcome_sums.items()],
        ).where(*where)
    ).one()._mapping
    n = {key: int(value or 0) for key, value in row.items()}
    questions = session.execute(
        select(
            _sum(and_(Q.decision == "clarify", Q.picked.is_not(None))).label("clarify_decided"),
            _sum(and_(Q.decision == "clarify", Q.picked.is_(True))).label("clarify_picked"),
            _sum(and_(Q.decision == "answer", Q.helpful.is_not(None))).label("rated"),
            _sum(and_(Q.decision == "answer", Q.helpful.is_(True))).label("helpful"),
        ).where(*filters.questions())
    ).one()._mapping
    q = {key: int(value or 0) for key, value in questions.items()}

    def metric(key, label, numerator, denominator, definition):
        return {"key": key, "metric": label, "numerator": numerator, "denominator": denominator,
                "rate": rate(numerator, denominator), "definition": definition}

    summary = Table(
        "bot_summary", "Bot-Ergebnisse",
        [Column("metric", "Kennzahl"), Column("numerator", "Anzahl", "count"),
         Column("denominator", "von (Nenner)", "count"), Column("rate", "Quote", "percent"),
         Column("definition", "Definition")],
        [
            metric("answer_rate", "Antwortquote", n["answered"], n["asked"],
                   "Gespräche mit mindestens einer direkten Antwort (auch Verweis an eine zuständige Stelle) / "
                   "Gespräche mit mindestens einer Frage an den Bot."),
            metric("resolution_rate", "Ohne Menschen gelöst", n["resolved"], n["asked_finished"],
                   "Beantwortet, keine Übergabe und die letzte Bewertung nicht „hat nicht geholfen“ / beendete "
                   "Gespräche mit mindestens einer Frage an den Bot."),
            metric("handover_after_answer", "Beantwortet, dann übergeben", n["answered_then_handover"],
                   n["answered_finished"],
                   "Übergabe an einen Menschen nach einer direkten Antwort / beendete Gespräche mit mindestens einer "
                   "direkten Antwort."),
            metric("no_answer_rate", "Keine Antwort", n["no_answer"] + n["no_answer_handover"], n["asked_finished"],
                   "Keine direkte Antwort vor dem Ende oder der Übergabe / beendete Gespräche mit mindestens einer "
                   "Frage an den Bot."),
            metric("referral_rate", "Verweis an zuständige Stelle", n["referred"], n["answered"],
                   "Gespräche mit einer Antwort aus einem Zuständigkeits-Eintrag (kind: referral) / beantwortete "
                   "Gespräche."),
            metric("clarify_picked", "Auswahl „Meinen Sie …?“ angenommen", q["clarify_picked"],
                   q["clarify_decided"],
                   "Rückfragen, bei denen ein angebotener Artikel gewählt wurde / Rückfragen, auf die noch etwas "
                   "folgte (Fragen, nicht Gespräche)."),
            metric("helpful_rate", "Antwort hat geholfen", q["helpful"], q["rated"],
                   "Antworten mit „Ja“ auf „Hat Ihnen das geholfen?“ / bewertete Antworten (Fragen, nicht "
                   "Gespräche)."),
            metric("direct_handover", "Direkt zu einem Menschen", n["direct"], n["all"],
                   "Übergabe ohne vorherige Frage an den Bot / alle Gespräche. Zählt in keiner Bot-Quote mit."),
            metric("support", "Hilfsangebot in einer Notlage", n["support"], n["all"],
                   "Gespräche, in denen der Bot Hilfetelefone genannt hat (type: support) / alle Gespräche."),
            metric("unavailable", "Assistent nicht erreichbar", n["unavailable"], n["all"],
                   "Gespräche, in denen eine Frage nicht an den Bot weitergegeben werden konnte / alle Gespräche."),
        ],
        definition="Nenner: nur Gespräche, die den Zähler hätten erreichen können. Beendet heißt: geschlossen "
        "oder seit 30 Minuten ohne neue Nachricht. Quoten auf weniger als 5 Gesprächen werden nicht gezeigt.",
        note=f"{n['all']} Gespräche, davon {n['asked']} mit einer Frage an den Bot ({n['asked_finished']} beendet).",
    )
    distribution = Table(
        "bot_outcomes", "Ausgang der beendeten Bot-Gespräche",
        [Column("outcome", "Ausgang"), Column("conversations", "Gespräche", "count"),
         Column("share", "Anteil", "percent")],
        [{"key": key, "outcome": label, "conversations": n[key], "share": rate(n[key], n["asked_finished"])}
         for key, label in OUTCOMES.items()],
        definition="Jedes beendete Gespräch mit mindestens einer Frage an den Bot hat genau einen Ausgang; die "
        "Anteile summieren sich zu 100 %.",
        chart="bars", x="outcome", y=["conversations"],
    )
    return summary, distribution, n["handed"]


def _reasons(session: Session, where: list, handed: int) -> Table:
    counts = session.execute(
        select(C.handover_reason, func.count()).where(*where, _handed()).group_by(C.handover_reason)
        .order_by(func.count().desc())
    ).all()
    rows = merge_small([{"key": reason or "", "reason": reason or "", "label": REASONS.get(reason, reason or ""),
                         "conversations": count} for reason, count in counts], "conversations", "label")
    for row in rows:
        row["share"] = rate(row["conversations"], handed)
    return Table(
        "handover_reasons", "Übergaben nach Grund",
        [Column("label", "Grund"), Column("conversations", "Gespräche", "count"), Column("share", "Anteil", "percent")],
        rows,
        definition="Grund der ersten Übergabe eines Gesprächs (aus dem handover-Payload des Bots, „Wunsch nach "
        "einem Menschen“ auch ohne Bot-Frage, „proaktiv“ bei Übernahme aus der Live-Liste) / alle Gespräche mit "
        "Übergabe.",
        chart="bars", x="label", y=["conversations"],
    )


def _handover_outcomes(session: Session, where: list) -> Table:
    counts = dict(session.execute(
        select(C.handover_outcome, func.count()).where(*where, _handed()).group_by(C.handover_outcome)
    ).all())
    total = sum(counts.values())
    rows = [{"key": key, "outcome": label, "conversations": counts.get(key, 0),
             "share": rate(counts.get(key, 0), total)} for key, label in HANDOVER_OUTCOMES.items()]
    return Table(
        "handover_outcomes", "Was bei der Übergabe geschah",
        [Column("outcome", "Ergebnis"), Column("conversations", "Gespräche", "count"),
         Column("share", "Anteil", "percent")],
        rows,
        definition="Ob die erste Übergabe in eine Warteschlange führte oder ob niemand übernehmen konnte "
        "(Rückruf-Angebot) / alle Gespräche mit Übergabe.",
        chart="bars", x="outcome", y=["conversations"],
    )


def _declines(session: Session, filters: Filters) -> Table:
    counts = dict(session.execute(
        select(Q.decline, func.count()).where(*filters.questions(), Q.decision == "no_answer").group_by(Q.decline)
    ).all())
    total = sum(counts.values())
    labels = {"not_covered": "Städtisches Thema ohne Artikel", "offtopic": "Kein Thema der Stadt",
              None: "Ohne Angabe"}
    rows = [{"key": key or "", "decline": label, "questions": counts.get(key, 0),
             "share": rate(counts.get(key, 0), total)} for key, label in labels.items()]
    return Table(
        "no_answer_declines", "Fragen ohne Antwort nach Art",
        [Column("decline", "Art"), Column("questions", "Fragen", "count"), Column("share", "Anteil", "percent")],
        rows,
        definition=f"Fragen mit der Entscheidung no_answer nach dem Feld decline / alle Fragen ohne Antwort. "
        f"Quoten auf weniger als {MIN_GROUP} Fragen werden nicht gezeigt.",
        chart="bars", x="decline", y=["questions"],
    )
