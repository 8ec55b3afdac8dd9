"""Pub/sub between app replicas, chosen by URL: `memory://` (one process) or `redis://host:port/db`.

Each websocket owns one `Subscriber` (a queue) that can join and leave channels while it lives; the hub
keeps channel → local subscribers, and the backend only moves JSON between replicas. With Redis one
connection per replica carries every channel (SUBSCRIBE when the first local subscriber joins a channel,
UNSUBSCRIBE when the last leaves)."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

log = logging.getLogger(__name__)


class Subscriber:
    def __init__(self, hub: "PubSub", maxsize: int = 1000) -> None:
        self._hub = hub
        self.queue: asyncio.Queue[tuple[str, dict]] = asyncio.Queue(maxsize=maxsize)
        self.channels: set[str] = set()

    async def join(self, channel: str) -> None:
        if channel not in self.channels:
            self.channels.add(channel)
            await self._hub._attach(channel, self)

    async def leave(self, channel: str) -> None:
        if channel in self.channels:
            self.channels.discard(channel)
            await self._hub._detach(channel, self)

    async def get(self) -> tuple[str, dict]:
        return await self.queue.get()

    def deliver(self, channel: str, message: dict) -> None:
        try:
            self.queue.put_nowait((channel, message))
        except asyncio.QueueFull:  # a stuck socket must not stall the replica; its client resumes by seq
            log.warning("subscriber queue full; dropping a transient event on %s", channel)

    async def close(self) -> None:
        for channel in list(self.channels):
            await self.leave(channel)

    async def __aenter__(self) -> "Subscriber":
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.close()


class PubSub:
    """In-process hub; subclasses forward between replicas."""

    def __init__(self) -> None:
        self._local: dict[str, set[Subscriber]] = {}

    async def connect(self) -> None:
        pass

    async def disconnect(self) -> None:
        pass

    def subscriber(self) -> Subscriber:
        return Subscriber(self)

    async def publish(self, channel: str, message: dict) -> None:
        self._dispatch(channel, message)

    def _dispatch(self, channel: str, message: dict) -> None:
        for subscriber in list(self._local.get(channel, ())):
            subscriber.deliver(channel, message)

    async def _attach(self, channel: str, subscriber: Subscriber) -> None:
        self._local.setdefault(channel, set()).add(subscriber)

    async def _detach(self, channel: str, subscriber: Subscriber) -> None:
        members = self._local.get(channel)
        if members is not None:
            members.discard(subscriber)
            if not members:
                del self._local[channel]

    def local_channels(self) -> int:
        return len(self._local)


class RedisPubSub(PubSub):
    def __init__(self, url: str) -> None:
        super().__init__()
        self.url = url
        self._redis = None
        self._pubsub = None
        self._reader: asyncio.Task | None = None
        self._lock = asyncio.Lock()

    async def connect(self) -> None:
        import redis.asyncio as redis

        self._redis = redis.from_url(self.url, decode_responses=True)
        await self._redis.ping()
        self._pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
        # redis-py needs at least one subscription before listening; a private channel keeps it alive.
        await self._pubsub.subscribe("buergerbot:_keepalive")
        self._reader = asyncio.create_task(self._read(), name="pubsub-redis-reader")

    async def disconnect(self) -> None:
        if self._reader:
            self._reader.cancel()
            try:
                await self._reader
            except (asyncio.CancelledError, Exception):
                pass
        if self._pubsub is not None:
            await self._pubsub.aclose()
        if self._redis is not None:
            await self._redis.aclose()

    async def publish(self, channel: str, message: dict) -> None:
        await self._redis.publish(channel, json.dumps(message, separators=(",", ":"), ensure_ascii=False))

    async def _attach(self, channel: str, subscriber: Subscriber) -> None:
        async with self._lock:
            first = channel not in self._local
            await super()._attach(channel, subscriber)
            if first:
                await self._pubsub.subscribe(channel)

    async def _detach(self, channel: str, subscriber: Subscriber) -> None:
        async with self._lock:
            await super()._detach(channel, subscriber)
            if channel not in self._local:
                await self._pubsub.unsubscribe(channel)

    async def _read(self) -> None:
        while True:
            try:
                message = await self._pubsub.get_message(timeout=1.0)
            except asyncio.CancelledError:
                raise
            except Exception:  # connection trouble: keep the replica alive and retry
                log.exception("redis pub/sub read failed; retrying")
                await asyncio.sleep(0.5)
                continue
            if message and message.get("type") == "message":
                try:
                    payload = json.loads(message["data"])
                except ValueError:
                    continue
                self._dispatch(message["channel"], payload)


def make_pubsub(url: str) -> PubSub:
    if url.startswith("memory://"):
        return PubSub()
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisPubSub(url)
    raise ValueError(f"unsupported pubsub URL '{url}' (use memory:// or redis://host:port/db)")
