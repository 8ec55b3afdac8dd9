"""Pub/sub between app replicas, chosen by URL: `memory://` (one process) or `redis://host:port/db`.

Each websocket owns one `Subscriber` (a queue) that can join and leave channels while it lives; the hub
keeps channel → local subscribers, and the backend only moves JSON between replicas. With Redis one
connection per replica carries every channel (SUBSCRIBE when the first local subscriber joins a channel,
UNSUBSCRIBE when the last leaves).

Pub/sub is only the fast path: every event that matters is stored before it is published, and a socket that
missed events catches up from the database (on reconnect with `last_seq`, or when it is told to `RESYNC`).
So a Redis outage never fails a request: `publish` reports whether the event left this replica, delivers it
to this replica's own sockets anyway, and the hub logs one warning when the outage starts and one line when
it ends, then tells every local subscriber to resynchronise.

Redis channels ignore the database number, so every channel name on the wire carries the installation's
namespace (`default_namespace`): two installations sharing one Redis never see each other's events."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

log = logging.getLogger(__name__)

# Local-only marker a subscriber receives (instead of a channel's event) after pub/sub lost events.
RESYNC = "pubsub:resync"


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
        # Number of outages so far: a socket that told its user "delivery delayed" once in an outage stays quiet
        # until the next one.
        self.outages = 0

    @property
    def healthy(self) -> bool:
        return True

    async def connect(self) -> None:
        pass

    async def disconnect(self) -> None:
        pass

    def subscriber(self) -> Subscriber:
        return Subscriber(self)

    async def publish(self, channel: str, message: dict) -> bool:
        """True when every replica's subscribers will get the event; False when only this replica's did."""
        self._dispatch(channel, message)
        return True

    def _dispatch(self, channel: str, message: dict) -> None:
        for subscriber in list(self._local.get(channel, ())):
            subscriber.deliver(channel, message)

    def _resync_all(self) -> int:
        subscribers = {subscriber for members in self._local.values() for subscriber in members}
        for subscriber in subscribers:
            subscriber.deliver(RESYNC, {"kind": "resync"})
        return len(subscribers)

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
    RECONNECT_BACKOFF_MAX = 5.0

    def __init__(self, url: str, namespace: str = "default") -> None:
        super().__init__()
        self.url = url
        self.prefix = f"buergerbot:{namespace}:"
        self._redis = None
        self._listener = None
        self._pubsub = None
        self._reader: asyncio.Task | None = None
        self._lock = asyncio.Lock()
        self._healthy = False
        self._down_since: float | None = None

    @property
    def healthy(self) -> bool:
        return self._healthy

    async def connect(self) -> None:
        """Starts even when Redis is down (one warning): citizens are served meanwhile and the reader keeps
        trying to connect."""
        import redis.asyncio as redis
        from redis.backoff import NoBackoff
        from redis.asyncio.retry import Retry

        options = dict(decode_responses=True, socket_connect_timeout=2.0, socket_timeout=5.0,
                       health_check_interval=15)
        # One quick retry reconnects a pooled connection that went stale across a Redis restart; anything
        # longer would hold a citizen's request while Redis is down.
        self._redis = redis.from_url(self.url, retry=Retry(NoBackoff(), 1), **options)
        # The subscription must not reconnect behind our back: events published meanwhile would be missed
        # without the resync that our own reconnect triggers.
        self._listener = redis.from_url(self.url, retry=Retry(NoBackoff(), 0), **options)
        try:
            await self._subscribe_all()
        except Exception as error:
            self._went_down(error)
        self._reader = asyncio.create_task(self._read(), name="pubsub-redis-reader")

    async def disconnect(self) -> None:
        if self._reader:
            self._reader.cancel()
            try:
                await self._reader
            except (asyncio.CancelledError, Exception):
                pass
        await self._close_subscription()
        for client in (self._redis, self._listener):
            if client is not None:
                await client.aclose()

    async def publish(self, channel: str, message: dict) -> bool:
        if self._healthy:
            try:
                await self._redis.publish(self.prefix + channel,
                                          json.dumps(message, separators=(",", ":"), ensure_ascii=False))
                return True
            except Exception as error:
                self._went_down(error)
        self._dispatch(channel, message)  # this replica's sockets still get it at once
        return False

    async def _attach(self, channel: str, subscriber: Subscriber) -> None:
        async with self._lock:
            first = channel not in self._local
            await super()._attach(channel, subscriber)
            if first and self._healthy:
                try:
                    await self._pubsub.subscribe(self.prefix + channel)
                except Exception as error:  # the reconnect subscribes every local channel again
                    self._went_down(error)

    async def _detach(self, channel: str, subscriber: Subscriber) -> None:
        async with self._lock:
            await super()._detach(channel, subscriber)
            if channel not in self._local and self._healthy:
                try:
                    await self._pubsub.unsubscribe(self.prefix + channel)
                except Exception as error:
                    self._went_down(error)

    async def _close_subscription(self) -> None:
        if self._pubsub is not None:
            pubsub, self._pubsub = self._pubsub, None
            try:
                await pubsub.aclose()
            except Exception:  # the connection is gone already; nothing left to release
                pass

    async def _subscribe_all(self) -> None:
        """A fresh subscription connection for every channel this replica's sockets are in."""
        async with self._lock:
            await self._close_subscription()
            await self._listener.ping()
            pubsub = self._listener.pubsub(ignore_subscribe_messages=True)
            # redis-py needs at least one subscription before listening; a private channel keeps it alive.
            await pubsub.subscribe(self.prefix + "_keepalive", *[self.prefix + c for c in self._local])
            self._pubsub = pubsub
            # Still under the lock: a socket joining right now either is in the list above or subscribes itself.
            self._healthy = True

    def _went_down(self, error: BaseException) -> None:
        if not self._healthy and self._down_since is not None:
            log.debug("redis pub/sub still unavailable: %s", error)
            return
        self._healthy = False
        self._down_since = time.monotonic()
        self.outages += 1
        log.warning("redis pub/sub unavailable (%s: %s); events are stored and reach the sockets when it is "
                    "back", type(error).__name__, error)

    def _came_back(self) -> None:
        outage = time.monotonic() - (self._down_since or time.monotonic())
        self._down_since = None
        resynced = self._resync_all()
        log.info("redis pub/sub available again after %.1f s; %d local sockets resynchronised", outage, resynced)

    async def _read(self) -> None:
        backoff = 0.2
        while True:
            if not self._healthy:
                try:
                    await self._subscribe_all()
                except asyncio.CancelledError:
                    raise
                except Exception as error:
                    self._went_down(error)
                    await asyncio.sleep(backoff)
                    backoff = min(backoff * 2, self.RECONNECT_BACKOFF_MAX)
                    continue
                backoff = 0.2
                self._came_back()
            try:
                message = await self._pubsub.get_message(timeout=1.0)
            except asyncio.CancelledError:
                raise
            except Exception as error:
                self._went_down(error)
                continue
            if message and message.get("type") == "message":
                channel = message["channel"]
                if not channel.startswith(self.prefix):
                    continue
                try:
                    payload = json.loads(message["data"])
                except ValueError:
                    continue
                self._dispatch(channel[len(self.prefix):], payload)


def default_namespace(database_url: str, pubsub_url: str) -> str:
    """Replicas of one installation share their database, installations do not: a short hash of where the
    database lives (not who logs in, so a changed password keeps the namespace) and of the Redis db number."""
    from sqlalchemy.engine import make_url

    url = make_url(database_url)
    database = url.database or ""
    if url.get_backend_name() == "sqlite" and database and database != ":memory:":
        database = str(Path(database).resolve())
    query = sorted((key, str(value)) for key, value in url.query.items())
    split = urlsplit(pubsub_url)
    redis_db = split.path.strip("/") or parse_qs(split.query).get("db", ["0"])[0]
    identity = repr((url.get_backend_name(), url.host, url.port, database, query, redis_db))
    return hashlib.sha256(identity.encode("utf-8")).hexdigest()[:12]


def make_pubsub(url: str, namespace: str = "default") -> PubSub:
    if url.startswith("memory://"):
        return PubSub()
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisPubSub(url, namespace)
    raise ValueError(f"unsupported pubsub URL '{url}' (use memory:// or redis://host:port/db)")
