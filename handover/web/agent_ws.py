"""`/ws/agent`: pumps frames between an agent console and the conversation actions (docs/protocol.md §2).

The actions decide what the agent may do (handover/domain/conversations/access.py); this pump only forwards. A
console stops following a conversation's live events once the agent loses access to it (transferred to another
department): it is told with an error frame `forbidden` carrying the conversation's id."""

from __future__ import annotations

import asyncio
import logging

from fastapi import APIRouter, WebSocket
from starlette.websockets import WebSocketDisconnect

from handover.domain.agent_accounts import SESSION_COOKIE, Authenticator
from handover.domain.conversations import (
    access,
    agent_messages,
    broadcasts,
    claims,
    closing,
    presence,
    transfers,
    views,
)
from handover.domain.conversations.core import CONSOLES_CHANNEL, agent_channel, conversation_channel
from handover.shell.pubsub import RESYNC
from handover.web import frames as f
from handover.web.console_feed import frames_for
from handover.web.delivery_notice import DelayNotices
from handover.web.origins import origin_allowed
from handover.web.sockets import SocketWriter, receive, refuse

log = logging.getLogger(__name__)
router = APIRouter()
HEARTBEAT_SECONDS = 30


@router.websocket("/ws/agent")
async def agent_socket(websocket: WebSocket) -> None:
    runtime = websocket.app.state.handover
    settings, ctx = runtime.settings, runtime.conversations
    token = websocket.cookies.get(SESSION_COOKIE)
    session_info = await runtime.db.run(lambda s: Authenticator.resolve(s, token))
    if session_info is None:
        await refuse(websocket, 4401)
        return
    if not origin_allowed(websocket.headers.get("origin"), settings, widget=False,
                          request_host=websocket.headers.get("host")):
        await refuse(websocket, 4403)
        return
    agent = session_info.agent
    if not agent.handles_conversations:  # editors see no conversations
        await refuse(websocket, 4403)
        return
    await websocket.accept()
    writer = SocketWriter(websocket)
    runtime.metrics.open_sockets.labels("agent").inc()
    subscriber = runtime.pubsub.subscriber()
    reported = {"status": "online"}  # what the console last said; the heartbeat repeats it
    runtime.presence.connected(agent.id)
    try:
        await subscriber.join(CONSOLES_CHANNEL)
        await subscriber.join(agent_channel(agent.id))
        await presence.set_presence(ctx, agent, "online")
        snapshot = await broadcasts.snapshot(ctx, agent)
        for conversation in snapshot["mine"]:
            await subscriber.join(conversation_channel(conversation["id"]))
        await writer.send(snapshot)

        async def follow(reply: dict | None) -> None:
            if reply and reply.get("type") == "conversation":
                await subscriber.join(conversation_channel(reply["conversation"]["id"]))

        async def outbound() -> None:
            while True:
                channel, event = await subscriber.get()
                if channel == RESYNC:  # pub/sub lost events: the snapshot is authoritative, the console reopens its tabs
                    await writer.send(await broadcasts.snapshot(ctx, agent))
                elif channel == CONSOLES_CHANNEL:
                    for frame in frames_for(agent, runtime.routing, event):
                        await writer.send(frame)
                elif channel == agent_channel(agent.id):
                    if event.get("kind") == "assigned":
                        try:
                            conversation = await views.open_conversation(ctx, agent, event["conversation"]["id"],
                                                                         action="assigned")
                        except f.FrameError as error:  # taken away again in the meantime
                            await writer.send(error.frame())
                            continue
                        await follow(conversation)
                        await writer.send({"type": "assigned", "conversation": event["conversation"],
                                           "from": event.get("from"), "note": event.get("note")})
                        await writer.send(conversation)
                elif event.get("to") in ("all", "agents"):
                    frame = event["frame"]
                    conversation_id = frame.get("conversation_id")
                    # a state change may move the conversation out of the agent's departments
                    if frame.get("type") == "state" and conversation_id and not await access.still_allowed(
                            ctx, agent, conversation_id):
                        await subscriber.leave(channel)
                        await writer.send(f.FrameError("forbidden", access.LOST,
                                                       conversation_id=conversation_id).frame())
                        continue
                    await writer.send(frame)

        notices = DelayNotices(runtime.pubsub)

        async def heartbeat() -> None:
            while True:
                await asyncio.sleep(HEARTBEAT_SECONDS)
                await presence.set_presence(ctx, agent, reported["status"])

        async def inbound() -> None:
            while True:
                raw = await receive(websocket)
                if raw is None:
                    return
                try:
                    frame = f.parse_agent_frame(raw, settings.max_frame_bytes)
                    if isinstance(frame, f.Presence):
                        reported["status"] = frame.status
                    reply = await _dispatch(runtime, agent, frame)
                    await follow(reply)
                except f.FrameError as error:
                    reply = error.frame()
                except Exception:  # a bug must not cost the agent the connection
                    log.exception("agent frame failed")
                    runtime.metrics.errors.labels("agent_ws").inc()
                    reply = f.FrameError("invalid",
                                         "Es ist ein Fehler aufgetreten. Bitte versuchen Sie es erneut.").frame()
                if reply is not None:
                    await writer.send(reply)
                notice = notices.after(reply)
                if notice is not None:
                    await writer.send(notice)

        tasks = [asyncio.create_task(outbound()), asyncio.create_task(heartbeat())]
        try:
            await inbound()
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
    except WebSocketDisconnect:
        pass
    finally:
        await subscriber.close()
        runtime.metrics.open_sockets.labels("agent").dec()
        if runtime.presence.disconnected(agent.id):
            await presence.set_presence(ctx, agent, "offline")


async def _dispatch(runtime, agent, frame) -> dict | None:
    ctx, settings = runtime.conversations, runtime.settings
    if isinstance(frame, (f.Claim, f.Takeover)):
        return await claims.claim(ctx, agent, frame.conversation_id, proactive=isinstance(frame, f.Takeover))
    if isinstance(frame, f.Open):
        return await views.open_conversation(ctx, agent, frame.conversation_id)
    if isinstance(frame, f.AgentMessage):
        if len(frame.text) > settings.max_message_chars:
            raise f.FrameError("too_large", client_id=frame.client_id)
        return await agent_messages.agent_message(ctx, agent, frame.conversation_id, frame.client_id, frame.text)
    if isinstance(frame, f.Note):
        await agent_messages.add_note(ctx, agent, frame.conversation_id, frame.text)
        return None  # the note arrives through the conversation channel like on every other console
    if isinstance(frame, f.AgentTyping):
        await agent_messages.agent_typing(ctx, agent, frame.conversation_id, frame.active)
        return None
    if isinstance(frame, f.AgentRead):
        await agent_messages.agent_read(ctx, agent, frame.conversation_id, frame.seq)
        return None
    if isinstance(frame, f.Transfer):
        return await transfers.transfer(ctx, agent, frame.conversation_id, department=frame.department,
                                        agent_id=frame.agent_id, note=frame.note)
    if isinstance(frame, f.ReturnToBot):
        return await transfers.return_to_bot(ctx, agent, frame.conversation_id)
    if isinstance(frame, f.Close):
        return await closing.close(ctx, agent, frame.conversation_id, frame.resolution)
    if isinstance(frame, f.PushArticle):
        return await agent_messages.push_article(ctx, agent, frame.conversation_id, frame.article_id)
    if isinstance(frame, f.Presence):
        await presence.set_presence(ctx, agent, frame.status)
        return None
    if isinstance(frame, f.Ping):
        return {"type": "pong"}
    raise f.FrameError("unknown_type")
