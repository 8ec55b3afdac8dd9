"""Relay to Rasa's REST channel, and `trigger_intent` for "return to bot". Replies are normalised into
`BotReply` items: a `custom` object that Rasa sends as its own list item is attached to the preceding text
item of the same response (docs/bot-payloads.md).

Several Rasa processes (`BUERGERBOT_RASA_URL` as a comma-separated list) that share one tracker store and one
lock store are balanced here, in the client; there is no cluster logic beyond that. Each conversation has its own
order of the replicas (rendezvous hashing of its id), the same in every app replica and after restarts: its turns
go to its first replica, so the lock store rarely makes one Rasa wait for another, and to the next one in its
order when a replica refuses the connection (stopped, restarting, still loading its model). Any replica can
continue any conversation because the dialogue state is in the shared tracker store."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from dataclasses import dataclass, field
from typing import Callable, Sequence
from urllib.parse import urlsplit

import httpx

log = logging.getLogger(__name__)

# A replica that failed is asked last for this long, so the conversations routed to it do not each pay for a
# failed connection while it restarts (loading the model takes about half a minute).
DOWN_SECONDS = 5.0


class RasaUnavailable(Exception):
    """Rasa did not answer in time or answered with an error; the citizen's message stays stored."""


@dataclass
class BotReply:
    text: str | None
    buttons: list[dict] = field(default_factory=list)
    custom: dict | None = None


def merge_replies(items: list[dict]) -> list[BotReply]:
    replies: list[BotReply] = []
    for item in items:
        if not isinstance(item, dict):
            continue
        text = item.get("text")
        buttons = [
            {"title": str(b.get("title", "")), "payload": str(b.get("payload", ""))}
            for b in item.get("buttons") or []
            if isinstance(b, dict)
        ]
        custom = item.get("custom") if isinstance(item.get("custom"), dict) else None
        if text is None and custom is not None and replies and replies[-1].custom is None:
            replies[-1].custom = custom
            replies[-1].buttons.extend(buttons)
            continue
        if text is None and not buttons and custom is None:
            continue
        replies.append(BotReply(text=text, buttons=buttons, custom=custom))
    return replies


def parse_rasa_urls(value: str | Sequence[str]) -> list[str]:
    """`BUERGERBOT_RASA_URL`: one base URL or a comma-separated list of them (one per Rasa process)."""
    items = value.split(",") if isinstance(value, str) else list(value)
    urls = [item.strip().rstrip("/") for item in items if item.strip()]
    if not urls:
        raise ValueError("BUERGERBOT_RASA_URL names no Rasa server")
    for url in urls:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"BUERGERBOT_RASA_URL: {url!r} is not an http:// or https:// base URL")
    if len(set(urls)) != len(urls):
        raise ValueError("BUERGERBOT_RASA_URL names the same Rasa server twice")
    return urls


def _weight(url: str, conversation_id: str) -> int:
    # Not hash(): that differs between processes, and every app replica must route a conversation alike.
    return int.from_bytes(hashlib.blake2b(f"{url} {conversation_id}".encode(), digest_size=8).digest(), "big")


class Replicas:
    """The Rasa processes, and per conversation the order in which to ask them."""

    def __init__(self, urls: list[str], down_seconds: float = DOWN_SECONDS) -> None:
        self.urls = urls
        self.down_seconds = down_seconds
        self._down_until: dict[str, float] = {}

    def order(self, conversation_id: str) -> list[str]:
        """Rendezvous order: adding or removing a replica moves only the conversations that gain or lose it,
        and a failed replica's conversations spread over all the others. Failed ones go last, still tried."""
        ranked = sorted(self.urls, key=lambda url: _weight(url, conversation_id), reverse=True)
        now = time.monotonic()
        return sorted(ranked, key=lambda url: self._down_until.get(url, 0.0) > now)  # stable: keeps the rank

    def mark_down(self, url: str, error: object) -> None:
        if len(self.urls) > 1 and self._down_until.get(url, 0.0) <= time.monotonic():
            log.warning("Rasa at %s failed (%s); its conversations go to the other replicas", url, error)
        self._down_until[url] = time.monotonic() + self.down_seconds

    def mark_up(self, url: str) -> None:
        if self._down_until.pop(url, None) is not None and len(self.urls) > 1:
            log.info("Rasa at %s answers again", url)


class RasaClient:
    def __init__(self, base_url: str | Sequence[str], timeout_seconds: float, observe_latency=None,
                 before_message: Callable[[str], None] | None = None) -> None:
        """`before_message(text)` sees each citizen text just before Rasa does and must return at once: the app
        starts the knowledge search's query embedding there, so it runs while Rasa interprets the message."""
        self.replicas = Replicas(parse_rasa_urls(base_url))
        self.timeout = httpx.Timeout(timeout_seconds, connect=min(timeout_seconds, 3.0))
        self._client = httpx.AsyncClient(timeout=self.timeout)
        self._observe_latency = observe_latency or (lambda kind, seconds: None)
        self._before_message = before_message
        # Conversations whose session is being started ahead (start_session): their first message waits here.
        self._sessions_starting: dict[str, asyncio.Future] = {}

    async def aclose(self) -> None:
        await self._client.aclose()

    async def _post(self, kind: str, conversation_id: str, path: str, body: dict):
        """Asks the conversation's replicas in its order. Only a turn that certainly did not reach a replica goes
        on to the next one: a turn that may have reached it (a timeout or a dropped connection after sending)
        is not sent twice within the call; the replica is marked failed, so the caller's retry goes elsewhere."""
        started = time.perf_counter()
        failures: list[str] = []
        try:
            for base in self.replicas.order(conversation_id):
                try:
                    response = await self._client.post(f"{base}{path}", json=body)
                except (httpx.ConnectError, httpx.ConnectTimeout) as error:
                    self.replicas.mark_down(base, type(error).__name__)
                    failures.append(f"{base}: {type(error).__name__}")
                    continue
                except httpx.PoolTimeout as error:  # our own connection pool is full, not the replica's fault
                    raise RasaUnavailable(f"{kind}: {type(error).__name__}: {error}") from error
                except httpx.HTTPError as error:
                    self.replicas.mark_down(base, type(error).__name__)
                    raise RasaUnavailable(f"{kind}: {base}: {type(error).__name__}: {error}") from error
                except asyncio.CancelledError:  # the caller's deadline for the whole call (a hung replica)
                    self.replicas.mark_down(base, "no answer in time")
                    raise
                if response.status_code == 409:  # "No agent loaded": still loading its model, nothing processed
                    self.replicas.mark_down(base, "model not loaded")
                    failures.append(f"{base}: 409 model not loaded")
                    continue
                try:
                    response.raise_for_status()
                    data = response.json()
                except (httpx.HTTPError, ValueError) as error:
                    raise RasaUnavailable(f"{kind}: {base}: {type(error).__name__}: {error}") from error
                self.replicas.mark_up(base)
                return data
            raise RasaUnavailable(f"{kind}: no Rasa replica answered ({'; '.join(failures)})")
        finally:
            self._observe_latency(kind, time.perf_counter() - started)

    async def _after_session_start(self, conversation_id: str) -> None:
        """Rasa serialises a conversation's requests with its lock store, whose waiters poll once a second: a
        message sent while the session start is still running would wait up to a second. It waits here instead."""
        starting = self._sessions_starting.get(conversation_id)
        if starting is not None:
            await asyncio.shield(starting)

    async def send_message(self, conversation_id: str, text: str, language: str) -> list[BotReply]:
        if self._before_message is not None:
            try:
                self._before_message(text)
            except Exception:  # an optimisation only: the message goes to Rasa regardless
                log.exception("before_message hook failed")
        await self._after_session_start(conversation_id)
        data = await self._post(
            "message",
            conversation_id,
            "/webhooks/rest/webhook",
            # The conversation's language as the app keeps it (the bot's last decision, or the citizen's choice
            # since): the bot reads a difference from its own as the citizen's choice (language_detection.py).
            {"sender": conversation_id, "message": text,
             "metadata": {"language": language, "language_of": "conversation"}},
        )
        return merge_replies(data if isinstance(data, list) else [])

    async def start_session(self, conversation_id: str, language: str) -> None:
        """Starts a new conversation's Rasa session ahead of its first message (Rasa's HTTP API): Rasa runs
        `action_session_start` for a conversation it does not know before it appends the events, so the first
        question does not wait for that extra action call. The events are what the session start would set from
        the first message's metadata; the dialogue goes on exactly as without."""
        metadata = {"language": language}
        starting = self._sessions_starting[conversation_id] = asyncio.get_running_loop().create_future()
        try:
            await self._post(
                "start_session",
                conversation_id,
                f"/conversations/{conversation_id}/tracker/events?include_events=NONE",
                [{"event": "slot", "name": "session_started_metadata", "value": metadata},
                 {"event": "slot", "name": "language", "value": language}],
            )
        except RasaUnavailable as error:  # the first message starts the session itself
            log.info("session start ahead failed: %s", error)
        finally:
            del self._sessions_starting[conversation_id]
            starting.set_result(None)

    async def warm_up(self, wait_seconds: float = 600.0) -> None:
        """One NLU parse on each replica as soon as its model is loaded: Rasa's first inference after a start
        takes 0.5-2 s on the 2-core machine (later ones about 20 ms), and would otherwise fall on the first
        citizen. Needs the HTTP API (`--enable-api`, as `make run` starts Rasa); without it, nothing happens."""

        async def one(base: str) -> None:
            deadline = time.monotonic() + wait_seconds
            while time.monotonic() < deadline:
                try:
                    status = await self._client.get(f"{base}/status")
                    if status.status_code in (401, 403, 404):
                        return
                    if status.status_code == 200 and status.json().get("model_file"):
                        started = time.perf_counter()
                        await self._client.post(f"{base}/model/parse", json={"text": "Hallo"})
                        log.info("Rasa at %s warmed up (first parse %.0f ms)", base,
                                 (time.perf_counter() - started) * 1000)
                        return
                except (httpx.HTTPError, ValueError):
                    pass  # not up yet
                await asyncio.sleep(1.0)

        await asyncio.gather(*(one(base) for base in self.replicas.urls))

    async def trigger_intent(self, conversation_id: str, intent: str, language: str) -> list[BotReply]:
        """Rasa's HTTP API (`--enable-api`); without `output_channel` it returns the bot's messages. Routed like
        the conversation's messages, to the replica that has been answering it."""
        await self._after_session_start(conversation_id)
        data = await self._post(
            "trigger_intent",
            conversation_id,
            f"/conversations/{conversation_id}/trigger_intent",
            {"name": intent, "entities": {"language": language}},
        )
        messages = data.get("messages", []) if isinstance(data, dict) else []
        return merge_replies(messages)
