"""Prometheus metrics of the handover service, in a registry per app so several apps (tests, replicas in
one process) never collide."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST


class Metrics:
    content_type = CONTENT_TYPE_LATEST

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.open_sockets = Gauge(
            "buergerbot_open_websockets", "Open websockets on this replica.", ["kind"], registry=self.registry
        )
        self.queue_length = Gauge(
            "buergerbot_queue_length", "Conversations waiting for an agent.", ["department"], registry=self.registry
        )
        self.handover_wait = Histogram(
            "buergerbot_handover_wait_seconds",
            "Time from entering the queue to an agent claiming it.",
            buckets=(5, 15, 30, 60, 120, 300, 600, 1200, 3600),
            registry=self.registry,
        )
        self.handover_dispatch = Histogram(
            "buergerbot_handover_dispatch_seconds",
            "Time from a handover trigger to the queue event being published to consoles.",
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
            registry=self.registry,
        )
        self.rasa_latency = Histogram(
            "buergerbot_rasa_latency_seconds",
            "Round trip to Rasa.",
            ["kind"],
            buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30),
            registry=self.registry,
        )
        self.messages = Counter(
            "buergerbot_messages_total", "Persisted chat messages.", ["sender"], registry=self.registry
        )
        self.errors = Counter("buergerbot_errors_total", "Errors by kind.", ["kind"], registry=self.registry)
        self.handovers = Counter(
            "buergerbot_handovers_total", "Handover requests by outcome.", ["outcome"], registry=self.registry
        )

    def render(self) -> bytes:
        return generate_latest(self.registry)
