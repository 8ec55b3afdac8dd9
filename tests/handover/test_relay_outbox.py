"""The relay outbox's claims on real SQLite and PostgreSQL, as two replicas see them (two outboxes with their own
owner ids on one database, each with a fresh schema so no app's sweep interferes): one relay per turn, one turn
at a time per conversation in seq order, a lease that ran out can be taken over, and the relay that lost its
lease can no longer finish the turn."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select, update

from handover.domain import relay_outbox
from handover.domain.models.conversations import Conversation, PendingRelay
from handover.domain.rasa_client import RasaClient
from handover.domain.relay_outbox import RelayOutbox, RelayPolicy
from handover.shell.database import Database, make_engine, make_sessionmaker, upgrade_database
from tests.bot.servers import fresh_postgres_schema


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'outbox.db'}"
        return
    with fresh_postgres_schema("outbox_test") as url:
        yield url


@pytest.fixture
def db(database_url):
    upgrade_database(database_url)
    engine = make_engine(database_url)
    # as in the app: SQLite work on one thread, PostgreSQL work concurrently on the pool
    yield Database(make_sessionmaker(engine), serialize=engine.dialect.name == "sqlite")
    engine.dispose()


async def _nothing(*_args) -> None:
    return None


def replica(db: Database, max_age_seconds: float = 600.0) -> RelayOutbox:
    return RelayOutbox(db=db, rasa=RasaClient("http://127.0.0.1:9", 1.0), call_timeout=1.0,
                       policy=RelayPolicy(max_age_seconds=max_age_seconds), deliver=_nothing, give_up=_nothing,
                       typing=_nothing)


def conversation_with_turns(db: Database, seqs: list[int], state: str = "bot",
                            created_at: datetime | None = None) -> str:
    conversation_id = uuid.uuid4().hex

    def work(session):
        now = datetime.now(timezone.utc)
        session.add(Conversation(id=conversation_id, token_hash=uuid.uuid4().hex * 2, state=state, language="de",
                                 last_seq=max(seqs), created_at=now, updated_at=now))
        session.flush()
        for seq in seqs:
            relay_outbox.enqueue(session, conversation_id, seq, f"Frage {seq}", "de")
        if created_at is not None:
            session.execute(update(PendingRelay).where(PendingRelay.conversation_id == conversation_id)
                            .values(created_at=created_at))

    db.run_sync(work)
    return conversation_id


def claim(outbox: RelayOutbox, conversation_id: str):
    return outbox.db.run_sync(lambda s: outbox._claim_next(s, conversation_id))


def finish(outbox: RelayOutbox, relay, status: str = "done") -> bool:
    return outbox.db.run_sync(lambda s: relay_outbox.finish(s, relay, status))


def statuses(db: Database, conversation_id: str) -> list[str]:
    return db.run_sync(lambda s: list(s.scalars(select(PendingRelay.status).where(
        PendingRelay.conversation_id == conversation_id).order_by(PendingRelay.message_seq))))


def test_one_turn_at_a_time_per_conversation_in_seq_order_across_replicas(db):
    a, b = replica(db), replica(db)
    conversation_id = conversation_with_turns(db, [2, 4, 6])
    first = claim(a, conversation_id)
    assert first.text == "Frage 2" and not first.expired
    assert claim(b, conversation_id) is None  # not the next turn either: the first one is still being relayed
    assert finish(a, first)
    second = claim(b, conversation_id)
    assert second.text == "Frage 4"
    assert claim(a, conversation_id) is None
    assert finish(b, second)
    assert claim(a, conversation_id).text == "Frage 6"
    assert statuses(db, conversation_id) == ["done", "done", "pending"]


async def test_concurrent_claims_have_exactly_one_winner(db):
    outboxes = [replica(db) for _ in range(8)]
    conversation_id = conversation_with_turns(db, [1])
    claims = await asyncio.gather(*(db.run(lambda s, o=outbox: o._claim_next(s, conversation_id))
                                    for outbox in outboxes))
    winners = [c for c in claims if c is not None]
    assert len(winners) == 1


def test_a_lease_that_ran_out_is_taken_over_and_the_old_relay_cannot_finish(db):
    a, b = replica(db), replica(db)
    conversation_id = conversation_with_turns(db, [3])
    stale = claim(a, conversation_id)
    assert claim(b, conversation_id) is None
    db.run_sync(lambda s: s.execute(update(PendingRelay).values(
        lease_until=datetime.now(timezone.utc) - timedelta(seconds=1))))  # replica a died mid-relay
    fresh = claim(b, conversation_id)
    assert fresh is not None and fresh.id == stale.id and fresh.owner != stale.owner
    assert not finish(a, stale)  # its late answer is not stored twice
    assert finish(b, fresh)
    assert statuses(db, conversation_id) == ["done"]


def test_turns_of_a_conversation_no_longer_with_the_bot_are_skipped(db):
    conversation_id = conversation_with_turns(db, [1, 2], state="agent")
    assert claim(replica(db), conversation_id) is None
    assert statuses(db, conversation_id) == ["skipped", "skipped"]


def test_turns_older_than_the_pick_up_age_are_claimed_as_expired(db):
    old = conversation_with_turns(db, [1, 2], created_at=datetime.now(timezone.utc) - timedelta(hours=2))
    relay = claim(replica(db, max_age_seconds=600), old)
    assert relay.expired
    db.run_sync(lambda s: (relay_outbox.finish(s, relay, "failed"),
                           relay_outbox.fail_pending(s, old, created_before=datetime.now(timezone.utc))))
    assert statuses(db, old) == ["failed", "failed"]


async def test_sweep_picks_up_only_turns_nobody_holds(db):
    a, b = replica(db), replica(db)
    held = conversation_with_turns(db, [1])
    free = conversation_with_turns(db, [1])
    claim(a, held)
    picked = await b.sweep()
    assert picked == 1 and set(b._wanted) | set(b._drains) == {free}
    await b.stop()


async def test_a_kick_right_after_a_drain_returned_starts_a_new_drain_at_once(db):
    """A drain that has returned stays listed until its done-callback runs; a citizen turn kicked in that moment
    was left to the next sweep (up to BUERGERBOT_RELAY_SWEEP_SECONDS late, seen in make bench-load)."""
    outbox = replica(db)
    conversation_id = conversation_with_turns(db, [1])

    async def returned() -> None:
        return None

    finished = asyncio.create_task(returned())
    await asyncio.sleep(0)
    assert finished.done()
    outbox._drains[conversation_id] = finished  # its done-callback has not run yet
    outbox.kick(conversation_id)
    assert outbox._drains[conversation_id] is not finished
    await outbox.stop()
