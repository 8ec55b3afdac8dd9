"""What comes back from the relay outbox (handover/domain/relay_outbox.py): the bot's replies to a citizen's turn,
stored and published (a handover payload among them asks for a person), or — when Rasa could not answer — the
citizen told so with the offer of a person or a ticket; and the bot's typing indicator while Rasa thinks.

The outbox calls these with the turn it holds; each stores its events in the transaction that marks the turn
finished, so a turn is answered once even when another replica took it over."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from handover.domain import relay_outbox
from handover.domain.conversations import texts
from handover.domain.conversations.core import (
    ConversationContext,
    append_event,
    append_state,
    event_frame,
    publish_events,
    publish_transient,
    utcnow,
)
from handover.domain.conversations.handover_requests import request_handover
from handover.domain.insights import recording as insights
from handover.domain.models.conversations import Conversation
from handover.domain.rasa_client import BotReply
from handover.domain.relay_outbox import ClaimedRelay
from handover.web.frames import FrameError


async def deliver_bot_replies(ctx: ConversationContext, relay: ClaimedRelay, replies: list[BotReply]) -> None:
    """Stores the bot's replies and marks the turn done in one transaction (so it is answered once)."""
    conversation_id = relay.conversation_id

    def work(session: Session):
        conversation = session.get(Conversation, conversation_id)
        in_bot = conversation is not None and conversation.state == "bot"
        if not relay_outbox.finish(session, relay, "done" if in_bot else "skipped") or not in_bot:
            return [], None  # answered by another relay already, or an agent took over: the bot stays silent
        frames, handover, stored = [], None, []
        for reply in replies:
            custom = reply.custom
            if custom and custom.get("type") == "handover":
                # The bot cannot know whether anyone is there. Its "Ich verbinde Sie …" would be withdrawn by the
                # next line outside the chat service hours: what the citizen is told (connecting, outside the chat
                # service hours, nobody free) comes from request_handover, after it checked hours and presence.
                handover = custom
                continue
            message = append_event(
                session, conversation, sender="bot", text=reply.text or "", buttons=reply.buttons, payload=custom
            )
            frames.append(event_frame(message))
            stored.append((message.seq, custom))
        insights.record_bot_replies(session, conversation, relay_kind=relay.kind, relay_text=relay.text,
                                    replies=stored, tz=ctx.routing.office_hours.tz, now=utcnow())
        return frames, handover

    frames, handover = await ctx.db.run(work)
    ctx.metrics.messages.labels("bot").inc(len(frames))
    await publish_events(ctx, conversation_id, frames)
    if handover is not None:
        await request_handover(
            ctx,
            conversation_id,
            reason=str(handover.get("reason") or "low_confidence"),
            department=handover.get("department"),
            payload=handover,
        )


async def bot_unavailable(ctx: ConversationContext, relay: ClaimedRelay, created_before: datetime | None) -> None:
    """Rasa could not answer (or the turn waited too long): the citizen is told, with the offer of a person
    or a ticket, in the transaction that closes the turn and the turns waiting behind it."""
    conversation_id = relay.conversation_id

    def work(session: Session):
        if not relay_outbox.finish(session, relay, "failed"):
            return []
        relay_outbox.fail_pending(session, conversation_id, created_before=created_before)
        conversation = session.get(Conversation, conversation_id)
        if conversation is None or conversation.state != "bot":
            return []
        language = conversation.language
        insights.record_bot_unavailable(session, conversation, tz=ctx.routing.office_hours.tz, now=utcnow())
        message = append_event(
            session, conversation, sender="system", text=texts.text(language, "bot_unavailable"),
            buttons=[{"title": texts.text(language, "request_human_button"), "payload": "/request_human"}],
        )
        state = append_state(session, conversation, "bot", "bot_unavailable", offer_ticket=True)
        return [event_frame(message), event_frame(state)]

    frames = await ctx.db.run(work)
    if frames:
        await publish_transient(
            ctx,
            conversation_id,
            {**FrameError("bot_unavailable").frame(), "conversation_id": conversation_id},
            "citizen",
        )
        await publish_events(ctx, conversation_id, frames)


async def bot_typing(ctx: ConversationContext, conversation_id: str, active: bool) -> None:
    await publish_transient(ctx, conversation_id, {"type": "typing", "sender": "bot", "active": active,
                                                   "conversation_id": conversation_id}, "all")
