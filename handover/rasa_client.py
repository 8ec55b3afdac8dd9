"""Relay to Rasa's REST channel, and `trigger_intent` for "return to bot". Replies are normalised into
`BotReply` items: a `custom` object that Rasa sends as its own list item is attached to the preceding text
item of the same response (docs/bot-payloads.md)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import httpx


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


class RasaClient:
    def __init__(self, base_url: str, timeout_seconds: float, observe_latency=None) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = httpx.Timeout(timeout_seconds, connect=min(timeout_seconds, 3.0))
        self._client = httpx.AsyncClient(timeout=self.timeout)
        self._observe_latency = observe_latency or (lambda kind, seconds: None)

    async def aclose(self) -> None:
        await self._client.aclose()

    async def _post(self, kind: str, url: str, body: dict, params: dict | None = None):
        started = time.perf_counter()
        try:
            response = await self._client.post(url, json=body, params=params)
            response.raise_for_status()
            return response.json()
        except (httpx.HTTPError, ValueError) as error:
            raise RasaUnavailable(f"{kind}: {type(error).__name__}: {error}") from error
        finally:
            self._observe_latency(kind, time.perf_counter() - started)

    async def send_message(self, conversation_id: str, text: str, language: str) -> list[BotReply]:
        data = await self._post(
            "message",
            f"{self.base_url}/webhooks/rest/webhook",
            {"sender": conversation_id, "message": text, "metadata": {"language": language}},
        )
        return merge_replies(data if isinstance(data, list) else [])

    async def trigger_intent(self, conversation_id: str, intent: str, language: str) -> list[BotReply]:
        """Rasa's HTTP API (`--enable-api`); without `output_channel` it returns the bot's messages."""
        data = await self._post(
            "trigger_intent",
            f"{self.base_url}/conversations/{conversation_id}/trigger_intent",
            {"name": intent, "entities": {"language": language}},
        )
        messages = data.get("messages", []) if isinstance(data, dict) else []
        return merge_replies(messages)
