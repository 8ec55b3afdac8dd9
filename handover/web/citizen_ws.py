"""`/ws/citizen`: pumps frames between a widget and the conversation actions (docs/protocol.md §1)."""

from __future__ import annotations

import asyncio
import logging

from fastapi import APIRouter, WebSocket
from starlette.websockets import WebSocketDisconnect

from handover.domain.conversations import citizen_turns, closing, handover_requests, languages, ticket_requests
from handover.domain.conversations.core import conversation_channel
from handover.web import frames as f
from handover.web.citizen_stream import CitizenEventStream
from handover.web.delivery_notice import DelayNotices
from handover.web.ip_limits import hold_then_close
from handover.web.origins import origin_allowed
from handover.web.sockets import SocketWriter, receive, refuse

log = logging.getLogger(__name__)
router = APIRouter()


@router.websocket("/ws/citizen")
async def citizen_socket(websocket: WebSocket) -> None:
    runtime = websocket.app.state.handover
    settings, conversations = runtime.settings, runtime.conversations
    if not origin_allowed(websocket.headers.get("origin"), settings, widget=True,
                          request_host=websocket.headers.get("host")):
        await refuse(websocket, 4403)
        return
    await websocket.accept()
    writer = SocketWriter(websocket)
    runtime.metrics.open_sockets.labels("citizen").inc()
    subscriber = runtime.pubsub.subscriber()
    conversation_id = None
    try:
        hello = None
        while hello is None:
            raw = await receive(websocket)
            if raw is None:
                return
            try:
                frame = f.parse_citizen_frame(raw, settings.max_frame_bytes)
            except f.FrameError as error:
                await writer.send(error.frame())
                continue
            if not isinstance(frame, f.Hello):
                await writer.send(f.FrameError("invalid", "Bitte beginnen Sie mit einer 'hello'-Nachricht.").frame())
                continue
            if frame.version != f.PROTOCOL_VERSION:
                await writer.send(f.FrameError("unsupported_version").frame())
                await websocket.close(code=4400)
                return
            hello = frame

        ip_limits = websocket.app.state.ip_limits  # per client address (handover/web/ip_limits.py)
        refusal = await ip_limits.hello_refusal(websocket, hello.token, hello.language)
        if refusal is not None:
            await writer.send(refusal)
            await hold_then_close(websocket, writer, refusal["retry_after"])
            return
        conversation_id, welcome = await citizen_turns.hello(
            conversations, token=hello.token, language=hello.language, page=hello.page, citizen_key=hello.citizen_key,
            department=hello.department,
        )
        await ip_limits.remember(websocket, conversation_id)  # status lookups count against this address
        if not welcome["resumed"]:
            # Rasa starts the session while the citizen types, so the first question does not wait for it.
            conversations.tasks.spawn(runtime.rasa.start_session(conversation_id, hello.language))
        # subscribe before reading the backlog so nothing published in between is lost; seq de-duplicates
        await subscriber.join(conversation_channel(conversation_id))
        stream = CitizenEventStream(conversations, conversation_id, hello.last_seq)
        backlog = await stream.backlog()
        welcome["limits"] = {"max_message_chars": settings.max_message_chars,
                             "max_frame_bytes": settings.max_frame_bytes,
                             "max_photo_bytes": settings.upload_max_bytes}
        await writer.send(welcome)
        for frame in backlog:
            await writer.send(frame)
        notices = DelayNotices(runtime.pubsub, welcome["language"])

        async def outbound() -> None:
            while True:
                channel, event = await subscriber.get()
                for frame in await stream.frames_for(channel, event):
                    if frame.get("type") == "language":  # this socket's own notices follow the conversation
                        notices.language = frame["language"]
                    await writer.send(frame)

        async def inbound() -> None:
            while True:
                raw = await receive(websocket)
                if raw is None:
                    return
                try:
                    frame = f.parse_citizen_frame(raw, settings.max_frame_bytes)
                    refusal = (await ip_limits.ticket_refusal(websocket, notices.language, frame.client_id)
                               if isinstance(frame, f.TicketRequest) else None)
                    reply = refusal or await _dispatch(runtime, conversation_id, frame)
                except f.FrameError as error:
                    reply = error.frame()
                except Exception:  # a bug must not cost the citizen the connection
                    log.exception("citizen frame failed")
                    runtime.metrics.errors.labels("citizen_ws").inc()
                    reply = f.FrameError("invalid", "Es ist ein Fehler aufgetreten. Bitte versuchen Sie es erneut.").frame()
                if reply is not None:
                    await writer.send(reply)
                notice = notices.after(reply)
                if notice is not None:
                    await writer.send(notice)

        pump_out = asyncio.create_task(outbound())
        try:
            await inbound()
        finally:
            pump_out.cancel()
            await asyncio.gather(pump_out, return_exceptions=True)
    except WebSocketDisconnect:
        pass
    finally:
        await subscriber.close()
        runtime.metrics.open_sockets.labels("citizen").dec()


async def _dispatch(runtime, conversation_id: str, frame) -> dict | None:
    ctx, settings = runtime.conversations, runtime.settings
    if isinstance(frame, f.CitizenMessage):
        if len(frame.text) > settings.max_message_chars:
            raise f.FrameError("too_large", client_id=frame.client_id)
        return await citizen_turns.citizen_message(ctx, conversation_id, frame.client_id, frame.text)
    if isinstance(frame, f.CitizenTyping):
        await citizen_turns.citizen_typing(ctx, conversation_id, frame.active)
        return None
    if isinstance(frame, f.CitizenRead):
        await citizen_turns.citizen_read(ctx, conversation_id, frame.seq)
        return None
    if isinstance(frame, f.RequestHuman):
        await handover_requests.request_handover(ctx, conversation_id, reason="citizen_request")
        return None
    if isinstance(frame, f.TicketRequest):
        if len(frame.concern) > settings.max_message_chars:
            raise f.FrameError("too_large", client_id=frame.client_id)
        return await ticket_requests.create_ticket(ctx, conversation_id, client_id=frame.client_id, name=frame.name,
                                                   contact=frame.contact, concern=frame.concern)
    if isinstance(frame, f.Csat):
        return await closing.save_csat(ctx, conversation_id, frame.rating, frame.comment)
    if isinstance(frame, f.Feedback):
        return await closing.save_feedback(ctx, conversation_id, frame.seq, frame.helpful, frame.comment)
    if isinstance(frame, f.End):
        await closing.citizen_end(ctx, conversation_id)
        return None
    if isinstance(frame, f.Ping):
        return {"type": "pong"}
    if isinstance(frame, f.LanguageChoice):
        await languages.set_language(ctx, conversation_id, frame.language, "citizen")
        return None
    if isinstance(frame, f.Hello):
        raise f.FrameError("invalid", "Die Verbindung ist bereits begrüßt.")
    raise f.FrameError("unknown_type")
