"""Every figure of the insights reports on a known set of conversations (SQLite and PostgreSQL): volume, bot
outcomes with their rate definitions (what is in each numerator and denominator), people (nearest-rank p50/p90,
abandonment, tickets), satisfaction, articles; groups under five conversations not broken down; CSV export.

The facts are written as the recording would have written them, with exact times, so percentiles and waits are
known to the second (tests/handover/test_insights_recording.py checks that the real actions write them so)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import insert
from sqlalchemy.orm import Session

from handover.domain.insights import catalog
from handover.domain.insights.filters import OTHER, FilterError, Filters
from handover.domain.insights.recording import local_parts, text_hash
from handover.domain.insights.tables import OTHER_LABEL
from handover.domain.models.analytics import ConversationFacts, QuestionFacts
from handover.domain.models.conversations import Agent, Ticket
from handover.domain.models.tickets import TicketEntry
from handover.shell.database import make_engine, upgrade_database
from tests.bot.servers import fresh_postgres_schema

TZ = ZoneInfo("Europe/Berlin")
AS_OF = datetime(2026, 3, 10, 12, 0, tzinfo=timezone.utc)
MONDAY = date(2026, 3, 2)  # the range is Monday 2 to Sunday 8 March 2026 (CET, UTC+1)
PAGE = "www.musterstadt.example/buergerservice"


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """Local time on 2026-03-<day> as UTC."""
    return datetime(2026, 3, day, hour, minute, tzinfo=TZ).astimezone(timezone.utc)


class Seed:
    def __init__(self) -> None:
        self.facts: list[dict] = []
        self.questions: list[dict] = []

    def conversation(self, cid: str, started: datetime, **fields) -> dict:
        day, weekday, hour = local_parts(started, TZ)
        row = dict(
            conversation_id=cid, started_at=started, local_day=day, local_weekday=weekday, local_hour=hour,
            language="de", page=PAGE, department=None, lebenslage=None, last_activity_at=started + timedelta(minutes=3),
            questions=0, answers=0, referrals=0, clarifies=0, no_answers=0, support=False, helpful=0, not_helpful=0,
            last_feedback=None, bot_unavailable=False, handover_at=None, handover_reason=None, handover_outcome=None,
            answered_before_handover=None, queued_at=None, assigned_at=None, proactive=False, wait_seconds=None,
            agent_id=None, first_response_seconds=None, handling_seconds=None, abandoned=False, closed_at=None,
            resolution=None, csat_rating=None, csat_comment=None, csat_at=None,
        )
        row.update(fields)
        self.facts.append(row)
        return row

    def question(self, cid: str, seq: int, asked: datetime, text: str, decision: str, **fields) -> None:
        row = dict(conversation_id=cid, seq=seq, asked_at=asked, local_day=local_parts(asked, TZ)[0], question=text,
                   text_hash=text_hash(text), decision=decision, article_id=None, article_kind=None, decline=None,
                   concern=None, score=0.9, candidates=None, language="de", department=None, lebenslage=None,
                   picked=None, helpful=None, handover_reason=None)
        row.update(fields)
        self.questions.append(row)


def known_set(agent_id: int) -> Seed:
    s = Seed()
    # A: answered, resolved without a person (6; two with a referral answer, two rated helpful, two with a picked menu)
    for i in range(6):
        cid = f"a{i}"
        start = at(2 + i % 5, 10)
        referral = i >= 4
        s.conversation(cid, start, questions=1 + (i < 2), answers=1, referrals=int(referral), clarifies=int(i < 2),
                       department="buergerbuero", lebenslage="ausweise-und-dokumente",
                       helpful=int(i in (2, 3)), last_feedback=True if i in (2, 3) else None)
        if i < 2:
            s.question(cid, 3, start, "Ausweis", "clarify", picked=True, candidates=["personalausweis", "reisepass"])
        s.question(cid, 6, start + timedelta(minutes=1), "Was kostet ein Personalausweis?", "answer",
                   article_id="finanzamt" if referral else "personalausweis",
                   article_kind="referral" if referral else "service", department="buergerbuero",
                   lebenslage="ausweise-und-dokumente", helpful=True if i in (2, 3) else None)
    # B: answered, "hat nicht geholfen", no handover (5)
    for i in range(5):
        cid = f"b{i}"
        start = at(3, 11)
        s.conversation(cid, start, questions=1, answers=1, not_helpful=1, last_feedback=False,
                       department="buergerbuero", lebenslage="ausweise-und-dokumente")
        s.question(cid, 3, start, "Personalausweis verloren was tun", "answer", article_id="personalausweis",
                   article_kind="service", department="buergerbuero", lebenslage="ausweise-und-dokumente",
                   helpful=False)
    # C: answered, then handed over, queued and taken by one agent; waits 10..50 s, first response 5..9 s,
    # handling 100..500 s; closed and rated 5, 5, 4, 2, 1
    for i in range(5):
        cid = f"c{i}"
        start = at(4, 9)
        handed = start + timedelta(minutes=2)
        assigned = handed + timedelta(seconds=10 * (i + 1))
        closed = assigned + timedelta(seconds=100 * (i + 1))
        s.conversation(cid, start, questions=1, answers=1, department="kfz", lebenslage="auto-und-verkehr",
                       handover_at=handed, handover_reason="low_confidence", handover_outcome="queued",
                       answered_before_handover=True, queued_at=handed, assigned_at=assigned,
                       wait_seconds=10.0 * (i + 1), agent_id=agent_id, first_response_seconds=5.0 + i,
                       handling_seconds=100.0 * (i + 1), closed_at=closed, resolution="resolved",
                       last_activity_at=closed, csat_rating=(5, 5, 4, 2, 1)[i],
                       csat_comment=("Sehr nett, Tel. [TELEFON]", None, None, "Zu lange gewartet", None)[i],
                       csat_at=closed + timedelta(seconds=20))
        s.question(cid, 3, start, "Wunschkennzeichen reservieren", "answer", article_id="kfz-zulassung",
                   article_kind="service", department="kfz", lebenslage="auto-und-verkehr",
                   handover_reason="low_confidence")
    # D: no answer, handed over (6, English): 3 queued and left while waiting, 3 outside office hours
    for i in range(6):
        cid = f"d{i}"
        start = at(5, 15)
        handed = start + timedelta(minutes=1)
        queued = i < 3
        s.conversation(cid, start, language="en", questions=1, no_answers=1, department="kfz",
                       handover_at=handed, handover_reason="repeated_failure" if i < 3 else "citizen_request",
                       handover_outcome="queued" if queued else "outside_office_hours",
                       answered_before_handover=False, queued_at=handed if queued else None, abandoned=queued,
                       closed_at=handed + timedelta(minutes=4) if queued else None,
                       resolution="citizen_ended" if queued else None,
                       last_activity_at=handed + timedelta(minutes=4) if queued else handed)
        s.question(cid, 3, start, "Is there a rat problem office", "no_answer", language="en",
                   decline="not_covered" if i < 4 else "offtopic",
                   handover_reason="repeated_failure" if i < 3 else "citizen_request")
    # E: no answer, no handover: a "Meinen Sie …?" nobody picked (3 picked false, 2 never decided)
    for i in range(5):
        cid = f"e{i}"
        start = at(6, 20)
        s.conversation(cid, start, questions=1, clarifies=1)
        s.question(cid, 3, start, "Formular", "clarify", picked=False if i < 3 else None,
                   candidates=["personalausweis", "kfz-zulassung"])
    # F: straight to a person, nobody online (2)
    for i in range(2):
        s.conversation(f"f{i}", at(7, 12), department="servicecenter", handover_at=at(7, 12, 1),
                       handover_reason="citizen_request", handover_outcome="no_agent_online",
                       answered_before_handover=False)
    # G: still going on (answered five minutes ago): counts as asked and answered, not as finished
    s.conversation("g0", at(8, 13), questions=1, answers=1, department="buergerbuero",
                   lebenslage="ausweise-und-dokumente", last_activity_at=AS_OF - timedelta(minutes=5))
    s.question("g0", 3, at(8, 13), "Reisepass beantragen", "answer", article_id="personalausweis",
               article_kind="service", department="buergerbuero", lebenslage="ausweise-und-dokumente")
    # H: a distress reply only, from an unknown page
    s.conversation("h0", at(8, 23), support=True, page=None)
    s.question("h0", 3, at(8, 23), "Ich kann nicht mehr", "support", concern="crisis")
    # I: the day before the range (never counted)
    for i in range(3):
        s.conversation(f"i{i}", at(1, 10), questions=1, answers=1, department="buergerbuero")
        s.question(f"i{i}", 3, at(1, 10), "Was kostet ein Personalausweis?", "answer", article_id="personalausweis",
                   helpful=False)
    return s


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def seeded(request, tmp_path_factory):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('insights') / 'reports.db'}"
        context = None
    else:
        context = fresh_postgres_schema("insights_reports")
        url = context.__enter__()
    upgrade_database(url)
    engine = make_engine(url)
    with Session(engine) as session:
        agent = Agent(username="erika", display_name="Erika Muster", role="agent", password_hash="x")
        session.add(agent)
        session.flush()
        agent_id = agent.id
        seed = known_set(agent_id)
        session.execute(insert(ConversationFacts), seed.facts)
        session.execute(insert(QuestionFacts), seed.questions)
        for i in range(6):  # six callback tickets for kfz on Wednesday: five answered by e-mail after two hours
            created = at(4, 10)
            ticket = Ticket(reference=f"T-{i}", name="Beispiel", contact="beispiel@example.org", concern="…",
                            department="kfz", status="done" if i < 5 else "open", created_at=created,
                            updated_at=created + timedelta(hours=3))
            session.add(ticket)
            session.flush()
            if i < 5:
                session.add(TicketEntry(ticket_id=ticket.id, kind="email", text="Antwort",
                                        created_at=created + timedelta(hours=2)))
        session.commit()
    yield SimpleNamespace(engine=engine, agent_id=agent_id, backend=request.param)
    engine.dispose()
    if context is not None:
        context.__exit__(None, None, None)


def build(seeded, report: str, **filters) -> dict:
    flt = Filters(start=MONDAY, end=date(2026, 3, 8), as_of=AS_OF, **filters)
    sources = catalog.Sources(
        tz=TZ, department_names={"kfz": "Kfz-Zulassung", "buergerbuero": "Bürgerbüro"},
        articles=lambda: ARTICLES, stale_months=12,
    )
    with Session(seeded.engine) as session:
        return {t.id: t for t in catalog.build(report, session, flt, sources)}


ARTICLES = [
    SimpleNamespace(id="personalausweis", title="Personalausweis beantragen", path="ausweise/personalausweis.md",
                    url="https://www.musterstadt.example/perso", updated=date(2026, 2, 1), lebenslagen=[]),
    SimpleNamespace(id="kfz-zulassung", title="Fahrzeug zulassen", path="auto/kfz-zulassung.md", url=None,
                    updated=date(2024, 12, 31), lebenslagen=[]),
    SimpleNamespace(id="sperrmuell", title="Sperrmüll", path="abfall/sperrmuell.md", url=None,
                    updated=date(2025, 3, 10), lebenslagen=[]),
    SimpleNamespace(id="finanzamt", title="Finanzamt", path="zustaendigkeiten/finanzamt.md", url=None,
                    updated=date(2025, 3, 11), lebenslagen=[]),
]


def rows(table, key="key") -> dict:
    return {row[key]: row for row in table.rows}


def test_volume(seeded):
    tables = build(seeded, "volume")
    days = {row["day"]: row["conversations"] for row in tables["volume_days"].rows}
    assert days == {"2026-03-02": 2, "2026-03-03": 6, "2026-03-04": 6, "2026-03-05": 7, "2026-03-06": 6,
                    "2026-03-07": 2, "2026-03-08": 2}
    assert sum(days.values()) == 31  # the three of 1 March are outside the range
    hours = {row["weekday"]: row for row in tables["volume_hours"].rows}
    assert hours["Mi"]["h09"] == 5 and hours["Mi"]["h10"] == 1 and hours["So"]["h23"] == 1
    assert sum(v for row in hours.values() for k, v in row.items() if k.startswith("h")) == 31
    life = rows(tables["volume_lebenslage"])
    assert life[""]["conversations"] == 14 and life["ausweise-und-dokumente"]["conversations"] == 12
    assert life["auto-und-verkehr"]["conversations"] == 5 and life["auto-und-verkehr"]["share"] == round(5 / 31, 4)
    department = rows(tables["volume_department"])
    assert department["buergerbuero"]["conversations"] == 12 and department["kfz"]["conversations"] == 11
    assert department[""]["conversations"] == 6
    # servicecenter had two conversations: not shown on its own, and a group of two is not even counted
    assert department[OTHER]["conversations"] is None and "servicecenter" not in department
    language = rows(tables["volume_language"])
    assert (language["de"]["conversations"], language["en"]["conversations"]) == (25, 6)
    page = rows(tables["volume_page"])
    assert page[PAGE]["conversations"] == 30 and page[OTHER]["conversations"] is None


def test_bot_outcomes_and_their_denominators(seeded):
    tables = build(seeded, "outcomes")
    summary = rows(tables["bot_summary"])

    def figure(key):
        row = summary[key]
        return row["numerator"], row["denominator"], row["rate"]

    # 28 conversations asked the bot something (A6 B5 C5 D6 E5 G1); 27 of them are finished (G is not)
    assert figure("answer_rate") == (17, 28, round(17 / 28, 4))  # A, B, C and the unfinished G were answered
    assert figure("resolution_rate") == (6, 27, round(6 / 27, 4))  # only A: B's last verdict was "did not help"
    assert figure("handover_after_answer") == (5, 16, round(5 / 16, 4))  # C / finished answered ones (not G)
    assert figure("no_answer_rate") == (11, 27, round(11 / 27, 4))  # D (handed over) and E (not)
    assert figure("referral_rate") == (2, 17, round(2 / 17, 4))
    assert figure("clarify_picked") == (2, 5, 0.4)  # questions: A's two picked, E's three not; two undecided
    assert figure("helpful_rate") == (2, 7, round(2 / 7, 4))  # rated answers: A's two yes, B's five no
    assert figure("direct_handover") == (2, 31, round(2 / 31, 4))  # F: never asked the bot, in no bot rate
    assert figure("support") == (1, 31, round(1 / 31, 4))
    assert figure("unavailable") == (0, 31, 0.0)
    outcomes = {row["key"]: row["conversations"] for row in tables["bot_outcomes"].rows}
    assert outcomes == {"resolved": 6, "answered_not_helpful": 5, "answered_then_handover": 5,
                        "no_answer_handover": 6, "no_answer": 5}
    assert sum(outcomes.values()) == 27  # exclusive and complete over the finished ones
    reasons = rows(tables["handover_reasons"])
    assert reasons["low_confidence"]["conversations"] == 5 and reasons["low_confidence"]["share"] == round(5 / 13, 4)
    assert reasons["citizen_request"]["conversations"] == 5  # D's three and F's two
    assert reasons[OTHER]["conversations"] is None and "repeated_failure" not in reasons  # three: too few
    handover = rows(tables["handover_outcomes"])
    assert {k: v["conversations"] for k, v in handover.items()} == {
        "queued": 8, "outside_office_hours": 3, "no_agent_online": 2, "proactive": 0}
    declines = rows(tables["no_answer_declines"])
    assert (declines["not_covered"]["questions"], declines["offtopic"]["questions"], declines[""]["questions"]) == (
        4, 2, 0)
    assert declines["not_covered"]["share"] == round(4 / 6, 4)


def test_filters_narrow_every_figure(seeded):
    summary = rows(build(seeded, "outcomes", language="en")["bot_summary"])
    assert (summary["no_answer_rate"]["numerator"], summary["no_answer_rate"]["denominator"]) == (6, 6)
    assert summary["answer_rate"]["rate"] == 0.0
    volume = build(seeded, "volume", department="buergerbuero", lebenslage="ausweise-und-dokumente")
    assert sum(row["conversations"] for row in volume["volume_days"].rows) == 12
    with pytest.raises(FilterError):
        Filters.build(tz=TZ, start="2026-03-08", end="2026-03-01")
    with pytest.raises(FilterError):
        Filters.build(tz=TZ, since="viele Tage")
    assert Filters.build(tz=TZ, since="7d", as_of=AS_OF).start == date(2026, 3, 4)


def test_people(seeded):
    tables = build(seeded, "people")
    departments = rows(tables["people_departments"])
    kfz = departments["kfz"]
    assert kfz["department"] == "Kfz-Zulassung"
    assert (kfz["queued"], kfz["taken"], kfz["abandoned"]) == (8, 5, 3)
    assert kfz["abandonment"] == round(3 / 8, 4)  # left while waiting / (taken from the queue + left)
    # nearest rank: p50 = 3rd of 5, p90 = 5th of 5
    assert (kfz["wait_p50"], kfz["wait_p90"]) == (30.0, 50.0)
    assert (kfz["first_response_p50"], kfz["first_response_p90"]) == (7.0, 9.0)
    assert (kfz["handling_p50"], kfz["handling_p90"]) == (300.0, 500.0)
    assert departments["__all__"]["queued"] == 8 and departments["__all__"]["wait_p50"] == 30.0
    assert "buergerbuero" not in departments  # nobody was queued there
    agents = rows(tables["people_agents"])
    erika = agents[str(seeded.agent_id)]
    assert erika["agent"] == "Erika Muster" and erika["conversations"] == 5
    assert (erika["first_response_p50"], erika["handling_p90"]) == (7.0, 500.0)
    tickets = rows(tables["people_tickets"])
    assert (tickets["kfz"]["opened"], tickets["kfz"]["answered"], tickets["kfz"]["open_now"]) == (6, 5, 1)
    assert tickets["kfz"]["answer_rate"] == round(5 / 6, 4) and tickets["kfz"]["answer_hours_p50"] == 2.0
    assert tickets["kfz"]["open_age_p50"] is None  # one open ticket: fewer than five
    oldest = (AS_OF - at(4, 10)).total_seconds() / 86400
    assert tickets["kfz"]["oldest_open_days"] == round(oldest, 1)


def test_satisfaction_and_article_feedback(seeded):
    tables = build(seeded, "satisfaction")
    summary = rows(tables["csat_summary"])
    assert (summary["response_rate"]["numerator"], summary["response_rate"]["denominator"]) == (5, 8)  # of 8 closed
    assert summary["satisfied"]["rate"] == 0.6 and summary["average"]["value"] == 3.4
    distribution = {row["key"]: row["conversations"] for row in tables["csat_distribution"].rows}
    assert distribution == {"1": 1, "2": 1, "3": 0, "4": 1, "5": 2}
    trend = {row["period"]: row for row in tables["csat_trend"].rows}
    assert trend["2026-03-04"]["ratings"] == 5 and trend["2026-03-04"]["average"] == 3.4
    assert trend["2026-03-05"]["average"] is None
    comments = [row["comment"] for row in tables["csat_comments"].rows]
    assert sorted(comments) == ["Sehr nett, Tel. [TELEFON]", "Zu lange gewartet"]
    feedback = rows(tables["article_feedback"])
    perso = feedback["personalausweis"]
    assert perso["article"] == "Personalausweis beantragen"
    assert (perso["conversations"], perso["rated"], perso["helpful"], perso["not_helpful"]) == (10, 7, 2, 5)
    assert perso["helpful_rate"] == round(2 / 7, 4)
    assert feedback["kfz-zulassung"]["helpful_rate"] is None  # nobody rated
    assert feedback[OTHER]["conversations"] is None and "finanzamt" not in feedback  # two conversations


def test_comments_are_withheld_below_five_ratings(seeded):
    tables = build(seeded, "satisfaction", department="buergerbuero")
    assert tables["csat_comments"].rows == [] and tables["csat_summary"].rows[2]["value"] is None


def test_articles_for_editors(seeded):
    tables = build(seeded, "articles")
    poor = rows(tables["articles_poor_feedback"])
    assert list(poor) == ["personalausweis"] and poor["personalausweis"]["not_helpful"] == 5
    assert poor["personalausweis"]["path"] == "ausweise/personalausweis.md"
    assert [row["article_id"] for row in tables["articles_no_hits"].rows] == ["sperrmuell"]
    # Stand older than 12 months before 10 March 2026 (local today): before 2025-03-10
    assert [row["article_id"] for row in tables["articles_stale"].rows] == ["kfz-zulassung"]


def test_csv_export(seeded):
    tables = build(seeded, "outcomes")
    text = tables["bot_summary"].csv()
    assert text.startswith("\ufeffKennzahl;Anzahl;von (Nenner);Quote;Definition\r\n")
    assert "Antwortquote;17;28;60,7;" in text
    reasons = tables["handover_reasons"].csv().splitlines()
    assert reasons[0] == "\ufeffGrund;Gespräche;Anteil" and f"{OTHER_LABEL};<5;<5" in reasons
    days = build(seeded, "volume")["volume_days"].csv().splitlines()
    assert days[1] == "2026-03-02;2" and len(days) == 8
