"""The analytics facts are written by the real conversation actions (SQLite and PostgreSQL): the bot's replies as
the relay outbox delivers them (knowledge payloads of contract v1 with issue 12's kind/decline, support
replies, handover payloads), the Ja/Nein buttons and the feedback frame, a menu pick, a handover into the queue
or to a closed team, the agent's claim, first reply and close, the citizen leaving the queue, CSAT; the text is
redacted before it is stored; the reports count it; retention removes it.

Rasa's part is played by the test: each citizen turn is stored by the real `citizen_message` (message and
pending relay in one transaction), claimed from the outbox like the relay does, and answered through
`deliver_bot_replies` with the payloads Rasa would return (docs/bot-payloads.md)."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from handover.domain.agent_accounts import AgentInfo, create_agent
from handover.domain.conversations import (
    agent_messages,
    bot_replies,
    citizen_turns,
    claims,
    closing,
    lifecycle,
    transfers,
)
from handover.domain.conversations.rate_limit import RateLimiter
from handover.domain.conversations.retention import purge
from handover.domain.insights import catalog
from handover.domain.insights.filters import Filters
from handover.domain.models.analytics import ConversationFacts, QuestionFacts
from handover.domain.models.conversations import Agent, Conversation
from handover.domain.office_hours import OfficeHours
from handover.domain.rasa_client import BotReply, RasaClient
from handover.domain.routing import Routing
from handover.shell.database import Database, make_engine, make_sessionmaker, upgrade_database
from handover.shell.metrics import Metrics
from handover.shell.pubsub import make_pubsub
from handover.web.frames import FrameError
from tests.bot.servers import fresh_postgres_schema
from tests.handover.conftest import DEPARTMENTS, PASSWORD, free_port


def office(key: str) -> dict:
    return {"key": key, "name": key, "department": key}


def answer(query: str, article_id: str, department: str, lebenslage: str, kind: str = "service") -> dict:
    return {"type": "knowledge", "version": 1, "decision": "answer", "query": query, "score": 0.93,
            "article": {"id": article_id, "title": article_id, "kind": kind, "lebenslagen": [lebenslage],
                        "office": office(department), "updated": "2026-09-15"},
            "candidates": [{"id": article_id, "title": article_id, "score": 0.93}], "related": [], "feedback": True}


def clarify(query: str) -> dict:
    return {"type": "knowledge", "version": 1, "decision": "clarify", "query": query, "score": 0.87, "article": None,
            "candidates": [{"id": "personalausweis", "title": "Personalausweis", "score": 0.87},
                           {"id": "reisepass", "title": "Reisepass", "score": 0.86}]}


def no_answer(query: str, decline: str = "not_covered") -> dict:
    return {"type": "knowledge", "version": 1, "decision": "no_answer", "query": query, "score": 0.61,
            "article": None, "candidates": [], "decline": decline, "contact": office("servicecenter")}


def handover(reason: str, department: str) -> dict:
    return {"type": "handover", "version": 1, "reason": reason, "department": department, "summary": "…",
            "language": "de", "lebenslage": None, "articles": [], "last_query": "…"}


@pytest.fixture(params=["sqlite", "postgres"])
async def ctx(request, tmp_path):
    if request.param == "sqlite":
        url, schema = f"sqlite:///{tmp_path / 'recording.db'}", None
    else:
        schema = fresh_postgres_schema("insights_recording")
        url = schema.__enter__()
    upgrade_database(url)
    engine = make_engine(url)
    db = Database(make_sessionmaker(engine), serialize=url.startswith("sqlite"))
    routing = Routing(OfficeHours.from_mapping(DEPARTMENTS), 90, 240)
    await db.run(routing.seed_departments)
    pubsub = make_pubsub("memory://")
    await pubsub.connect()
    context = lifecycle.build_conversations(
        db=db, pubsub=pubsub, routing=routing, rasa=RasaClient(f"http://127.0.0.1:{free_port()}", 2.0),
        metrics=Metrics(), rate_limiter=RateLimiter(100, 60), watch_minutes=30,
    )
    context.relay.kick = lambda conversation_id: None  # the test answers in Rasa's place
    yield context
    await context.tasks.cancel_all()
    await pubsub.disconnect()
    db.close()
    engine.dispose()
    if schema is not None:
        schema.__exit__(None, None, None)


async def start(ctx) -> str:
    conversation_id, _ = await citizen_turns.hello(ctx, token=None, language="de",
                                                   page="https://www.musterstadt.example/umzug?name=anna#top",
                                                   citizen_key=None)
    return conversation_id


async def turn(ctx, conversation_id: str, text: str, *customs: dict, reply_text: str = "…") -> None:
    """The citizen says `text`; Rasa answers with one text message per custom payload."""
    await citizen_turns.citizen_message(ctx, conversation_id, uuid.uuid4().hex, text)
    if text == "/request_human":
        await asyncio.gather(*list(ctx.tasks._tasks))
        return
    claimed = await ctx.db.run(lambda s: ctx.relay._claim_next(s, conversation_id))
    assert claimed is not None
    replies = [BotReply(text=None if c.get("type") == "handover" else reply_text, custom=c) for c in customs]
    await bot_replies.deliver_bot_replies(ctx, claimed, replies or [BotReply(text=reply_text)])


async def facts(ctx, conversation_id: str) -> tuple[ConversationFacts, list[QuestionFacts]]:
    def work(session: Session):
        row = session.get(ConversationFacts, conversation_id)
        questions = list(session.scalars(select(QuestionFacts).where(QuestionFacts.conversation_id == conversation_id)
                                         .order_by(QuestionFacts.seq)))
        session.expunge_all()
        return row, questions

    return await ctx.db.run(work)


async def supervisor(ctx) -> AgentInfo:
    def work(session: Session):
        agent = create_agent(session, username=f"lead-{uuid.uuid4().hex[:6]}", display_name="Sabine Leitung",
                             role="supervisor", departments=["buergerbuero"], password=PASSWORD)
        ctx.routing.set_presence(session, agent.id, "online", datetime.now(timezone.utc))
        return AgentInfo.of(agent)

    return await ctx.db.run(work)


async def test_the_actions_record_facts_the_reports_count(ctx):
    agent = await supervisor(ctx)

    # 1. an answer with personal data in the question; "Nein", then the feedback frame says "Ja" after all
    first = await start(ctx)
    question = "Was kostet ein Personalausweis? Ich heiße Anna Schmidt, anna.schmidt@example.org"
    await turn(ctx, first, question, answer(question, "personalausweis", "buergerbuero", "ausweise-und-dokumente"))
    await turn(ctx, first, "/feedback_negative", reply_text="Möchten Sie mit einem Menschen sprechen?")
    row, questions = await facts(ctx, first)
    assert (row.questions, row.answers, row.helpful, row.not_helpful, row.last_feedback) == (1, 1, 0, 1, False)
    assert questions[0].question == "Was kostet ein Personalausweis? Ich heiße [NAME], [E-MAIL]"
    assert questions[0].helpful is False and questions[0].article_id == "personalausweis"
    assert (row.department, row.lebenslage, row.language) == ("buergerbuero", "ausweise-und-dokumente", "de")
    assert row.page == "www.musterstadt.example/umzug"  # no query string, no fragment
    await closing.save_feedback(ctx, first, questions[0].seq, True, None)
    row, questions = await facts(ctx, first)
    assert (row.helpful, row.not_helpful, row.last_feedback, questions[0].helpful) == (1, 0, True, True)

    # 2. "Meinen Sie …?" and a pick; 3. a menu nobody picked, then no answer; a referral answer
    second = await start(ctx)
    await turn(ctx, second, "Ausweis", clarify("Ausweis"))
    await turn(ctx, second, '/ask_question{"article_id":"personalausweis"}',
               answer("Ausweis", "personalausweis", "buergerbuero", "ausweise-und-dokumente"))
    third = await start(ctx)
    await turn(ctx, third, "Formular", clarify("Formular"))
    await turn(ctx, third, "Wer hilft bei Ratten im Hof?", no_answer("Wer hilft bei Ratten im Hof?"))
    await turn(ctx, third, "Wo ist das Finanzamt?",
               answer("Wo ist das Finanzamt?", "finanzamt", "servicecenter", "steuern-und-abgaben", kind="referral"))
    _, picked = await facts(ctx, second)
    assert [(q.decision, q.picked, q.question) for q in picked] == [("clarify", True, "Ausweis"),
                                                                    ("answer", None, "Ausweis")]
    row, unpicked = await facts(ctx, third)
    assert [(q.decision, q.picked, q.decline) for q in unpicked] == [
        ("clarify", False, None), ("no_answer", None, "not_covered"), ("answer", None, None)]
    assert (row.questions, row.answers, row.clarifies, row.no_answers, row.referrals) == (3, 1, 1, 1, 1)
    assert unpicked[2].article_kind == "referral" and unpicked[0].candidates == ["personalausweis", "reisepass"]

    # 4. no answer, the bot hands over; the agent claims, replies, closes; the citizen rates with a phone number
    fourth = await start(ctx)
    await turn(ctx, fourth, "Ratten im Keller melden", no_answer("Ratten im Keller melden"),
               handover("low_confidence", "buergerbuero"))
    row, questions = await facts(ctx, fourth)
    assert (row.handover_reason, row.handover_outcome, row.answered_before_handover) == (
        "low_confidence", "queued", False)
    assert row.queued_at is not None and row.department == "buergerbuero"
    assert questions[0].handover_reason == "low_confidence"
    result = await claims.claim(ctx, agent, fourth)
    assert result["type"] == "conversation"
    await agent_messages.agent_message(ctx, agent, fourth, uuid.uuid4().hex, "Guten Tag, ich helfe Ihnen.")
    await closing.close(ctx, agent, fourth, "resolved")
    await closing.save_csat(ctx, fourth, 4, "Danke! Rufen Sie mich an: 0171 2345678")
    row, _ = await facts(ctx, fourth)
    assert row.agent_id == agent.id and row.wait_seconds is not None and row.wait_seconds >= 0
    assert row.first_response_seconds is not None and row.handling_seconds >= row.first_response_seconds
    assert (row.resolution, row.abandoned, row.csat_rating) == ("resolved", False, 4)
    assert row.csat_comment == "Danke! Rufen Sie mich an: [TELEFON]"

    # 5. straight to a person, then the citizen leaves the queue; 6. a distress reply;
    # 7. a handover to a team that is closed
    fifth = await start(ctx)
    await turn(ctx, fifth, "/request_human")
    await closing.citizen_end(ctx, fifth)
    row, _ = await facts(ctx, fifth)
    assert (row.questions, row.handover_reason, row.handover_outcome, row.abandoned) == (
        0, "citizen_request", "queued", True)
    assert row.wait_seconds is None and row.resolution == "citizen_ended"
    sixth = await start(ctx)
    await turn(ctx, sixth, "Ich kann nicht mehr", {"type": "support", "version": 1, "concern": "crisis",
                                                   "helplines": [], "article": None})
    row, questions = await facts(ctx, sixth)
    assert row.support is True and row.questions == 0 and questions[0].decision == "support"
    seventh = await start(ctx)
    await turn(ctx, seventh, "Ich will heiraten", no_answer("Ich will heiraten"),
               handover("repeated_failure", "standesamt"))
    row, _ = await facts(ctx, seventh)
    assert (row.handover_outcome, row.queued_at, row.department) == ("outside_office_hours", None, "standesamt")

    # the reports count exactly these (conversations still open count as asked, not as finished)
    now = datetime.now(timezone.utc)
    tz = ctx.routing.office_hours.tz
    filters = Filters.build(tz=tz, since="2d", as_of=now + timedelta(hours=1))  # an hour later: all finished
    sources = catalog.Sources(tz=tz, department_names={}, articles=lambda: [])
    tables = await ctx.db.run(lambda s: {t.id: t for t in catalog.build("outcomes", s, filters, sources)})
    summary = {row["key"]: row for row in tables["bot_summary"].rows}
    # asked: 1, 2, 3, 4, 7 (5 went straight to a person, 6 only got the distress reply)
    assert (summary["answer_rate"]["numerator"], summary["answer_rate"]["denominator"]) == (3, 5)
    assert (summary["direct_handover"]["numerator"], summary["support"]["numerator"]) == (1, 1)
    outcomes = {row["key"]: row["conversations"] for row in tables["bot_outcomes"].rows}
    assert outcomes == {"resolved": 3, "answered_not_helpful": 0, "answered_then_handover": 0,
                        "no_answer_handover": 2, "no_answer": 0}

    # retention: the facts go with their conversation
    def age(session: Session) -> dict:
        session.execute(update(Conversation).where(Conversation.id == third)
                        .values(updated_at=now - timedelta(days=400)))
        return purge(session, 180)

    counts = await ctx.db.run(age)
    assert counts["conversations"] == 1 and counts["analytics"] == 1
    row, questions = await facts(ctx, third)
    assert row is None and questions == []
    assert (await facts(ctx, second))[0] is not None


async def test_a_recording_problem_never_costs_the_citizen_a_message(ctx):
    """A broken payload (a decision with an article that is not a mapping) is logged; the reply is stored."""
    conversation_id = await start(ctx)
    broken = {"type": "knowledge", "version": 1, "decision": "answer", "query": "x", "article": ["not", "a", "dict"]}
    await turn(ctx, conversation_id, "Hallo", broken, reply_text="Antwort")
    frames = await citizen_turns.events_since(ctx, conversation_id, 0)
    assert [f["text"] for f in frames if f.get("sender") == "bot"] == ["Antwort"]
    row, questions = await facts(ctx, conversation_id)
    assert questions == [] and (row is None or row.questions == 0)
    assert json.dumps(frames[-1]["payload"]) == json.dumps(broken)


async def test_agents_and_editors_have_no_conversation_rights(ctx):
    editor = await ctx.db.run(lambda s: AgentInfo.of(create_agent(
        s, username=f"redaktion-{uuid.uuid4().hex[:6]}", display_name="Redaktion", role="editor", departments=[],
        password=PASSWORD)))
    assert editor.handles_conversations is False and editor.is_supervisor is False
    assert await ctx.db.run(lambda s: s.scalar(select(Agent.role).where(Agent.id == editor.id))) == "editor"
    # no one to hand a chat to: not in the team list, and a transfer to them is refused
    lead = await supervisor(ctx)
    summaries = await ctx.db.run(lambda s: ctx.routing.agent_summaries(s, datetime.now(timezone.utc)))
    assert editor.id not in {a["id"] for a in summaries} and lead.id in {a["id"] for a in summaries}
    conversation_id = await start(ctx)
    await turn(ctx, conversation_id, "/request_human")
    assert (await claims.claim(ctx, lead, conversation_id))["type"] == "conversation"
    with pytest.raises(FrameError) as refused:
        await transfers.transfer(ctx, lead, conversation_id, department=None, agent_id=editor.id, note=None)
    assert refused.value.code == "not_found"
