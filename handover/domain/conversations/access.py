"""Who may see and act on a conversation: the one place of the least-privilege rule (issue 11).

An agent may open, read, annotate, type into, close, return or pass on a conversation only if it belongs to one of
the agent's departments or to the default queue (which every agent serves), or if it is assigned to them.
Supervisors and admins may act on every conversation. Which department a conversation belongs to:

* waiting, with an agent, closed: the queue it was routed to (`department`), else its topic;
* with the bot: its topic — the department of the office of the last article the bot answered with — else the
  department the widget named, else the default queue. The watch list shows agents the same: only bot
  conversations whose topic is theirs.

Every action module calls `permitted_conversation` (or `require_access` on a conversation it loaded) inside its
transaction; a refusal is the error frame `forbidden` with the conversation's id, never a dropped socket."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from handover.domain.agent_accounts import AgentInfo
from handover.domain.conversations.core import ConversationContext, load_conversation
from handover.domain.models.conversations import Conversation, Message
from handover.domain.routing import Routing
from handover.web.frames import FrameError

REFUSED = "Dieses Gespräch gehört nicht zu Ihren Fachbereichen. Dafür fehlt Ihnen die Berechtigung."
LOST = "Das Gespräch liegt jetzt bei einem anderen Fachbereich; Sie sehen es nicht mehr."

# the office department of the article a knowledge answer is based on (docs/bot-payloads.md §1)
_TOPIC = Message.payload[("article", "office", "department")].as_string()


def topic_departments(session: Session, conversation_ids: list[str]) -> dict[str, str]:
    """The department of the last article the bot answered with, per conversation (absent: no article yet)."""
    if not conversation_ids:
        return {}
    latest: dict[str, tuple[int, str]] = {}
    for chunk in (conversation_ids[i:i + 500] for i in range(0, len(conversation_ids), 500)):
        rows = session.execute(
            select(Message.conversation_id, Message.seq, _TOPIC)
            .where(Message.conversation_id.in_(chunk), Message.sender == "bot", _TOPIC.is_not(None))
        )
        for conversation_id, seq, department in rows:
            if department and (conversation_id not in latest or seq > latest[conversation_id][0]):
                latest[conversation_id] = (seq, department)
    return {conversation_id: department for conversation_id, (_seq, department) in latest.items()}


def responsible_department(routing: Routing, conversation: Conversation, topic: str | None) -> str:
    """The queue key the conversation belongs to (see the module docstring); unknown keys → default queue."""
    if conversation.state == "bot":
        key = topic or conversation.department
    else:
        key = conversation.department or topic
    return routing.office_hours.resolve(key)


def _needs_topic(conversation: Conversation) -> bool:
    return conversation.state == "bot" or not conversation.department


def may_access(routing: Routing, agent: AgentInfo, conversation: Conversation, topic: str | None) -> bool:
    if agent.is_supervisor or (conversation.assigned_agent_id is not None
                               and conversation.assigned_agent_id == agent.id):
        return True
    return routing.visible(agent, responsible_department(routing, conversation, topic))


def allowed(session: Session, routing: Routing, agent: AgentInfo, conversation: Conversation) -> bool:
    """`may_access`, reading the topic from the database only when the rule needs it."""
    if agent.is_supervisor or conversation.assigned_agent_id == agent.id:
        return True
    topic = topic_departments(session, [conversation.id]).get(conversation.id) if _needs_topic(conversation) else None
    return may_access(routing, agent, conversation, topic)


def require_access(session: Session, routing: Routing, agent: AgentInfo, conversation: Conversation) -> None:
    if not allowed(session, routing, agent, conversation):
        raise FrameError("forbidden", REFUSED, conversation_id=conversation.id)


def permitted_conversation(session: Session, routing: Routing, agent: AgentInfo, conversation_id: str) -> Conversation:
    """The conversation, if it exists and the agent may act on it; `not_found` / `forbidden` otherwise."""
    conversation = load_conversation(session, conversation_id)
    require_access(session, routing, agent, conversation)
    return conversation


def visible_ids(session: Session, routing: Routing, agent: AgentInfo, conversations: list[Conversation]) -> set[str]:
    """Which of these conversations the agent may see (one topic query for all of them)."""
    if agent.is_supervisor:
        return {c.id for c in conversations}
    topics = topic_departments(session, [c.id for c in conversations if _needs_topic(c)])
    return {c.id for c in conversations if may_access(routing, agent, c, topics.get(c.id))}


async def still_allowed(ctx: ConversationContext, agent: AgentInfo, conversation_id: str) -> bool:
    """For a console following a conversation's live events: does the agent still have access (after a transfer
    to another department, they no longer do)? A purged conversation is no longer followed either."""
    if agent.is_supervisor:
        return True

    def work(session: Session) -> bool:
        conversation = session.get(Conversation, conversation_id)
        return conversation is not None and allowed(session, ctx.routing, agent, conversation)

    return await ctx.db.run(work)
