"""The conversation service: the state machine bot → waiting → agent → bot/closed, per-conversation sequence
numbers, idempotent client ids, the Rasa relay, handover, claim/transfer/close, tickets, CSAT and feedback.

Websocket handlers call these methods and forward what comes back; every persisted event is also published
on the conversation's pub/sub channel so sockets on any replica receive it (a failed publish only delays it:
sockets catch up from the database). Turns for the bot go through the relay outbox (handover/relay_outbox.py).
Exactly-once claims are decided by the database (a conditional UPDATE that only one transaction can win)."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import secrets
import time
import uuid
from collections import defaultdict, deque
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, noload

from handover import tickets as ticket_store
from handover.auth import AgentInfo
from handover.database import Database
from handover.frames import FrameError
from handover.metrics import Metrics
from handover.models.conversations import (
    Agent,
    AnswerFeedback,
    Conversation,
    CsatRating,
    HandoverEvent,
    InternalNote,
    Message,
    PendingRelay,
    Ticket,
)
from handover.pubsub import PubSub
from handover.rasa_client import BotReply, RasaClient
from handover import relay_outbox
from handover.relay_outbox import ClaimedRelay, RelayOutbox, RelayPolicy
from handover.routing import Routing, iso

log = logging.getLogger(__name__)

CONSOLES_CHANNEL = "buergerbot:consoles"


def conversation_channel(conversation_id: str) -> str:
    return f"buergerbot:conv:{conversation_id}"


def agent_channel(agent_id: int) -> str:
    return f"buergerbot:agent:{agent_id}"


def state_notice(state: str) -> dict:
    """Marks a system message that only announces a state change: the transcript (and the agent) keep it, while
    the widget shows the citizen its own wording from the `state` event that follows (protocol: state_notice)."""
    return {"type": "state_notice", "version": 1, "state": state}


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


TEXTS = {
    "de": {
        "queued": "Ich verbinde Sie mit dem Team „{department}“. Bitte haben Sie einen Moment Geduld.",
        "assigned": "{agent} ({department}) ist jetzt für Sie da.",
        "outside_office_hours": (
            "Das Team „{department}“ ist gerade nicht erreichbar. Sprechzeiten: {hours}.{next_open} "
            "Sie können uns eine Nachricht mit Ihren Kontaktdaten hinterlassen – wir melden uns bei Ihnen."
        ),
        "next_open": " Nächste Sprechzeit: {when}.",
        "no_agent_online": (
            "Im Moment ist leider niemand aus dem Team „{department}“ erreichbar. Sie können uns eine Nachricht "
            "mit Ihren Kontaktdaten hinterlassen – wir melden uns bei Ihnen."
        ),
        "bot_unavailable": (
            "Der digitale Assistent ist gerade nicht erreichbar. Ihre Nachricht ist gespeichert. Bitte versuchen "
            "Sie es gleich noch einmal, sprechen Sie mit einem Menschen oder hinterlassen Sie uns eine Nachricht."
        ),
        "request_human_button": "Mit einem Menschen sprechen",
        "transferred_department": "Ihr Anliegen wird an das Team „{department}“ weitergegeben. Einen Moment bitte.",
        "transferred_agent": "{agent} übernimmt jetzt Ihr Gespräch.",
        "returned_to_bot": "Sie sind wieder beim digitalen Assistenten.",
        "closed_by_agent": "Das Gespräch wurde beendet. Vielen Dank! Wie zufrieden waren Sie mit der Beratung?",
        "closed_by_citizen": "Sie haben das Gespräch beendet. Vielen Dank! Wie zufrieden waren Sie?",
        "ticket_created": (
            "Vielen Dank! Ihre Nachricht ist bei uns eingegangen (Vorgang {reference}). Wir melden uns über die "
            "angegebenen Kontaktdaten."
        ),
        "weekdays": ("Mo.", "Di.", "Mi.", "Do.", "Fr.", "Sa.", "So."),
        "when": "{weekday} {date} um {time} Uhr",
    },
    "en": {
        "queued": "I am connecting you with the team “{department}”. Please wait a moment.",
        "assigned": "{agent} ({department}) is now here for you.",
        "outside_office_hours": (
            "The team “{department}” is not available right now. Office hours: {hours}.{next_open} "
            "You can leave us a message with your contact details and we will get back to you."
        ),
        "next_open": " Next office hours: {when}.",
        "no_agent_online": (
            "Unfortunately nobody from the team “{department}” is available right now. You can leave us a message "
            "with your contact details and we will get back to you."
        ),
        "bot_unavailable": (
            "The digital assistant is not reachable right now. Your message has been saved. Please try again in a "
            "moment, talk to a person or leave us a message."
        ),
        "request_human_button": "Talk to a person",
        "transferred_department": "Your request is being passed on to the team “{department}”. One moment please.",
        "transferred_agent": "{agent} is taking over your conversation now.",
        "returned_to_bot": "You are back with the digital assistant.",
        "closed_by_agent": "The conversation has ended. Thank you! How satisfied were you?",
        "closed_by_citizen": "You have ended the conversation. Thank you! How satisfied were you?",
        "ticket_created": (
            "Thank you! We have received your message (reference {reference}). We will contact you using the "
            "details you provided."
        ),
        "weekdays": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
        "when": "{weekday} {date} at {time}",
    },
}


def _text(language: str, key: str, **values: Any) -> str:
    template = TEXTS.get(language, TEXTS["de"])[key]
    return template.format(**values) if values else template


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def event_frame(message: Message) -> dict:
    """Persisted event → the frame the widget and console receive (docs/protocol.md)."""
    if message.kind == "state":
        payload = dict(message.payload or {})
        return {"type": "state", "seq": message.seq, "conversation_id": message.conversation_id, **payload}
    if message.kind == "ticket_created":
        return {
            "type": "ticket_created",
            "seq": message.seq,
            "conversation_id": message.conversation_id,
            "reference": (message.payload or {}).get("reference"),
            "client_id": message.client_id,
        }
    return {
        "type": "message",
        "seq": message.seq,
        "conversation_id": message.conversation_id,
        "id": message.id,
        "sender": message.sender,
        "text": message.text,
        "client_id": message.client_id,
        "created_at": iso(message.created_at),
        "buttons": message.buttons or [],
        "payload": message.payload,
        "agent": {"display_name": message.agent_display_name} if message.agent_display_name else None,
    }


class RateLimiter:
    """Sliding window per conversation on this replica (a citizen's socket lives on one replica)."""

    def __init__(self, limit: int, window_seconds: float) -> None:
        self.limit = limit
        self.window = window_seconds
        self._hits: dict[str, deque[float]] = defaultdict(deque)

    def allow(self, key: str) -> bool:
        now = time.monotonic()
        if len(self._hits) > 10_000:  # drop conversations that have been quiet for a whole window
            for stale in [k for k, hits in self._hits.items() if not hits or hits[-1] <= now - self.window]:
                del self._hits[stale]
        hits = self._hits[key]
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        if len(hits) >= self.limit:
            return False
        hits.append(now)
        return True



class ConversationService:
    def __init__(
        self,
        *,
        db: Database,
        pubsub: PubSub,
        routing: Routing,
        rasa: RasaClient,
        metrics: Metrics,
        rate_limiter: RateLimiter,
        watch_minutes: int,
        get_article: Callable[[str], Any] | None = None,
        rasa_timeout_seconds: float = 10.0,
        relay_policy: RelayPolicy | None = None,
    ) -> None:
        self.db = db
        self.pubsub = pubsub
        self.routing = routing
        self.rasa = rasa
        self.metrics = metrics
        self.rate_limiter = rate_limiter
        self.watch_minutes = watch_minutes
        self.get_article = get_article or (lambda article_id: None)
        self.relay = RelayOutbox(
            db=db, rasa=rasa, call_timeout=rasa_timeout_seconds, policy=relay_policy or RelayPolicy(),
            deliver=self._deliver_bot_replies, give_up=self._relay_failed, typing=self._bot_typing,
            on_rasa_error=lambda: self.metrics.errors.labels("rasa").inc(),
        )
        self._tasks: set[asyncio.Task] = set()
        self._overview_pending = False
        self._overview_interval = 0.25

    # ------------------------------------------------------------------------------------------
    # plumbing
    def _spawn(self, coro) -> asyncio.Task:
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)
        return task

    def _task_done(self, task: asyncio.Task) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            self.metrics.errors.labels("task").inc()
            log.error("background task failed", exc_info=task.exception())

    def start(self) -> None:
        """Picks up turns that an earlier run (of any replica) stored but did not get answered."""
        self.relay.start()

    async def shutdown(self) -> None:
        await self.relay.stop()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _publish_events(self, conversation_id: str, frames: list[dict], to: str = "all") -> bool:
        """False when pub/sub could not carry them to other replicas: they are stored, and sockets there catch
        up when pub/sub is back (resync) or when they reconnect."""
        delivered = True
        for frame in frames:
            delivered &= await self.pubsub.publish(conversation_channel(conversation_id), {"to": to, "frame": frame})
        return delivered

    async def publish_transient(self, conversation_id: str, frame: dict, to: str) -> None:
        await self.pubsub.publish(conversation_channel(conversation_id), {"to": to, "frame": frame})

    @staticmethod
    def _ack(ack: dict, delivered: bool) -> dict:
        return ack if delivered else {**ack, "delivery": "delayed"}

    @staticmethod
    def _append(
        session: Session,
        conversation: Conversation,
        *,
        kind: str = "message",
        sender: str | None = None,
        text: str | None = None,
        client_id: str | None = None,
        buttons: list | None = None,
        payload: dict | None = None,
        agent: AgentInfo | None = None,
    ) -> Message:
        """Next seq by an atomic increment on the conversation row: concurrent writers (any replica) queue
        on the row lock and each gets its own number."""
        now = utcnow()
        values: dict[str, Any] = {"last_seq": Conversation.last_seq + 1, "updated_at": now}
        if kind == "message":
            values.update(last_message_sender=sender, last_message_text=(text or "")[:200], last_message_at=now)
        seq = session.execute(
            update(Conversation).where(Conversation.id == conversation.id).values(**values)
            .returning(Conversation.last_seq)
        ).scalar_one()
        message = Message(
            id=uuid.uuid4().hex,
            conversation_id=conversation.id,
            seq=seq,
            kind=kind,
            sender=sender,
            text=text,
            client_id=client_id,
            buttons=buttons or None,
            payload=payload,
            agent_id=agent.id if agent else None,
            agent_display_name=agent.display_name if agent else None,
            created_at=now,
        )
        session.add(message)
        session.flush()
        return message

    def _state_event(
        self,
        session: Session,
        conversation: Conversation,
        state: str,
        reason: str | None,
        *,
        agent_name: str | None = None,
        queue: dict | None = None,
        offer_ticket: bool = False,
        csat: bool = False,
    ) -> Message:
        payload = {
            "state": state,
            "reason": reason,
            "agent": {"display_name": agent_name} if agent_name else None,
            "queue": queue,
            "offer_ticket": offer_ticket,
            "csat": csat,
        }
        return self._append(session, conversation, kind="state", payload=payload)

    def _department_name(self, department: str | None) -> str:
        return self.routing.office_hours.name(department)

    def summary(self, conversation: Conversation, now: datetime) -> dict:
        department = (
            self.routing.office_hours.resolve(conversation.department) if conversation.department else None
        )
        agent = conversation.assigned_agent
        return {
            "id": conversation.id,
            "state": conversation.state,
            "department": department,
            "department_name": self._department_name(department) if department else None,
            "reason": conversation.reason,
            "summary": conversation.summary,
            "language": conversation.language,
            "lebenslage": conversation.lebenslage,
            "page": conversation.page,
            "created_at": iso(conversation.created_at),
            "queued_at": iso(conversation.queued_at),
            "wait_seconds": int((now - conversation.queued_at).total_seconds())
            if conversation.state == "waiting" and conversation.queued_at
            else None,
            "position": None,
            "agent": {"id": agent.id, "display_name": agent.display_name}
            if agent is not None and conversation.state == "agent"
            else None,
            "last_seq": conversation.last_seq,
            "last_message": {
                "sender": conversation.last_message_sender,
                "text": conversation.last_message_text,
                "created_at": iso(conversation.last_message_at),
            }
            if conversation.last_message_at
            else None,
        }

    def _format_when(self, language: str, moment: datetime) -> str:
        local = moment.astimezone(self.routing.office_hours.tz)
        texts = TEXTS.get(language, TEXTS["de"])
        return texts["when"].format(
            weekday=texts["weekdays"][local.weekday()],
            date=local.strftime("%d.%m.") if language == "de" else local.strftime("%d %b"),
            time=local.strftime("%H:%M"),
        )

    # ------------------------------------------------------------------------------------------
    # citizen side
    async def hello(self, *, token: str | None, language: str, page: str | None,
                    citizen_key: str | None, department: str | None = None) -> tuple[str, dict]:
        """Resumes the conversation of a token, or starts a new one (unknown tokens never reveal anything)."""

        def work(session: Session):
            now = utcnow()
            conversation = None
            if token:
                conversation = session.scalar(select(Conversation).where(Conversation.token_hash == token_hash(token)))
            resumed = conversation is not None
            new_token = token
            if conversation is None:
                new_token = secrets.token_urlsafe(32)
                conversation = Conversation(
                    id=uuid.uuid4().hex,
                    token_hash=token_hash(new_token),
                    state="bot",
                    language=language,
                    page=page,
                    citizen_key=citizen_key,
                    department=department if department in self.routing.office_hours.departments else None,
                    created_at=now,
                    updated_at=now,
                )
                session.add(conversation)
                session.flush()
            elif citizen_key and not conversation.citizen_key:
                conversation.citizen_key = citizen_key
            queue = None
            if conversation.state == "waiting":
                queue = self.routing.positions(session, conversation.department, now).get(conversation.id)
            agent = conversation.assigned_agent if conversation.state == "agent" else None
            welcome = {
                "type": "welcome",
                "protocol": 1,
                "conversation_id": conversation.id,
                "token": new_token,
                "resumed": resumed,
                "state": conversation.state,
                "last_seq": conversation.last_seq,
                "agent": {"display_name": agent.display_name} if agent else None,
                "queue": queue,
                "office_hours": self.routing.office_hours.status(conversation.department, now).as_dict(),
            }
            return conversation.id, welcome

        return await self.db.run(work)

    async def events_since(self, conversation_id: str, last_seq: int) -> list[dict]:
        def work(session: Session):
            return [
                event_frame(m)
                for m in session.scalars(
                    select(Message)
                    .where(Message.conversation_id == conversation_id, Message.seq > last_seq)
                    .order_by(Message.seq)
                )
            ]

        return await self.db.run(work)

    async def citizen_message(self, conversation_id: str, client_id: str, text: str) -> dict:
        """Stores the message (idempotent by client id) and, in state `bot`, its pending relay in the same
        transaction; publishes it and starts the relay (which does not wait for pub/sub). Returns the ack."""
        if not self.rate_limiter.allow(conversation_id):
            raise FrameError("rate_limited", client_id=client_id)

        def work(session: Session):
            existing = session.scalar(
                select(Message).where(Message.conversation_id == conversation_id, Message.client_id == client_id)
            )
            if existing is not None:
                return existing.seq, [], None, None
            conversation = session.get(Conversation, conversation_id, options=[noload(Conversation.assigned_agent)])
            if conversation is None:
                raise FrameError("not_found", client_id=client_id)
            events = []
            if conversation.state == "closed":  # writing again after the end reopens the chat with the bot
                conversation.state = "bot"
                conversation.closed_at = None
                events.append(self._state_event(session, conversation, "bot", "reopened"))
            try:
                with session.begin_nested():
                    message = self._append(session, conversation, sender="citizen", text=text, client_id=client_id)
            except IntegrityError:  # the same client id raced in on another socket
                existing = session.scalar(
                    select(Message).where(Message.conversation_id == conversation_id, Message.client_id == client_id)
                )
                return existing.seq, [], None, None
            events.append(message)
            relayed = conversation.state == "bot" and text.strip() != "/request_human"
            if relayed:
                relay_outbox.enqueue(session, conversation_id, message.seq, text, conversation.language)
            return message.seq, [event_frame(e) for e in events], conversation.state, relayed

        seq, frames, state, relayed = await self.db.run(work)
        delivered = True
        if frames:
            self.metrics.messages.labels("citizen").inc()
            if relayed:
                self.relay.kick(conversation_id)
                self.schedule_overview()
            delivered = await self._publish_events(conversation_id, frames)
            if state == "bot" and not relayed:
                self._spawn(self.request_handover(conversation_id, reason="citizen_request"))
        return self._ack({"type": "ack", "client_id": client_id, "seq": seq}, delivered)

    async def _bot_typing(self, conversation_id: str, active: bool) -> None:
        await self.publish_transient(conversation_id, {"type": "typing", "sender": "bot", "active": active,
                                                       "conversation_id": conversation_id}, "all")

    async def _relay_failed(self, relay: ClaimedRelay, created_before: datetime | None) -> None:
        """Rasa could not answer (or the turn waited too long): the citizen is told, with the offer of a person
        or a ticket, in the transaction that closes the turn and the turns waiting behind it."""
        conversation_id = relay.conversation_id

        def work(session: Session):
            if not relay_outbox.finish(session, relay, "failed"):
                return []
            relay_outbox.fail_pending(session, conversation_id, created_before=created_before)
            conversation = session.get(Conversation, conversation_id)
            if conversation is None or conversation.state != "bot":
                return []
            language = conversation.language
            message = self._append(
                session, conversation, sender="system", text=_text(language, "bot_unavailable"),
                buttons=[{"title": _text(language, "request_human_button"), "payload": "/request_human"}],
            )
            state = self._state_event(session, conversation, "bot", "bot_unavailable", offer_ticket=True)
            return [event_frame(message), event_frame(state)]

        frames = await self.db.run(work)
        if frames:
            await self.publish_transient(
                conversation_id,
                {**FrameError("bot_unavailable").frame(), "conversation_id": conversation_id},
                "citizen",
            )
            await self._publish_events(conversation_id, frames)

    async def _deliver_bot_replies(self, relay: ClaimedRelay, replies: list[BotReply]) -> None:
        """Stores the bot's replies and marks the turn done in one transaction (so it is answered once)."""
        conversation_id = relay.conversation_id

        def work(session: Session):
            conversation = session.get(Conversation, conversation_id)
            in_bot = conversation is not None and conversation.state == "bot"
            if not relay_outbox.finish(session, relay, "done" if in_bot else "skipped") or not in_bot:
                return [], None  # answered by another relay already, or an agent took over: the bot stays silent
            frames, handover = [], None
            for reply in replies:
                custom = reply.custom
                if custom and custom.get("type") == "handover":
                    handover = custom
                if reply.text is None and not reply.buttons and custom and custom.get("type") == "handover":
                    continue
                message = self._append(
                    session, conversation, sender="bot", text=reply.text or "", buttons=reply.buttons, payload=custom
                )
                frames.append(event_frame(message))
            return frames, handover

        frames, handover = await self.db.run(work)
        self.metrics.messages.labels("bot").inc(len(frames))
        await self._publish_events(conversation_id, frames)
        if handover is not None:
            await self.request_handover(
                conversation_id,
                reason=str(handover.get("reason") or "low_confidence"),
                department=handover.get("department"),
                payload=handover,
            )

    async def request_handover(
        self, conversation_id: str, *, reason: str, department: str | None = None, payload: dict | None = None
    ) -> str:
        """bot → waiting, or tell the citizen at once that nobody can take over now (ticket offered).
        Returns the outcome: queued | outside_office_hours | no_agent_online | ignored."""
        started = time.perf_counter()

        def work(session: Session):
            now = utcnow()
            conversation = session.get(Conversation, conversation_id)
            if conversation is None or conversation.state != "bot":
                return "ignored", [], None, None
            key = self.routing.office_hours.resolve(department or conversation.department)
            language = conversation.language
            session.add(HandoverEvent(conversation_id=conversation_id, kind="requested", reason=reason, department=key))
            status = self.routing.office_hours.status(key, now)
            if not status.open or self.routing.serving_agents(session, key, now) == 0:
                outcome = "outside_office_hours" if not status.open else "no_agent_online"
                if outcome == "outside_office_hours":
                    next_open = (
                        _text(language, "next_open", when=self._format_when(language, status.next_open))
                        if status.next_open
                        else ""
                    )
                    text = _text(
                        language, outcome, department=self._department_name(key),
                        hours=self.routing.office_hours.describe_hours(key), next_open=next_open,
                    )
                else:
                    text = _text(language, outcome, department=self._department_name(key))
                session.add(HandoverEvent(conversation_id=conversation_id, kind="unavailable", reason=outcome,
                                          department=key))
                frames = [
                    event_frame(self._append(session, conversation, sender="system", text=text)),
                    event_frame(self._state_event(session, conversation, "bot", outcome, offer_ticket=True)),
                ]
                return outcome, frames, None, key
            won = session.execute(
                update(Conversation)
                .where(Conversation.id == conversation_id, Conversation.state == "bot")
                .values(
                    state="waiting",
                    department=key,
                    reason=reason,
                    summary=(payload or {}).get("summary") or conversation.summary or conversation.last_message_text,
                    lebenslage=(payload or {}).get("lebenslage") or conversation.lebenslage,
                    handover_payload=payload or conversation.handover_payload,
                    queued_at=now,
                    assigned_agent_id=None,
                )
            ).rowcount
            if won != 1:
                return "ignored", [], None, None
            session.refresh(conversation)
            session.add(HandoverEvent(conversation_id=conversation_id, kind="queued", reason=reason, department=key))
            queue = self.routing.positions(session, key, now).get(conversation_id)
            frames = [
                event_frame(self._append(session, conversation, sender="system", payload=state_notice("waiting"),
                                         text=_text(language, "queued", department=self._department_name(key)))),
                event_frame(self._state_event(session, conversation, "waiting", reason, queue=queue)),
            ]
            summary = self.summary(conversation, now)
            summary["position"] = (queue or {}).get("position")
            return "queued", frames, summary, key

        outcome, frames, summary, department_key = await self.db.run(work)
        self.metrics.handovers.labels(outcome).inc()
        await self._publish_events(conversation_id, frames)
        if summary is not None:
            await self.pubsub.publish(CONSOLES_CHANNEL, {"kind": "handover", "conversation": summary})
            self.metrics.handover_dispatch.observe(time.perf_counter() - started)
            await self._queue_changed({department_key})
        return outcome

    async def citizen_end(self, conversation_id: str) -> None:
        await self._close(conversation_id, resolution="citizen_ended", reason="closed_by_citizen", agent=None)

    async def create_ticket(self, conversation_id: str, *, client_id: str, name: str, contact: str,
                            concern: str) -> dict:
        if not self.rate_limiter.allow(conversation_id):
            raise FrameError("rate_limited", client_id=client_id)

        def work(session: Session):
            conversation = session.get(Conversation, conversation_id)
            if conversation is None:
                raise FrameError("not_found", client_id=client_id)
            department = self.routing.office_hours.resolve(conversation.department)
            ticket, created = ticket_store.create_ticket(
                session,
                conversation_id=conversation_id,
                client_id=client_id,
                name=name,
                contact=contact,
                concern=concern,
                department=department,
                transcript=ticket_store.transcript_of(session, conversation_id),
            )
            if not created:
                event = session.scalar(select(Message).where(Message.conversation_id == conversation_id,
                                                            Message.client_id == client_id))
                return (event.seq if event else 0), [], None
            event = self._append(session, conversation, kind="ticket_created", client_id=client_id,
                                 payload={"reference": ticket.reference})
            confirmation = self._append(
                session, conversation, sender="system",
                text=_text(conversation.language, "ticket_created", reference=ticket.reference),
            )
            return event.seq, [event_frame(event), event_frame(confirmation)], ticket_store.ticket_dict(ticket)

        seq, frames, ticket = await self.db.run(work)
        delivered = await self._publish_events(conversation_id, frames)
        if ticket is not None:
            await self.pubsub.publish(CONSOLES_CHANNEL, {"kind": "ticket", "ticket": ticket})
        return self._ack({"type": "ack", "client_id": client_id, "seq": seq}, delivered)

    async def save_csat(self, conversation_id: str, rating: int, comment: str | None) -> dict:
        def work(session: Session):
            conversation = session.get(Conversation, conversation_id)
            if conversation is None:
                raise FrameError("not_found")
            if conversation.state != "closed":
                raise FrameError("conflict", "Eine Bewertung ist erst nach dem Ende des Gesprächs möglich.")
            existing = session.scalar(select(CsatRating).where(CsatRating.conversation_id == conversation_id))
            if existing is None:
                session.add(CsatRating(conversation_id=conversation_id, rating=rating, comment=comment,
                                       agent_id=conversation.assigned_agent_id))
            else:
                existing.rating, existing.comment = rating, comment

        await self.db.run(work)
        return {"type": "csat_saved"}

    async def save_feedback(self, conversation_id: str, seq: int, helpful: bool, comment: str | None) -> dict:
        def work(session: Session):
            message = session.scalar(
                select(Message).where(Message.conversation_id == conversation_id, Message.seq == seq,
                                      Message.sender == "bot")
            )
            if message is None:
                raise FrameError("not_found", "Zu dieser Antwort gibt es keine Bewertungsmöglichkeit.")
            payload = message.payload or {}
            article = payload.get("article") or {}
            existing = session.scalar(
                select(AnswerFeedback).where(AnswerFeedback.conversation_id == conversation_id,
                                             AnswerFeedback.message_seq == seq)
            )
            if existing is None:
                session.add(
                    AnswerFeedback(
                        conversation_id=conversation_id, message_seq=seq, helpful=helpful, comment=comment,
                        article_id=article.get("id"), score=payload.get("score"), query=payload.get("query"),
                    )
                )
            else:
                existing.helpful, existing.comment = helpful, comment

        await self.db.run(work)
        return {"type": "feedback_saved", "seq": seq}

    async def citizen_typing(self, conversation_id: str, active: bool) -> None:
        await self.publish_transient(
            conversation_id,
            {"type": "typing", "conversation_id": conversation_id, "sender": "citizen", "active": active},
            "agents",
        )

    async def citizen_read(self, conversation_id: str, seq: int) -> None:
        await self.publish_transient(
            conversation_id, {"type": "read", "conversation_id": conversation_id, "seq": seq, "sender": "citizen"},
            "agents",
        )

    # ------------------------------------------------------------------------------------------
    # agent side
    def _load_for_agent(self, session: Session, conversation_id: str) -> Conversation:
        conversation = session.get(Conversation, conversation_id)
        if conversation is None:
            raise FrameError("not_found")
        return conversation

    @staticmethod
    def _require_holder(conversation: Conversation, agent: AgentInfo) -> None:
        if conversation.state != "agent":
            raise FrameError("conflict", "Das Gespräch wird gerade von niemandem betreut.")
        if conversation.assigned_agent_id != agent.id and not agent.is_supervisor:
            raise FrameError("forbidden", "Dieses Gespräch betreut eine andere Person.")

    def _context(self, session: Session, conversation: Conversation) -> dict:
        payload = conversation.handover_payload or {}
        trail = []
        for message in session.scalars(
            select(Message)
            .where(Message.conversation_id == conversation.id, Message.sender == "bot")
            .order_by(Message.seq)
        ):
            custom = message.payload or {}
            if custom.get("type") != "knowledge":
                continue
            article = custom.get("article") or None
            trail.append(
                {
                    "seq": message.seq,
                    "query": custom.get("query"),
                    "decision": custom.get("decision"),
                    "score": custom.get("score"),
                    "article": {"id": article.get("id"), "title": article.get("title")} if article else None,
                    "candidates": custom.get("candidates") or [],
                }
            )
        earlier = []
        if conversation.citizen_key:
            for other in session.scalars(
                select(Conversation)
                .where(Conversation.citizen_key == conversation.citizen_key, Conversation.id != conversation.id)
                .order_by(Conversation.created_at.desc())
                .limit(5)
            ):
                messages = session.scalars(
                    select(Message).where(Message.conversation_id == other.id, Message.kind == "message")
                    .order_by(Message.seq)
                )
                earlier.append(
                    {"id": other.id, "created_at": iso(other.created_at), "state": other.state,
                     "summary": other.summary, "messages": [event_frame(m) for m in messages]}
                )
        return {
            "reason": conversation.reason,
            "summary": conversation.summary or payload.get("summary"),
            "department": conversation.department,
            "lebenslage": conversation.lebenslage or payload.get("lebenslage"),
            "language": conversation.language,
            "page": conversation.page,
            "last_query": payload.get("last_query"),
            "articles": payload.get("articles") or [],
            "decision_trail": trail,
            "earlier_conversations": earlier,
        }

    def _conversation_frame(self, session: Session, conversation: Conversation) -> dict:
        now = utcnow()
        summary = self.summary(conversation, now)
        summary["context"] = self._context(session, conversation)
        messages = [
            event_frame(m)
            for m in session.scalars(
                select(Message).where(Message.conversation_id == conversation.id).order_by(Message.seq)
            )
        ]
        notes = [
            self._note_dict(n)
            for n in session.scalars(
                select(InternalNote).where(InternalNote.conversation_id == conversation.id)
                .order_by(InternalNote.created_at)
            )
        ]
        return {"type": "conversation", "conversation": summary, "messages": messages, "notes": notes}

    @staticmethod
    def _note_dict(note: InternalNote) -> dict:
        return {
            "id": note.id,
            "conversation_id": note.conversation_id,
            "author": {"id": note.agent_id, "display_name": note.author_name},
            "text": note.text,
            "created_at": iso(note.created_at),
        }

    async def open_conversation(self, agent: AgentInfo, conversation_id: str) -> dict:
        return await self.db.run(lambda s: self._conversation_frame(s, self._load_for_agent(s, conversation_id)))

    async def snapshot(self, agent: AgentInfo) -> dict:
        def work(session: Session):
            now = utcnow()
            me = next((a for a in self.routing.agent_summaries(session, now) if a["id"] == agent.id), None)
            mine = session.scalars(
                select(Conversation).where(Conversation.state == "agent", Conversation.assigned_agent_id == agent.id)
                .order_by(Conversation.assigned_at)
            )
            visible_departments = None if agent.is_supervisor else set(agent.departments) | {
                self.routing.default_department}
            return {
                "type": "snapshot",
                "protocol": 1,
                "agent": me,
                "departments": self.routing.departments(now),
                "agents": self.routing.agent_summaries(session, now),
                "queues": [q for q in self.routing.queues(session, now, self.summary)
                           if self.routing.visible(agent, q["department"])],
                "mine": [self.summary(c, now) for c in mine],
                "watch": self.watch_list(session, now),
                "tickets": [ticket_store.ticket_dict(t)
                            for t in ticket_store.list_tickets(session, "open", visible_departments)],
                "live": self.live_list(session, now) if agent.is_supervisor else [],
            }

        return await self.db.run(work)

    def watch_list(self, session: Session, now: datetime) -> list[dict]:
        cutoff = now - timedelta(minutes=self.watch_minutes)
        rows = session.scalars(
            select(Conversation)
            .where(Conversation.state == "bot", Conversation.last_message_at.is_not(None),
                   Conversation.updated_at >= cutoff)
            .order_by(Conversation.updated_at.desc())
            .limit(50)
        )
        return [self.summary(c, now) for c in rows]

    def live_list(self, session: Session, now: datetime) -> list[dict]:
        rows = session.scalars(
            select(Conversation).where(Conversation.state == "agent").order_by(Conversation.assigned_at).limit(1000)
        )
        return [self.summary(c, now) for c in rows]

    async def claim(self, agent: AgentInfo, conversation_id: str, *, proactive: bool = False) -> dict:
        """waiting → agent (or bot → agent for a proactive takeover). Exactly one concurrent caller wins: the
        UPDATE only matches while nobody is assigned, and the database serialises the writers."""

        def work(session: Session):
            now = utcnow()
            conversation = self._load_for_agent(session, conversation_id)
            expected = "bot" if proactive else "waiting"
            if conversation.state != expected:
                return None, "Das Gespräch wurde bereits übernommen." if conversation.state == "agent" else (
                    "Das Gespräch ist nicht mehr in der Warteschlange."), None
            department = self.routing.office_hours.resolve(conversation.department)
            if not self.routing.visible(agent, department):
                return None, "Diese Warteschlange gehört nicht zu Ihren Fachbereichen.", None
            load = self.routing.loads(session).get(agent.id, 0)
            if load >= agent.capacity:
                return None, f"Sie betreuen bereits {load} Gespräche (Ihre Höchstzahl).", None
            queued_at = conversation.queued_at
            won = session.execute(
                update(Conversation)
                .where(
                    Conversation.id == conversation_id,
                    Conversation.state == expected,
                    Conversation.assigned_agent_id.is_(None),
                )
                .values(state="agent", assigned_agent_id=agent.id, assigned_at=now, department=department,
                        reason="proactive" if proactive else Conversation.reason)
            ).rowcount
            if won != 1:
                return None, "Jemand anderes war schneller und hat das Gespräch übernommen.", None
            session.refresh(conversation)
            if proactive:
                session.add(HandoverEvent(conversation_id=conversation_id, kind="requested", reason="proactive",
                                          department=department, agent_id=agent.id))
            session.add(HandoverEvent(conversation_id=conversation_id, kind="assigned", reason=conversation.reason,
                                      department=department, agent_id=agent.id))
            language = conversation.language
            frames = [
                event_frame(self._append(
                    session, conversation, sender="system", payload=state_notice("agent"),
                    text=_text(language, "assigned", agent=agent.display_name,
                               department=self._department_name(department)))),
                event_frame(self._state_event(session, conversation, "agent",
                                              "proactive" if proactive else "assigned",
                                              agent_name=agent.display_name)),
            ]
            wait = (now - queued_at).total_seconds() if queued_at and not proactive else None
            return self._conversation_frame(session, conversation), frames, (department, wait)

        result, frames_or_message, extra = await self.db.run(work)
        if result is None:
            return {"type": "claim_failed", "conversation_id": conversation_id, "message": frames_or_message}
        department, wait = extra
        if wait is not None:
            self.metrics.handover_wait.observe(wait)
        await self._publish_events(conversation_id, frames_or_message)
        await self.pubsub.publish(
            CONSOLES_CHANNEL,
            {"kind": "claimed", "conversation_id": conversation_id,
             "agent": {"id": agent.id, "display_name": agent.display_name}},
        )
        await self._queue_changed({department})
        return result

    async def agent_message(self, agent: AgentInfo, conversation_id: str, client_id: str, text: str,
                            payload: dict | None = None) -> dict:
        def work(session: Session):
            existing = session.scalar(
                select(Message).where(Message.conversation_id == conversation_id, Message.client_id == client_id)
            )
            if existing is not None:
                return existing.seq, None
            # the hot path: no need to load the holder's account (and its departments) for a message
            conversation = session.get(Conversation, conversation_id, options=[noload(Conversation.assigned_agent)])
            if conversation is None:
                raise FrameError("not_found")
            self._require_holder(conversation, agent)
            message = self._append(session, conversation, sender="agent", text=text, client_id=client_id,
                                   payload=payload, agent=agent)
            return message.seq, event_frame(message)

        seq, frame = await self.db.run(work)
        delivered = True
        if frame is not None:
            self.metrics.messages.labels("agent").inc()
            delivered = await self._publish_events(conversation_id, [frame])
        return self._ack({"type": "ack", "conversation_id": conversation_id, "client_id": client_id, "seq": seq},
                         delivered)

    async def push_article(self, agent: AgentInfo, conversation_id: str, article_id: str) -> dict:
        article = self.get_article(article_id)
        if article is None:
            raise FrameError("not_found", "Diesen Artikel gibt es nicht.")
        payload = {
            "type": "article",
            "version": 1,
            "article": {
                "id": article.id,
                "title": article.title,
                "summary": article.summary,
                "url": article.url,
                "online_service": article.online_service,
            },
        }
        text = f"{article.title}: {article.url}" if article.url else article.title
        return await self.agent_message(agent, conversation_id, f"article-{uuid.uuid4().hex}", text, payload)

    async def add_note(self, agent: AgentInfo, conversation_id: str, text: str) -> dict:
        def work(session: Session):
            self._load_for_agent(session, conversation_id)
            note = InternalNote(conversation_id=conversation_id, agent_id=agent.id, author_name=agent.display_name,
                                text=text, created_at=utcnow())
            session.add(note)
            session.flush()
            return self._note_dict(note)

        note = await self.db.run(work)
        await self.publish_transient(conversation_id, {"type": "note", "conversation_id": conversation_id,
                                                       "note": note}, "agents")
        return {"type": "note", "conversation_id": conversation_id, "note": note}

    async def agent_typing(self, agent: AgentInfo, conversation_id: str, active: bool) -> None:
        await self.publish_transient(
            conversation_id, {"type": "typing", "conversation_id": conversation_id, "sender": "agent",
                              "active": active}, "citizen")

    async def agent_read(self, agent: AgentInfo, conversation_id: str, seq: int) -> None:
        await self.publish_transient(conversation_id, {"type": "read", "conversation_id": conversation_id,
                                                       "seq": seq}, "citizen")

    async def transfer(self, agent: AgentInfo, conversation_id: str, *, department: str | None,
                       agent_id: int | None, note: str | None) -> dict:
        if (department is None) == (agent_id is None):
            raise FrameError("invalid", "Bitte entweder einen Fachbereich oder eine Person als Ziel angeben.")

        def work(session: Session):
            now = utcnow()
            conversation = self._load_for_agent(session, conversation_id)
            self._require_holder(conversation, agent)
            holder = conversation.assigned_agent_id
            language = conversation.language
            if department is not None:
                if department not in self.routing.office_hours.departments:
                    raise FrameError("not_found", "Diesen Fachbereich gibt es nicht.")
                won = session.execute(
                    update(Conversation)
                    .where(Conversation.id == conversation_id, Conversation.state == "agent",
                           Conversation.assigned_agent_id == holder)
                    .values(state="waiting", department=department, assigned_agent_id=None, queued_at=now,
                            assigned_at=None)
                ).rowcount
                if won != 1:
                    raise FrameError("conflict")
                session.refresh(conversation)
                target_agent = None
                text = _text(language, "transferred_department", department=self._department_name(department))
                queue = self.routing.positions(session, department, now).get(conversation_id)
                state_args = ("waiting", "transferred", None, queue)
            else:
                target = session.get(Agent, agent_id)
                if target is None or not target.active:
                    raise FrameError("not_found", "Diese Person gibt es nicht.")
                if self.routing.loads(session).get(target.id, 0) >= target.capacity:
                    raise FrameError("conflict", f"{target.display_name} hat keine freie Kapazität.")
                won = session.execute(
                    update(Conversation)
                    .where(Conversation.id == conversation_id, Conversation.state == "agent",
                           Conversation.assigned_agent_id == holder)
                    .values(assigned_agent_id=target.id, assigned_at=now)
                ).rowcount
                if won != 1:
                    raise FrameError("conflict")
                session.refresh(conversation)
                target_agent = AgentInfo.of(target)
                text = _text(language, "transferred_agent", agent=target.display_name)
                state_args = ("agent", "transferred", target.display_name, None)
            session.add(HandoverEvent(conversation_id=conversation_id, kind="transferred", reason="transfer",
                                      department=conversation.department, agent_id=agent_id, note=note))
            if note:
                session.add(InternalNote(conversation_id=conversation_id, agent_id=agent.id,
                                         author_name=agent.display_name, text=f"Weitergeleitet: {note}",
                                         created_at=now))
            state_name, reason, agent_name, queue = state_args
            message = self._append(session, conversation, sender="system", text=text, payload=state_notice(state_name))
            state = self._state_event(session, conversation, state_name, reason, agent_name=agent_name, queue=queue)
            frames = [event_frame(message), event_frame(state)]
            return frames, self.summary(conversation, now), target_agent, conversation.department

        frames, summary, target_agent, new_department = await self.db.run(work)
        await self._publish_events(conversation_id, frames)
        if target_agent is None:
            await self.pubsub.publish(CONSOLES_CHANNEL, {"kind": "handover", "conversation": summary})
        else:
            await self.pubsub.publish(
                agent_channel(target_agent.id),
                {"kind": "assigned", "conversation": summary,
                 "from": {"id": agent.id, "display_name": agent.display_name}, "note": note},
            )
        await self._queue_changed({new_department})
        return {"type": "transferred", "conversation_id": conversation_id}

    async def return_to_bot(self, agent: AgentInfo, conversation_id: str) -> dict:
        def work(session: Session):
            conversation = self._load_for_agent(session, conversation_id)
            if conversation.state not in ("agent", "waiting"):
                raise FrameError("conflict")
            if conversation.state == "agent":
                self._require_holder(conversation, agent)
            won = session.execute(
                update(Conversation)
                .where(Conversation.id == conversation_id, Conversation.state == conversation.state)
                .values(state="bot", assigned_agent_id=None, queued_at=None)
            ).rowcount
            if won != 1:
                raise FrameError("conflict")
            session.refresh(conversation)
            session.add(HandoverEvent(conversation_id=conversation_id, kind="returned_to_bot",
                                      department=conversation.department, agent_id=agent.id))
            state = self._state_event(session, conversation, "bot", "returned_to_bot")
            frames = [
                event_frame(self._append(session, conversation, sender="system", payload=state_notice("bot"),
                                         text=_text(conversation.language, "returned_to_bot"))),
                event_frame(state),
            ]
            # Rasa greets the citizen back; queued like a citizen turn, so it comes before their next question.
            relay_outbox.enqueue(session, conversation_id, state.seq, "back_to_bot", conversation.language,
                                 kind="intent")
            return frames, conversation.department

        frames, department = await self.db.run(work)
        self.relay.kick(conversation_id)
        await self._publish_events(conversation_id, frames)
        await self._queue_changed({department} if department else set())
        return {"type": "returned", "conversation_id": conversation_id}

    async def close(self, agent: AgentInfo, conversation_id: str, resolution: str) -> dict:
        await self._close(conversation_id, resolution=resolution, reason="closed_by_agent", agent=agent)
        return {"type": "closed", "conversation_id": conversation_id}

    async def _close(self, conversation_id: str, *, resolution: str, reason: str, agent: AgentInfo | None) -> None:
        def work(session: Session):
            conversation = session.get(Conversation, conversation_id)
            if conversation is None:
                raise FrameError("not_found")
            if conversation.state == "closed":
                return [], None
            if agent is not None and conversation.state == "agent":
                self._require_holder(conversation, agent)
            conversation.state = "closed"
            conversation.resolution = resolution
            conversation.closed_at = utcnow()
            session.add(HandoverEvent(conversation_id=conversation_id, kind="closed", reason=resolution,
                                      department=conversation.department,
                                      agent_id=agent.id if agent else conversation.assigned_agent_id))
            frames = [
                event_frame(self._append(session, conversation, sender="system", payload=state_notice("closed"),
                                         text=_text(conversation.language, reason))),
                event_frame(self._state_event(session, conversation, "closed", reason, csat=True)),
            ]
            return frames, conversation.department

        frames, department = await self.db.run(work)
        await self._publish_events(conversation_id, frames)
        if frames:
            await self._queue_changed({department} if department else set())

    async def set_presence(self, agent: AgentInfo, status: str) -> None:
        if await self.db.run(lambda s: self.routing.set_presence(s, agent.id, status, utcnow())):
            self.schedule_overview()

    # ------------------------------------------------------------------------------------------
    # queue broadcasts
    async def _queue_changed(self, departments: set[str | None]) -> None:
        """Tell waiting citizens their new place in line and refresh every console (coalesced)."""
        for department in {d for d in departments if d}:
            positions = await self.db.run(lambda s, d=department: self.routing.positions(s, d, utcnow()))
            self.metrics.queue_length.labels(department).set(len(positions))
            for conversation_id, queue in positions.items():
                await self.publish_transient(
                    conversation_id, {"type": "queue", "conversation_id": conversation_id, **queue}, "citizen"
                )
        self.schedule_overview()

    def schedule_overview(self) -> None:
        if self._overview_pending:
            return
        self._overview_pending = True
        self._spawn(self._broadcast_overview_later())

    async def _broadcast_overview_later(self) -> None:
        await asyncio.sleep(self._overview_interval)
        self._overview_pending = False

        def work(session: Session):
            now = utcnow()
            return {
                "kind": "overview",
                "queues": self.routing.queues(session, now, self.summary),
                "live": self.live_list(session, now),
                "agents": self.routing.agent_summaries(session, now),
                "watch": self.watch_list(session, now),
            }

        await self.pubsub.publish(CONSOLES_CHANNEL, await self.db.run(work))


def purge(session: Session, older_than_days: int) -> dict:
    """Deletes conversations (with messages, events, notes, ratings, feedback) not touched for the retention
    period, and done tickets older than it. Returns counts."""
    cutoff = utcnow() - timedelta(days=older_than_days)
    stale = select(Conversation.id).where(Conversation.updated_at < cutoff, Conversation.state.in_(("closed", "bot")))
    ids = list(session.scalars(stale))
    counts = {"conversations": len(ids), "tickets": 0}
    for chunk in (ids[i:i + 500] for i in range(0, len(ids), 500)):
        for model in (Message, PendingRelay, HandoverEvent, InternalNote, CsatRating, AnswerFeedback):
            session.execute(delete(model).where(model.conversation_id.in_(chunk)))
        session.execute(update(Ticket).where(Ticket.conversation_id.in_(chunk)).values(conversation_id=None))
        session.execute(delete(Conversation).where(Conversation.id.in_(chunk)))
    counts["tickets"] = session.execute(
        delete(Ticket).where(Ticket.status == "done", Ticket.updated_at < cutoff)
    ).rowcount
    return counts
