"""An agent's console reports online / away / offline (and a heartbeat); consoles hear of it only when what
they show changes."""

from __future__ import annotations

from handover.domain.agent_accounts import AgentInfo
from handover.domain.conversations.broadcasts import schedule_overview
from handover.domain.conversations.core import ConversationContext, utcnow


async def set_presence(ctx: ConversationContext, agent: AgentInfo, status: str) -> None:
    if await ctx.db.run(lambda s: ctx.routing.set_presence(s, agent.id, status, utcnow())):
        schedule_overview(ctx)
