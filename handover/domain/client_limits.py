"""Per-IP limits: how many new conversations, application status lookups and tickets one client address may
start per minute (`BUERGERBOT_NEW_CONVERSATIONS_PER_MINUTE_PER_IP`, each kind counted on its own).

The per-conversation message limit (conversations/rate_limit.py) does nothing against a script that opens a
new conversation for every request; these limits do. Counted in the database (handover/domain/models/
client_limits.py), so all replicas share them — a load balancer may send each socket of one attacker to another
replica. Clients are keyed hashes of their address (handover/web/client_address.py).

A status lookup runs in Rasa's call to /webhook, where the citizen's address is not known; the address a
conversation was last seen from (remembered at its hello) is.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import delete, func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from handover.domain.conversations.citizen_turns import token_hash
from handover.domain.models.client_limits import ClientHit, ConversationClient
from handover.domain.models.conversations import Conversation

WINDOW = timedelta(minutes=1)
SCOPES = ("conversation", "status_lookup", "ticket")

TEXTS = {
    "de": {
        "conversation": "Von Ihrem Anschluss wurden in kurzer Zeit sehr viele neue Gespräche begonnen. Bitte "
                        "versuchen Sie es in {seconds} Sekunden erneut.",
        "status_lookup": "Sie haben in kurzer Zeit sehr viele Aktenzeichen abgefragt. Bitte versuchen Sie es in "
                         "{seconds} Sekunden erneut.",
        "ticket": "Von Ihrem Anschluss wurden in kurzer Zeit sehr viele Anliegen gesendet. Bitte versuchen Sie es "
                  "in {seconds} Sekunden erneut.",
    },
    "en": {
        "conversation": "Very many new conversations were started from your connection in a short time. Please "
                        "try again in {seconds} seconds.",
        "status_lookup": "You looked up very many case numbers in a short time. Please try again in {seconds} "
                         "seconds.",
        "ticket": "Very many requests were sent from your connection in a short time. Please try again in "
                  "{seconds} seconds.",
    },
    "tr": {
        "conversation": "Bağlantınızdan kısa sürede çok sayıda yeni görüşme başlatıldı. Lütfen {seconds} saniye "
                        "sonra tekrar deneyin.",
        "status_lookup": "Kısa sürede çok sayıda dosya numarası sorguladınız. Lütfen {seconds} saniye sonra tekrar "
                         "deneyin.",
        "ticket": "Bağlantınızdan kısa sürede çok sayıda talep gönderildi. Lütfen {seconds} saniye sonra tekrar "
                  "deneyin.",
    },
    # "{seconds} с" and "{seconds} ثانية": one form for every number (Ukrainian and Arabic inflect the noun by it).
    "uk": {
        "conversation": "З вашого підключення за короткий час розпочато дуже багато нових розмов. Будь ласка, "
                        "спробуйте ще раз через {seconds} с.",
        "status_lookup": "Ви за короткий час перевірили дуже багато номерів справ. Будь ласка, спробуйте ще раз "
                         "через {seconds} с.",
        "ticket": "З вашого підключення за короткий час надіслано дуже багато звернень. Будь ласка, спробуйте ще "
                  "раз через {seconds} с.",
    },
    "ar": {
        "conversation": "بدأ اتصالك عددًا كبيرًا جدًا من المحادثات الجديدة في وقت قصير. يرجى المحاولة مرة أخرى "
                        "بعد {seconds} ثانية.",
        "status_lookup": "لقد استعلمت عن عدد كبير جدًا من أرقام الملفات في وقت قصير. يرجى المحاولة مرة أخرى بعد "
                         "{seconds} ثانية.",
        "ticket": "أُرسل من اتصالك عدد كبير جدًا من الطلبات في وقت قصير. يرجى المحاولة مرة أخرى بعد {seconds} "
                  "ثانية.",
    },
}


def refusal_text(scope: str, language: str, seconds: int) -> str:
    return TEXTS.get(language, TEXTS["de"])[scope].format(seconds=seconds)


def _now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class ClientLimits:
    per_minute: int  # 0: no limit

    def hit(self, session: Session, scope: str, client: str | None, now: datetime | None = None) -> int | None:
        """Counts one `scope` action of `client`; None when allowed, else whole seconds until the next is
        (nothing counted)."""
        if not self.per_minute or client is None:
            return None
        if session.get_bind().dialect.name == "postgresql":
            # count and insert of one client one transaction at a time, also across replicas: a burst of parallel
            # sockets must not all see the count before any of them is added (SQLite runs them one by one anyway)
            session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": f"limit:{scope}:{client}"})
        now = now or _now()
        since = now - WINDOW
        # this client's old rows now; everyone's now and then (purge_expired), not on every hit: concurrent
        # deletes of overlapping rows could deadlock on PostgreSQL
        session.execute(delete(ClientHit).where(ClientHit.scope == scope, ClientHit.client == client,
                                                ClientHit.at < since))
        window = select(ClientHit.at).where(ClientHit.scope == scope, ClientHit.client == client, ClientHit.at >= since)
        count = session.scalar(select(func.count()).select_from(window.subquery()))
        if count >= self.per_minute:
            oldest = session.scalar(select(func.min(ClientHit.at)).where(
                ClientHit.scope == scope, ClientHit.client == client, ClientHit.at >= since))
            return max(1, math.ceil((oldest + WINDOW - now).total_seconds()))
        session.add(ClientHit(scope=scope, client=client, at=now))
        return None

    def new_conversation(self, session: Session, token: str | None, client: str | None) -> int | None:
        """A hello with a valid token resumes and is never limited; any other starts a conversation and counts."""
        if token and session.scalar(select(Conversation.id).where(Conversation.token_hash == token_hash(token))):
            return None
        return self.hit(session, "conversation", client)


def purge_expired(session: Session) -> int:
    return session.execute(delete(ClientHit).where(ClientHit.at < _now() - WINDOW)).rowcount


def remember_client(session: Session, conversation_id: str, client: str | None) -> None:
    """The address a conversation is talking from now (a resumed conversation may have moved)."""
    if client is None:
        return
    row = session.get(ConversationClient, conversation_id)
    if row is not None:
        row.client, row.seen_at = client, _now()
        return
    try:
        with session.begin_nested():
            session.add(ConversationClient(conversation_id=conversation_id, client=client, seen_at=_now()))
    except IntegrityError:  # the same conversation said hello on two replicas at once, or was just purged
        pass


def client_of(session: Session, conversation_id: str) -> str | None:
    row = session.get(ConversationClient, conversation_id)
    return row.client if row is not None else None
