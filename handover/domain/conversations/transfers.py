"""The holder passes a conversation on: to another department's queue (agent → waiting) or straight to a
colleague with free capacity (who gets it on their console with the note), or back to the bot (agent or
waiting → bot; Rasa greets the citizen back through the relay outbox). Both only for conversations the agent may
act on (access.py): a waiting conversation of another department cannot be sent back to the bot by a stranger."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.orm import Session

from handover.domain import relay_outbox
from handover.domain.agent_accounts import AgentInfo
from handover.domain.conversations import access, texts
from handover.domain.conversations.broadcasts import queue_changed
from handover.domain.conversations.core import (
    CONSOLES_CHANNEL,
    ConversationContext,
    agent_channel,
    append_event,
    append_state,
    event_frame,
    publish_events,
    require_holder,
    state_notice,
    utcnow,
)
from handover.domain.conversations.views import summary as summary_of
from handover.domain.models.conversations import Agent, Conversation, HandoverEvent, InternalNote
from handover.web.frames import FrameError


async def transfer(ctx: ConversationContext, agent: AgentInfo, conversation_id: str, *, department: str | None,
                   agent_id: int | None, note: str | None) -> dict:
    if (department is None) == (agent_id is None):
        raise FrameError("invalid", "Bitte entweder einen Fachbereich oder eine Person als Ziel angeben.")
    routing = ctx.routing

    def work(session: Session):
        now = utcnow()
        conversation = access.permitted_conversation(session, routing, agent, conversation_id)
        require_holder(conversation, agent)
        holder = conversation.assigned_agent_id
        language = conversation.language
        if department is not None:
            if department not in routing.office_hours.departments:
                raise FrameError("not_found", "Diesen Fachbereich gibt es nicht.")
            won = session.execute(
                update(Conversation)
                .where(Conversation.id == conversation_id, Conversation.state == "agent",
                       Conversation.assigned_agent_id == holder)
                .values(state="waiting", department=department, assigned_agent_id=None, queued_at=now,
                        assigned_at=None)
            ).rowcount
            if won != 1:
                raise FrameError("conflict")
            session.refresh(conversation)
            target_agent = None
            text = texts.text(language, "transferred_department", department=routing.office_hours.name(department))
            queue = routing.positions(session, department, now).get(conversation_id)
            state_args = ("waiting", "transferred", None, queue)
        else:
            target = session.get(Agent, agent_id)
            if target is None or not target.active or target.role == "editor":  # editors take no chats
                raise FrameError("not_found", "Diese Person gibt es nicht.")
            if routing.loads(session).get(target.id, 0) >= target.capacity:
                raise FrameError("conflict", f"{target.display_name} hat keine freie Kapazität.")
            won = session.execute(
                update(Conversation)
                .where(Conversation.id == conversation_id, Conversation.state == "agent",
                       Conversation.assigned_agent_id == holder)
                .values(assigned_agent_id=target.id, assigned_at=now)
            ).rowcount
            if won != 1:
                raise FrameError("conflict")
            session.refresh(conversation)
            target_agent = AgentInfo.of(target)
            text = texts.text(language, "transferred_agent", agent=target.display_name)
            state_args = ("agent", "transferred", target.display_name, None)
        session.add(HandoverEvent(conversation_id=conversation_id, kind="transferred", reason="transfer",
                                  department=conversation.department, agent_id=agent_id, note=note))
        if note:
            session.add(InternalNote(conversation_id=conversation_id, agent_id=agent.id,
                                     author_name=agent.display_name, text=f"Weitergeleitet: {note}",
                                     created_at=now))
        state_name, reason, agent_name, queue = state_args
        message = append_event(session, conversation, sender="system", text=text, payload=state_notice(state_name))
        state = append_state(session, conversation, state_name, reason, agent_name=agent_name, queue=queue)
        frames = [event_frame(message), event_frame(state)]
        return frames, summary_of(routing, conversation, now), target_agent, conversation.department

    frames, summary, target_agent, new_department = await ctx.db.run(work)
    await publish_events(ctx, conversation_id, frames)
    if target_agent is None:
        await ctx.pubsub.publish(CONSOLES_CHANNEL, {"kind": "handover", "conversation": summary})
    else:
        await ctx.pubsub.publish(
            agent_channel(target_agent.id),
            {"kind": "assigned", "conversation": summary,
             "from": {"id": agent.id, "display_name": agent.display_name}, "note": note},
        )
    await queue_changed(ctx, {new_department})
    return {"type": "transferred", "conversation_id": conversation_id}


async def return_to_bot(ctx: ConversationContext, agent: AgentInfo, conversation_id: str) -> dict:
    def work(session: Session):
        conversation = access.permitted_conversation(session, ctx.routing, agent, conversation_id)
        if conversation.state not in ("agent", "waiting"):
            raise FrameError("conflict")
        if conversation.state == "agent":
            require_holder(conversation, agent)
        won = session.execute(
            update(Conversation)
            .where(Conversation.id == conversation_id, Conversation.state == conversation.state)
            .values(state="bot", assigned_agent_id=None, queued_at=None)
        ).rowcount
        if won != 1:
            raise FrameError("conflict")
        session.refresh(conversation)
        session.add(HandoverEvent(conversation_id=conversation_id, kind="returned_to_bot",
                                  department=conversation.department, agent_id=agent.id))
        state = append_state(session, conversation, "bot", "returned_to_bot")
        frames = [
            event_frame(append_event(session, conversation, sender="system", payload=state_notice("bot"),
                                     text=texts.text(conversation.language, "returned_to_bot"))),
            event_frame(state),
        ]
        # Rasa greets the citizen back; queued like a citizen turn, so it comes before their next question.
        relay_outbox.enqueue(session, conversation_id, state.seq, "back_to_bot", conversation.language,
                             kind="intent")
        return frames, conversation.department

    frames, department = await ctx.db.run(work)
    ctx.relay.kick(conversation_id)
    await publish_events(ctx, conversation_id, frames)
    await queue_changed(ctx, {department} if department else set())
    return {"type": "returned", "conversation_id": conversation_id}
