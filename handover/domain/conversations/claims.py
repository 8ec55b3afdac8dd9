"""An agent takes a conversation: from the queue (waiting → agent) or, proactively, from the bot's watch list
(bot → agent). Exactly one concurrent caller wins: the UPDATE only matches while nobody is assigned, and the
database serialises the writers; the others are told why they lost. Only conversations of the agent's own
departments (access.py) can be taken; a proactive takeover names the agent in the transcript and in its handover
events, and each claim is an audited access to the transcript. While a conversation in another language is reserved
for the agents who speak it (routing.py), others are refused with `reserved` and how long it still holds;
supervisors decide for themselves."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from handover.domain.agent_accounts import AgentInfo
from handover.domain.conversations import access, texts
from handover.domain.conversations.broadcasts import queue_changed
from handover.domain.conversations.core import (
    CONSOLES_CHANNEL,
    ConversationContext,
    append_event,
    append_state,
    event_frame,
    load_conversation,
    publish_events,
    state_notice,
    utcnow,
)
from handover.domain.conversations.views import conversation_frame
from handover.domain.insights import recording as insights
from handover.domain.models.conversations import Conversation, HandoverEvent
from handover.domain.routing import Reservation, speaks

# how the (German) console names the languages a conversation can be in
GERMAN_LANGUAGE_NAMES = {"en": "Englisch", "tr": "Türkisch", "uk": "Ukrainisch", "ar": "Arabisch"}


def reserved_message(reservation: Reservation, now: datetime) -> str:
    minutes, seconds = divmod(reservation.seconds_left(now), 60)
    language = GERMAN_LANGUAGE_NAMES.get(reservation.language, reservation.language)
    return (f"Dieses Gespräch ist noch {minutes}:{seconds:02d} Min. für Kolleg:innen reserviert, die {language} "
            "sprechen. Danach können Sie es übernehmen.")


async def claim(ctx: ConversationContext, agent: AgentInfo, conversation_id: str, *, proactive: bool = False) -> dict:
    """The conversation frame for the winner, `claim_failed` with the reason for everyone else."""
    routing = ctx.routing

    def work(session: Session):
        now = utcnow()
        conversation = load_conversation(session, conversation_id)
        expected = "bot" if proactive else "waiting"
        if conversation.state != expected:
            return None, "Das Gespräch wurde bereits übernommen." if conversation.state == "agent" else (
                "Das Gespräch ist nicht mehr in der Warteschlange."), "conflict"
        topic = access.topic_departments(session, [conversation_id]).get(conversation_id) if proactive else None
        department = access.responsible_department(routing, conversation, topic)
        if not access.may_access(routing, agent, conversation, topic):
            return None, "Dieses Gespräch gehört nicht zu Ihren Fachbereichen.", "forbidden"
        if not proactive and not agent.is_supervisor and not speaks(agent, conversation.language):
            reservation = routing.reservation_now(session, conversation, department, now)
            if reservation is not None:
                return None, reserved_message(reservation, now), "reserved"
        load = routing.loads(session).get(agent.id, 0)
        if load >= agent.capacity:
            return None, f"Sie betreuen bereits {load} Gespräche (Ihre Höchstzahl).", "capacity"
        queued_at = conversation.queued_at
        won = session.execute(
            update(Conversation)
            .where(
                Conversation.id == conversation_id,
                Conversation.state == expected,
                Conversation.assigned_agent_id.is_(None),
            )
            .values(state="agent", assigned_agent_id=agent.id, assigned_at=now, department=department,
                    reason="proactive" if proactive else Conversation.reason)
        ).rowcount
        if won != 1:
            return None, "Jemand anderes war schneller und hat das Gespräch übernommen.", "conflict"
        session.refresh(conversation)
        taken_by = f"{agent.display_name} ({agent.username})"
        if proactive:  # who took it over without being asked, for the record
            session.add(HandoverEvent(conversation_id=conversation_id, kind="requested", reason="proactive",
                                      department=department, agent_id=agent.id,
                                      note=f"Proaktiv übernommen von {taken_by}"))
        insights.record_assignment(session, conversation, agent_id=agent.id, proactive=proactive,
                                   tz=routing.office_hours.tz, now=now)
        session.add(HandoverEvent(conversation_id=conversation_id, kind="assigned", reason=conversation.reason,
                                  department=department, agent_id=agent.id,
                                  note=f"Übernommen von {taken_by}" if proactive else None))
        language = conversation.language
        frames = [
            event_frame(append_event(
                session, conversation, sender="system", payload=state_notice("agent"), agent=agent,
                text=texts.text(language, "taken_over" if proactive else "assigned", agent=agent.display_name,
                                department=routing.office_hours.name(department)))),
            event_frame(append_state(session, conversation, "agent", "proactive" if proactive else "assigned",
                                     agent_name=agent.display_name)),
        ]
        wait = (now - queued_at).total_seconds() if queued_at and not proactive else None
        action = "takeover" if proactive else "claim"
        return conversation_frame(routing, session, conversation, agent, action), frames, (department, wait)

    result, frames_or_message, extra = await ctx.db.run(work)
    if result is None:
        return {"type": "claim_failed", "conversation_id": conversation_id, "message": frames_or_message,
                "code": extra}
    department, wait = extra
    if wait is not None:
        ctx.metrics.handover_wait.observe(wait)
    await publish_events(ctx, conversation_id, frames_or_message)
    await ctx.pubsub.publish(
        CONSOLES_CHANNEL,
        {"kind": "claimed", "conversation_id": conversation_id,
         "agent": {"id": agent.id, "display_name": agent.display_name}},
    )
    await queue_changed(ctx, {department})
    return result
