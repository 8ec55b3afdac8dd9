"""What every console and every waiting citizen is kept up to date with: places in line after a queue changed,
the coalesced console overview (queues, agents, watch and live lists), and the snapshot a console starts from."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from handover.domain import tickets as ticket_store
from handover.domain.agent_accounts import AgentInfo
from handover.domain.conversations.core import CONSOLES_CHANNEL, ConversationContext, publish_transient, utcnow
from handover.domain.conversations.views import summarizer, summary
from handover.domain.models.conversations import Conversation


def watch_list(ctx: ConversationContext, session: Session, now: datetime) -> list[dict]:
    """Bot conversations with recent messages, for agents who may take one over before the citizen asks."""
    cutoff = now - timedelta(minutes=ctx.watch_minutes)
    rows = session.scalars(
        select(Conversation)
        .where(Conversation.state == "bot", Conversation.last_message_at.is_not(None),
               Conversation.updated_at >= cutoff)
        .order_by(Conversation.updated_at.desc())
        .limit(50)
    )
    return [summary(ctx.routing, c, now) for c in rows]


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
            "watch": watch_list(ctx, session, now),
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
