"""Turns console-wide pub/sub events into the frames one agent may see (department visibility, supervisor
extras). Keeps the agent websocket handler a pump. The rule is access.py's: queues, handovers and tickets of the
agent's departments and the default queue; watch entries whose topic is theirs; everything for supervisors."""

from __future__ import annotations

from handover.domain.agent_accounts import AgentInfo
from handover.domain.conversations.broadcasts import visible_watch
from handover.domain.routing import Routing


def frames_for(agent: AgentInfo, routing: Routing, event: dict) -> list[dict]:
    kind = event.get("kind")
    if kind == "handover":
        conversation = event["conversation"]
        return [{"type": "handover", "conversation": conversation}] if routing.visible(
            agent, conversation.get("department")) else []
    if kind == "claimed":
        return [{"type": "claimed", "conversation_id": event["conversation_id"], "agent": event["agent"]}]
    if kind == "ticket":
        ticket = event["ticket"]
        return [{"type": "ticket", "ticket": ticket}] if routing.visible(agent, ticket.get("department")) else []
    if kind == "overview":
        frames = [
            {"type": "queue_update",
             "queues": [q for q in event["queues"] if routing.visible(agent, q["department"])]},
            {"type": "agents_update", "agents": event["agents"]},
            {"type": "watch_update", "watch": visible_watch(routing, agent, event["watch"])},
        ]
        if agent.is_supervisor:
            frames.append({"type": "live_update", "live": event["live"]})
        return frames
    return []
