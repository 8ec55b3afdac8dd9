"""The truth for someone whose message was stored while pub/sub was down: "stored, delivery delayed" rather
than a generic error. Said once per socket and outage, not after every message.

It goes out as an `error` frame without `client_id` (code `delivery_delayed`): widget and console show such a
frame as a notice and leave the acknowledged message alone (docs/protocol.md)."""

from __future__ import annotations

from handover.shell.pubsub import PubSub
from handover.web.frames import ERROR_TEXTS

TEXTS = {
    "de": ERROR_TEXTS["delivery_delayed"],
    "en": "Your message has been saved; its delivery is delayed.",
}


def delayed(reply: dict | None) -> bool:
    return bool(reply) and reply.get("type") == "ack" and reply.get("delivery") == "delayed"


class DelayNotices:
    def __init__(self, pubsub: PubSub, language: str = "de") -> None:
        self.pubsub = pubsub
        self.language = language if language in TEXTS else "de"
        self._told_in_outage: int | None = None

    def after(self, reply: dict | None) -> dict | None:
        if not delayed(reply) or self._told_in_outage == self.pubsub.outages:
            return None
        self._told_in_outage = self.pubsub.outages
        return {"type": "error", "code": "delivery_delayed", "message": TEXTS[self.language], "client_id": None}
