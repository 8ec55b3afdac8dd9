"""What one citizen socket is sent from its conversation's channel: persisted events exactly once and in `seq`
order, transient frames as they come, queue positions only when they change.

Pub/sub may lose or reorder persisted events (a Redis outage, two replicas publishing at once). Every such event
is committed before it is published, so a gap in `seq` is filled from the database right away, and after an
outage (`pubsub.RESYNC`) the stream reads whatever it has not sent yet."""

from __future__ import annotations

from handover.domain.conversations import citizen_turns
from handover.domain.conversations.core import ConversationContext
from handover.shell.pubsub import RESYNC


def for_citizen(frame: dict) -> dict:
    return {key: value for key, value in frame.items() if key != "conversation_id"}


class CitizenEventStream:
    def __init__(self, conversations: ConversationContext, conversation_id: str, last_seq: int) -> None:
        self.conversations = conversations
        self.conversation_id = conversation_id
        self.sent_seq = last_seq
        self._queue_signature = None

    async def backlog(self) -> list[dict]:
        """Every stored event after the last one sent (the resume backlog, a gap, or a resync)."""
        frames = []
        for event in await citizen_turns.events_since(self.conversations, self.conversation_id, self.sent_seq):
            if event["seq"] > self.sent_seq:
                self.sent_seq = event["seq"]
                frames.append(for_citizen(event))
        return frames

    async def frames_for(self, channel: str, event: dict) -> list[dict]:
        if channel == RESYNC:
            return await self.backlog()
        if event.get("to") not in ("all", "citizen"):
            return []
        frame = event["frame"]
        if "seq" in frame:
            if frame["seq"] <= self.sent_seq:
                return []
            if frame["seq"] > self.sent_seq + 1:
                return await self.backlog()  # includes this event: it was stored before it was published
            self.sent_seq = frame["seq"]
        elif frame["type"] == "queue":
            signature = (frame.get("position"), frame.get("estimated_wait_seconds"))
            if signature == self._queue_signature:
                return []
            self._queue_signature = signature
        return [for_citizen(frame)]
