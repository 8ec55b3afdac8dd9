"""The citizen leaves a message for later (no one could take over, or they prefer it): a ticket with the
transcript so far, idempotent by client id, filed under the department of the conversation's topic, confirmed
once in the chat (the `ticket_created` event, which the widget words) and, with an e-mail address, once by
e-mail; announced to the consoles. The ticket store and desk are handover/domain/tickets.py. The contact must be an
e-mail address or a phone number (contacts.py): a ticket nobody can answer helps no one."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from handover.domain import tickets as ticket_store
from handover.domain.conversations import contacts
from handover.domain.conversations.core import (
    CONSOLES_CHANNEL,
    ConversationContext,
    ack,
    append_event,
    event_frame,
    publish_events,
)
from handover.domain.models.conversations import Conversation, Message
from handover.web.frames import FrameError


async def create_ticket(ctx: ConversationContext, conversation_id: str, *, client_id: str, name: str,
                        contact: str, concern: str) -> dict:
    if contacts.kind_of(contact) is None:  # before the rate limit: a typo must not cost the citizen a try
        raise FrameError("invalid", contacts.INVALID, client_id=client_id, field="contact")
    if not ctx.rate_limiter.allow(conversation_id):
        raise FrameError("rate_limited", client_id=client_id)
    office_hours = ctx.routing.office_hours

    def work(session: Session):
        conversation = session.get(Conversation, conversation_id)
        if conversation is None:
            raise FrameError("not_found", client_id=client_id)
        ticket, created = ticket_store.create_ticket(
            session,
            conversation_id=conversation_id,
            client_id=client_id,
            name=name,
            contact=contact,
            concern=concern,
            department=ticket_store.topic_department(session, conversation, office_hours),
            transcript=ticket_store.transcript_of(session, conversation_id),
        )
        if not created:
            event = session.scalar(select(Message).where(Message.conversation_id == conversation_id,
                                                        Message.client_id == client_id))
            return (event.seq if event else 0), [], None
        # One confirmation in the chat: this event (the widget shows it with the reference). No second system
        # line saying the same.
        event = append_event(session, conversation, kind="ticket_created", client_id=client_id,
                             payload={"reference": ticket.reference})
        return event.seq, [event_frame(event)], ticket_store.dicts(session, [ticket], office_hours)[0]

    seq, frames, ticket = await ctx.db.run(work)
    delivered = await publish_events(ctx, conversation_id, frames)
    if ticket is not None:
        await ctx.pubsub.publish(CONSOLES_CHANNEL, {"kind": "ticket", "ticket": ticket})
        if ctx.ticket_desk is not None and ticket["has_email"]:
            # In the background: the citizen's ack does not wait for the mail server.
            ctx.tasks.spawn(ctx.ticket_desk.send_confirmation(ticket["id"]))
    return ack({"type": "ack", "client_id": client_id, "seq": seq}, delivered)
