"""What the citizen and the agent websocket share: one writer at a time, reading a frame or noticing the
disconnect, and refusing a socket with an application close code."""

from __future__ import annotations

import asyncio

from fastapi import WebSocket
from starlette.websockets import WebSocketState


class SocketWriter:
    """One writer at a time: the inbound and outbound pumps both answer on the same socket."""

    def __init__(self, websocket: WebSocket) -> None:
        self.websocket = websocket
        self._lock = asyncio.Lock()

    async def send(self, frame: dict) -> None:
        async with self._lock:
            if self.websocket.client_state == WebSocketState.CONNECTED:
                await self.websocket.send_json(frame)


async def refuse(websocket: WebSocket, code: int) -> None:
    """Accept, then close with an application code (4401/4403) the client can tell apart from a network
    error; a refused handshake would only show a bare HTTP 403."""
    await websocket.accept()
    await websocket.close(code=code)


async def receive(websocket: WebSocket) -> str | bytes | None:
    """The next frame's text, or its bytes for a binary frame (which frames.py answers with `bad_frame`, the
    socket staying open); None when the client has gone."""
    message = await websocket.receive()
    if message["type"] == "websocket.disconnect":
        return None
    return message.get("text") if message.get("text") is not None else message.get("bytes", b"")
