"""Builds the conversation context for one app instance (handover/runtime.py calls it), starts the relay outbox
that picks up turns an earlier run stored but did not get answered, and stops both again."""

from __future__ import annotations

from typing import Any, Callable

from handover.domain.conversations import bot_replies
from handover.domain.conversations.core import BackgroundTasks, ConversationContext
from handover.domain.conversations.rate_limit import RateLimiter
from handover.domain.rasa_client import RasaClient
from handover.domain.relay_outbox import RelayOutbox, RelayPolicy
from handover.domain.routing import Routing
from handover.shell.database import Database
from handover.shell.metrics import Metrics
from handover.shell.pubsub import PubSub


def build_conversations(
    *,
    db: Database,
    pubsub: PubSub,
    routing: Routing,
    rasa: RasaClient,
    metrics: Metrics,
    rate_limiter: RateLimiter,
    watch_minutes: int,
    get_article: Callable[[str], Any] | None = None,
    rasa_timeout_seconds: float = 10.0,
    relay_policy: RelayPolicy | None = None,
) -> ConversationContext:
    # The outbox answers into the context it is part of; the lambdas look `ctx` up when a turn comes back.
    relay = RelayOutbox(
        db=db, rasa=rasa, call_timeout=rasa_timeout_seconds, policy=relay_policy or RelayPolicy(),
        deliver=lambda claimed, replies: bot_replies.deliver_bot_replies(ctx, claimed, replies),
        give_up=lambda claimed, created_before: bot_replies.bot_unavailable(ctx, claimed, created_before),
        typing=lambda conversation_id, active: bot_replies.bot_typing(ctx, conversation_id, active),
        on_rasa_error=lambda: metrics.errors.labels("rasa").inc(),
    )
    ctx = ConversationContext(
        db=db, pubsub=pubsub, routing=routing, metrics=metrics, rate_limiter=rate_limiter, relay=relay,
        tasks=BackgroundTasks(metrics), watch_minutes=watch_minutes,
        get_article=get_article or (lambda article_id: None),
    )
    return ctx


def start(ctx: ConversationContext) -> None:
    """Picks up turns that an earlier run (of any replica) stored but did not get answered."""
    ctx.relay.start()


async def stop(ctx: ConversationContext) -> None:
    await ctx.relay.stop()
    await ctx.tasks.cancel_all()
