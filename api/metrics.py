"""Prometheus metrics, one registry per app (no process-global state, so tests can build many apps)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.updates = Counter("intake_updates_total", "Updates received, by kind and channel",
                               ["kind", "channel"], registry=self.registry)
        self.latency = Histogram(
            "intake_handling_seconds", "Time from receiving an update to its answer", ["channel"],
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 4, 5, 10),
            registry=self.registry,
        )
        self.replies = Counter("intake_replies_total", "Messages answered, by way (passive, custom, late)",
                               ["way"], registry=self.registry)
        self.retries = Counter("intake_retries_answered_total",
                               "WeChat retries answered from the reply cache", registry=self.registry)
        self.errors = Counter("intake_errors_total", "Errors, by where they happened", ["where"],
                              registry=self.registry)
        self.rejected = Counter("intake_rejected_requests_total",
                                "Callbacks refused (bad signature, replay, malformed)", ["reason"],
                                registry=self.registry)
        self.pushes = Counter("intake_pushes_total", "Outbox deliveries, by result", ["result"],
                              registry=self.registry)

    def render(self) -> bytes:
        return generate_latest(self.registry)
