"""Builds and tears down the handover services for one app instance (called from the app's lifespan)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import Engine

from handover.domain.agent_accounts import Authenticator
from handover.domain.conversations import lifecycle as conversations_lifecycle
from handover.domain.conversations.core import ConversationContext
from handover.domain.conversations.rate_limit import RateLimiter
from handover.domain.defect_report_photos import PhotoStore
from handover.domain.defect_reports import DefectReportDesk
from handover.domain.mail import Mailer, SmtpConfig
from handover.domain.office_hours import OfficeHours
from handover.domain.rasa_client import RasaClient
from handover.domain.relay_outbox import RelayPolicy
from handover.domain.routing import Routing
from handover.domain.tickets import TicketDesk
from handover.shell.database import Database, make_sessionmaker
from handover.shell.metrics import Metrics
from handover.shell.pubsub import PubSub, default_namespace, make_pubsub
from handover.shell.settings import Settings


class LocalPresence:
    """Console sockets per agent on this replica, so closing one of two tabs does not mark the agent offline."""

    def __init__(self) -> None:
        self._sockets: Counter[int] = Counter()

    def connected(self, agent_id: int) -> None:
        self._sockets[agent_id] += 1

    def disconnected(self, agent_id: int) -> bool:
        """True when it was the agent's last socket here."""
        self._sockets[agent_id] -= 1
        if self._sockets[agent_id] <= 0:
            del self._sockets[agent_id]
            return True
        return False


@dataclass
class HandoverRuntime:
    settings: Settings
    engine: Engine
    db: Database
    pubsub: PubSub
    routing: Routing
    rasa: RasaClient
    metrics: Metrics
    conversations: ConversationContext
    auth: Authenticator
    presence: LocalPresence
    # issue 13: outgoing e-mail, tickets agents answer, defect reports for the staff (and Open311)
    mail: Mailer = field(default_factory=lambda: Mailer(SmtpConfig()))
    tickets: TicketDesk | None = None
    reports: DefectReportDesk | None = None

    async def stop(self) -> None:
        await conversations_lifecycle.stop(self.conversations)
        await self.rasa.aclose()
        await self.pubsub.disconnect()
        self.db.close()


async def start_handover(settings: Settings, engine: Engine, get_article=None,
                         before_rasa_message=None) -> HandoverRuntime:
    """Expects the schema to be migrated already (`upgrade_database` runs first in the lifespan).

    The engine belongs to the caller, who disposes of it. `before_rasa_message(text)` is called with each
    citizen text just before it is posted to Rasa (RasaClient)."""
    db = Database(make_sessionmaker(engine), serialize=engine.dialect.name == "sqlite")
    office_hours = OfficeHours.from_file(settings.departments_file)
    routing = Routing(office_hours, settings.presence_timeout_seconds, settings.default_handle_seconds,
                      settings.language_reservation_seconds)
    await db.run(routing.seed_departments)
    metrics = Metrics()
    namespace = settings.instance_name or default_namespace(settings.resolved_database_url, settings.pubsub_url)
    pubsub = make_pubsub(settings.pubsub_url, namespace)
    await pubsub.connect()
    rasa = RasaClient(
        settings.rasa_url,
        settings.rasa_timeout_seconds,
        observe_latency=lambda kind, seconds: metrics.rasa_latency.labels(kind).observe(seconds),
        before_message=before_rasa_message,
    )
    conversations = conversations_lifecycle.build_conversations(
        db=db,
        pubsub=pubsub,
        routing=routing,
        rasa=rasa,
        metrics=metrics,
        rate_limiter=RateLimiter(settings.rate_limit_messages, settings.rate_limit_window_seconds),
        watch_minutes=settings.watch_minutes,
        get_article=get_article,
        rasa_timeout_seconds=settings.rasa_timeout_seconds,
        relay_policy=RelayPolicy(
            retry_seconds=settings.relay_retry_seconds,
            max_age_seconds=settings.relay_max_age_seconds,
            sweep_seconds=settings.relay_sweep_seconds,
        ),
    )
    mail = Mailer(SmtpConfig.from_settings(settings))
    tickets = TicketDesk(db=db, mailer=mail, office_hours=office_hours, pubsub=pubsub, city_name=settings.city_name)
    conversations.ticket_desk = tickets  # a ticket left in the chat gets its confirmation e-mail from the desk
    reports = DefectReportDesk(
        db=db, mailer=mail, office_hours=office_hours, city_name=settings.city_name,
        photos=PhotoStore(settings.resolved_uploads_dir, settings.upload_max_bytes, settings.photo_max_edge),
    )
    conversations_lifecycle.start(conversations)
    return HandoverRuntime(
        settings=settings, engine=engine, db=db, pubsub=pubsub, routing=routing, rasa=rasa, metrics=metrics,
        conversations=conversations, auth=Authenticator(settings.session_hours), presence=LocalPresence(),
        mail=mail, tickets=tickets, reports=reports,
    )
