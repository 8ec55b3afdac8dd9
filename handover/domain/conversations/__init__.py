"""Conversations between citizens, the bot and agents: the state machine bot → waiting → agent → bot/closed.

One module per kind of state change, each doing its database write and publishing its events (after Zulip's
`zerver/actions/`); all of them take the `ConversationContext` built by `lifecycle.build_conversations` and
share `core` (sequence numbers, event frames, publishing, channel names). Socket handlers only parse a frame,
call one of these actions and send back what it returns.

    citizen_turns      hello, backlog, citizen message, typing/read
    bot_replies        what the relay outbox brings back from Rasa (replies, "bot unavailable", typing)
    handover_requests  bot → waiting, or "nobody can take over now" with a ticket offered
    claims             waiting/bot → agent, exactly one winner
    transfers          to another queue or colleague, back to the bot
    agent_messages     agent message, pushed article, internal notes, typing/read
    closing            close (agent or citizen), CSAT, answer feedback
    ticket_requests    a ticket left from the chat
    presence           agent presence
    broadcasts         queue positions, console overview, watch/live lists, console snapshot
    views              summary line, conversation frame, context panel (reads only)
    texts              what the system says to the citizen (DE/EN)
    retention          purge after the retention period
    rate_limit         messages per conversation and window
    lifecycle          build, start and stop the context (with its relay outbox)
"""
