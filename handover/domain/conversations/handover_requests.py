"""A conversation asks for a person (the citizen's request, the bot's handover payload): bot → waiting in its
department's queue, or, when the team is closed or nobody serving it is online, the citizen is told so at once
and offered a ticket."""

from __future__ import annotations

import time

from sqlalchemy import update
from sqlalchemy.orm import Session

from handover.domain.conversations import access, texts
from handover.domain.conversations.broadcasts import queue_changed
from handover.domain.conversations.core import (
    CONSOLES_CHANNEL,
    ConversationContext,
    append_event,
    append_state,
    event_frame,
    publish_events,
    state_notice,
    utcnow,
)
from handover.domain.conversations.views import summary as summary_of
from handover.domain.insights import recording as insights
from handover.domain.models.conversations import Conversation, HandoverEvent
from handover.domain.office_hours import OfficeHours


def unavailable_text(office_hours: OfficeHours, language: str, outcome: str, key: str, status) -> str:
    """Why nobody can take over now: outside the team's office hours (with the next opening) or nobody online."""
    department = office_hours.name(key)
    if outcome != "outside_office_hours":
        return texts.text(language, outcome, department=department)
    next_open = (
        texts.text(language, "next_open", when=texts.format_when(office_hours, language, status.next_open))
        if status.next_open
        else ""
    )
    return texts.text(language, outcome, department=department, hours=office_hours.describe_hours(key),
                      next_open=next_open)


async def request_handover(
    ctx: ConversationContext, conversation_id: str, *, reason: str, department: str | None = None,
    payload: dict | None = None,
) -> str:
    """bot → waiting, or tell the citizen at once that nobody can take over now (ticket offered).
    Returns the outcome: queued | outside_office_hours | no_agent_online | ignored."""
    started = time.perf_counter()
    routing, office_hours = ctx.routing, ctx.routing.office_hours

    def work(session: Session):
        now = utcnow()
        conversation = session.get(Conversation, conversation_id)
        if conversation is None or conversation.state != "bot":
            return "ignored", [], None, None
        # Without a department from the bot (the widget's "Mit einem Menschen sprechen"), the topic decides: the
        # office of the last article the bot answered with, so hours and presence are checked where it belongs.
        topic = None if department else access.topic_departments(session, [conversation_id]).get(conversation_id)
        key = office_hours.resolve(department or topic or conversation.department)
        # The bot tells the language the citizen writes in (bot/actions/language_detection.py); from now on the
        # system's messages, the queue card and the agent's context show it.
        spoken = (payload or {}).get("language")
        if spoken in texts.TEXTS and spoken != conversation.language:
            conversation.language = spoken
        language = conversation.language
        session.add(HandoverEvent(conversation_id=conversation_id, kind="requested", reason=reason, department=key))
        status = office_hours.status(key, now)
        if not status.open or routing.serving_agents(session, key, now) == 0:
            outcome = "outside_office_hours" if not status.open else "no_agent_online"
            text = unavailable_text(office_hours, language, outcome, key, status)
            session.add(HandoverEvent(conversation_id=conversation_id, kind="unavailable", reason=outcome,
                                      department=key))
            insights.record_handover(session, conversation, reason=reason, department=key, outcome=outcome,
                                     lebenslage=(payload or {}).get("lebenslage"), tz=office_hours.tz, now=now)
            frames = [
                event_frame(append_event(session, conversation, sender="system", text=text)),
                event_frame(append_state(session, conversation, "bot", outcome, offer_ticket=True)),
            ]
            return outcome, frames, None, key
        won = session.execute(
            update(Conversation)
            .where(Conversation.id == conversation_id, Conversation.state == "bot")
            .values(
                state="waiting",
                department=key,
                reason=reason,
                summary=(payload or {}).get("summary") or conversation.summary or conversation.last_message_text,
                lebenslage=(payload or {}).get("lebenslage") or conversation.lebenslage,
                handover_payload=payload or conversation.handover_payload,
                queued_at=now,
                assigned_agent_id=None,
            )
        ).rowcount
        if won != 1:
            return "ignored", [], None, None
        session.refresh(conversation)
        session.add(HandoverEvent(conversation_id=conversation_id, kind="queued", reason=reason, department=key))
        insights.record_handover(session, conversation, reason=reason, department=key, outcome="queued",
                                 lebenslage=conversation.lebenslage, tz=office_hours.tz, now=now)
        queue = routing.positions(session, key, now).get(conversation_id)
        frames = [
            event_frame(append_event(session, conversation, sender="system", payload=state_notice("waiting"),
                                     text=texts.text(language, "queued", department=office_hours.name(key)))),
        ]
        # Nobody online speaks the citizen's language: say so honestly; they can wait for a German-speaking
        # colleague or leave a message (the ticket form comes with the waiting state).
        no_speaker = routing.speakers_online(session, key, language, now) == 0
        if no_speaker:
            frames.append(event_frame(append_event(session, conversation, sender="system",
                                                   text=texts.text(language, "no_language_agent"))))
        frames.append(event_frame(append_state(session, conversation, "waiting", reason, queue=queue,
                                               offer_ticket=no_speaker)))
        summary = summary_of(routing, conversation, now)
        summary["position"] = (queue or {}).get("position")
        return "queued", frames, summary, key

    outcome, frames, summary, department_key = await ctx.db.run(work)
    ctx.metrics.handovers.labels(outcome).inc()
    await publish_events(ctx, conversation_id, frames)
    if summary is not None:
        await ctx.pubsub.publish(CONSOLES_CHANNEL, {"kind": "handover", "conversation": summary})
        ctx.metrics.handover_dispatch.observe(time.perf_counter() - started)
        await queue_changed(ctx, {department_key})
    return outcome
