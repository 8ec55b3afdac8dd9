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
    "tr": "Mesajınız kaydedildi; iletilmesi gecikiyor.",
    "uk": "Ваше повідомлення збережено; його доставка затримується.",
    "ar": "تم حفظ رسالتك، لكن إيصالها يتأخر.",
}


def delayed(reply: dict | None) -> bool:
    return bool(reply) and reply.get("type") == "ack" and reply.get("delivery") == "delayed"


class DelayNotices:
    def __init__(self, pubsub: PubSub, language: str = "de") -> None:
        self.pubsub = pubsub
        # the conversation's language; the socket sets it anew when the conversation's language changes
        self.language = language
        self._told_in_outage: int | None = None

    def after(self, reply: dict | None) -> dict | None:
        if not delayed(reply) or self._told_in_outage == self.pubsub.outages:
            return None
        self._told_in_outage = self.pubsub.outages
        return {"type": "error", "code": "delivery_delayed", "message": TEXTS.get(self.language, TEXTS["de"]),
                "client_id": None}
