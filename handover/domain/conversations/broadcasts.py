"""What every console and every waiting citizen is kept up to date with: places in line after a queue changed,
the coalesced console overview (queues, agents, watch and live lists), and the snapshot a console starts from.

The overview is published once for all consoles; each agent's socket keeps only what the agent may see
(handover/web/console_feed.py): queues of their departments, and watch entries whose `topic_department` is
theirs (access.py)."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from handover.domain import tickets as ticket_store
from handover.domain.agent_accounts import AgentInfo
from handover.domain.conversations import access
from handover.domain.conversations.core import CONSOLES_CHANNEL, ConversationContext, publish_transient, utcnow
from handover.domain.conversations.views import summarizer, summary
from handover.domain.models.conversations import Conversation


WATCH_PER_AGENT = 50
# read for all consoles at once: enough that every department's agents still find their own 50 newest
WATCH_READ = 200


def watch_list(ctx: ConversationContext, session: Session, now: datetime) -> list[dict]:
    """Bot conversations with recent messages, for agents who may take one over before the citizen asks, each with
    the department of its topic (the office of the last article the bot answered with), which decides who sees
    it."""
    cutoff = now - timedelta(minutes=ctx.watch_minutes)
    rows = list(session.scalars(
        select(Conversation)
        .where(Conversation.state == "bot", Conversation.last_message_at.is_not(None),
               Conversation.updated_at >= cutoff)
        .order_by(Conversation.updated_at.desc())
        .limit(WATCH_READ)
    ))
    topics = access.topic_departments(session, [c.id for c in rows])
    entries = []
    for conversation in rows:
        entry = summary(ctx.routing, conversation, now)
        entry["topic_department"] = access.responsible_department(ctx.routing, conversation,
                                                                   topics.get(conversation.id))
        entries.append(entry)
    return entries


def visible_watch(routing, agent: AgentInfo, watch: list[dict]) -> list[dict]:
    """The part of the watch list one agent sees: supervisors all, agents their departments' topics."""
    return [entry for entry in watch if routing.visible(agent, entry.get("topic_department"))][:WATCH_PER_AGENT]


def live_list(ctx: ConversationContext, session: Session, now: datetime) -> list[dict]:
    """Conversations agents hold now (supervisors see it)."""
    rows = session.scalars(
        select(Conversation).where(Conversation.state == "agent").order_by(Conversation.assigned_at).limit(1000)
    )
    return [summary(ctx.routing, c, now) for c in rows]


async def snapshot(ctx: ConversationContext, agent: AgentInfo) -> dict:
    routing = ctx.routing

    def work(session: Session):
        now = utcnow()
        me = next((a for a in routing.agent_summaries(session, now) if a["id"] == agent.id), None)
        mine = session.scalars(
            select(Conversation).where(Conversation.state == "agent", Conversation.assigned_agent_id == agent.id)
            .order_by(Conversation.assigned_at)
        )
        visible_departments = None if agent.is_supervisor else set(agent.departments) | {
            routing.default_department}
        return {
            "type": "snapshot",
            "protocol": 1,
            "agent": me,
            "departments": routing.departments(now),
            "agents": routing.agent_summaries(session, now),
            "queues": [q for q in routing.queues(session, now, summarizer(routing))
                       if routing.visible(agent, q["department"])],
            "mine": [summary(routing, c, now) for c in mine],
            "watch": visible_watch(routing, agent, watch_list(ctx, session, now)),
            "tickets": [ticket_store.ticket_dict(t)
                        for t in ticket_store.list_tickets(session, "open", visible_departments)],
            "live": live_list(ctx, session, now) if agent.is_supervisor else [],
        }

    return await ctx.db.run(work)


async def queue_changed(ctx: ConversationContext, departments: set[str | None]) -> None:
    """Tell waiting citizens their new place in line and refresh every console (coalesced)."""
    for department in {d for d in departments if d}:
        positions = await ctx.db.run(lambda s, d=department: ctx.routing.positions(s, d, utcnow()))
        ctx.metrics.queue_length.labels(department).set(len(positions))
        for conversation_id, queue in positions.items():
            await publish_transient(
                ctx, conversation_id, {"type": "queue", "conversation_id": conversation_id, **queue}, "citizen"
            )
    schedule_overview(ctx)


def schedule_overview(ctx: ConversationContext) -> None:
    if ctx.overview_pending:
        return
    ctx.overview_pending = True
    ctx.tasks.spawn(_broadcast_overview_later(ctx))


async def _broadcast_overview_later(ctx: ConversationContext) -> None:
    await asyncio.sleep(ctx.overview_interval)
    ctx.overview_pending = False

    def work(session: Session):
        now = utcnow()
        return {
            "kind": "overview",
            "queues": ctx.routing.queues(session, now, summarizer(ctx.routing)),
            "live": live_list(ctx, session, now),
            "agents": ctx.routing.agent_summaries(session, now),
            "watch": watch_list(ctx, session, now),
        }

    await ctx.pubsub.publish(CONSOLES_CHANNEL, await ctx.db.run(work))
