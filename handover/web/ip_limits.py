"""The per-IP limits where the app sees the client (handover/domain/client_limits.py counts): a new conversation
at the citizen socket's hello, a ticket from the chat, and the application status lookup Rasa runs through
/webhook (counted against the address the conversation was last seen from).

A refused hello gets an `error` frame `rate_limited` with the wait in German or English and `retry_after`
(seconds); the socket stays open that long (answering pings) and is then closed with 1013 "try again later", so
the widget reconnects once the minute is over instead of showing the refusal again and again.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random

from fastapi import WebSocket
from starlette.requests import HTTPConnection

from handover.domain import client_limits
from handover.domain.client_limits import ClientLimits, refusal_text
from handover.shell.database import Database
from handover.shell.settings import Settings
from handover.web.client_address import client_address, client_key
from handover.web.sockets import SocketWriter, receive

log = logging.getLogger(__name__)
PURGE_CHANCE = 0.02  # now and then a counted action also removes everyone's expired rows


class IpLimits:
    def __init__(self, settings: Settings, db: Database, secret: str) -> None:
        self.settings = settings
        self.db = db
        self.secret = secret
        self.limits = ClientLimits(settings.new_conversations_per_minute_per_ip)

    def client(self, connection: HTTPConnection) -> str | None:
        address = client_address(connection, self.settings)
        return client_key(address, self.secret) if address else None

    async def _hit(self, work) -> int | None:
        wait = await self.db.run(work)
        if random.random() < PURGE_CHANCE:
            try:
                await self.db.run(client_limits.purge_expired)
            except Exception:  # a purge that lost a race is tried again another time
                log.debug("purging expired client hits failed", exc_info=True)
        return wait

    async def hello_refusal(self, websocket: WebSocket, token: str | None, language: str) -> dict | None:
        """The error frame for a hello that would start one conversation too many from this address."""
        client = self.client(websocket)
        wait = await self._hit(lambda s: self.limits.new_conversation(s, token, client))
        if wait is None:
            return None
        log.info("new conversation refused: per-IP limit (%s per minute)", self.limits.per_minute)
        return _rate_limited(refusal_text("conversation", language, wait), wait)

    async def remember(self, websocket: WebSocket, conversation_id: str) -> None:
        client = self.client(websocket)
        await self.db.run(lambda s: client_limits.remember_client(s, conversation_id, client))

    async def ticket_refusal(self, websocket: WebSocket, language: str, client_id: str | None) -> dict | None:
        client = self.client(websocket)
        wait = await self._hit(lambda s: self.limits.hit(s, "ticket", client))
        if wait is None:
            return None
        return _rate_limited(refusal_text("ticket", language, wait), wait, client_id)

    async def status_lookup_refusal(self, conversation_id: str, language: str) -> str | None:
        """The text telling the citizen to wait, when the conversation's address looked up too many cases."""
        wait = await self._hit(
            lambda s: self.limits.hit(s, "status_lookup", client_limits.client_of(s, conversation_id)))
        return None if wait is None else refusal_text("status_lookup", language, wait)


def _rate_limited(message: str, wait: int, client_id: str | None = None) -> dict:
    return {"type": "error", "code": "rate_limited", "message": message, "client_id": client_id,
            "retry_after": wait}


async def hold_then_close(websocket: WebSocket, writer: SocketWriter, seconds: int) -> None:
    """Keeps a refused socket open until the wait is over (pings answered), then closes it with 1013."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while (remaining := deadline - loop.time()) > 0:
        try:
            raw = await asyncio.wait_for(receive(websocket), remaining)
        except asyncio.TimeoutError:
            break
        if raw is None:
            return
        try:
            frame = json.loads(raw) if isinstance(raw, str) and len(raw) < 200 else None
        except ValueError:
            frame = None
        if isinstance(frame, dict) and frame.get("type") == "ping":
            await writer.send({"type": "pong"})
    await websocket.close(code=1013)
