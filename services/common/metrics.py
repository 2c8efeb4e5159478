"""Prometheus metrics and log context for one stage (used by `services.common.stage`).

Every stage gets the same metric names, labelled by stage, so one dashboard and one
autoscaler rule fit them all. Each `StageMetrics` has its own registry: two stages built
in one process (tests, offline tools) never collide on the global one.
"""

from __future__ import annotations

import logging
from contextvars import ContextVar
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    ProcessCollector,
    generate_latest,
)

# Spans one fast message (ms) to a slow spaCy batch (seconds).
SECONDS_BUCKETS = (0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
SIZE_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024)
CONTENT_TYPE = CONTENT_TYPE_LATEST

# What the stage is working on right now, for log lines (set per message or batch item).
current_partition: ContextVar[int | None] = ContextVar("current_partition", default=None)
current_article: ContextVar[str | None] = ContextVar("current_article", default=None)
# Article id per event (by id()) of the batch the current agent task is working on.
batch_articles: ContextVar[dict[int, str | None] | None] = ContextVar("batch_articles", default=None)


class StageMetrics:
    """The counters, histograms and gauges every stage exports on `/metrics`."""

    def __init__(self, stage: str) -> None:
        self.stage = stage
        self.registry = CollectorRegistry()
        ProcessCollector(registry=self.registry)  # CPU and memory of the worker
        labels = ["stage"]
        self.messages_in = Counter(
            "wirestream_messages_in",
            "Messages consumed, by source topic.",
            [*labels, "topic"],
            registry=self.registry,
        )
        self.messages_out = Counter(
            "wirestream_messages_out",
            "Messages published, by destination topic.",
            [*labels, "topic"],
            registry=self.registry,
        )
        self.errors = Counter(
            "wirestream_errors",
            "Failures, by exception type.",
            [*labels, "error_type"],
            registry=self.registry,
        )
        self.dead_letters = Counter(
            "wirestream_dead_letters",
            "Records sent to the dead-letter topic.",
            labels,
            registry=self.registry,
        )
        self.processing = Histogram(
            "wirestream_processing_seconds",
            "Time the stage spent on one message or one batch (kind).",
            [*labels, "kind"],
            buckets=SECONDS_BUCKETS,
            registry=self.registry,
        )
        self.batch_size = Histogram(
            "wirestream_batch_size",
            "Messages per batch.",
            labels,
            buckets=SIZE_BUCKETS,
            registry=self.registry,
        )
        self.lag = Gauge(
            "wirestream_consumer_lag",
            "Messages not yet committed, per assigned partition (sampled).",
            [*labels, "topic", "partition"],
            registry=self.registry,
        )
        self.ready = Gauge(
            "wirestream_ready",
            "1 when the worker is ready, 0 when not; `status` says which (sampled).",
            [*labels, "status"],
            registry=self.registry,
        )
        self.assigned = Gauge(
            "wirestream_assigned_partitions",
            "Partitions this replica consumes (sampled).",
            labels,
            registry=self.registry,
        )

    def set_ready(self, ready: bool, status: str) -> None:
        """1 when the worker is ready (assigned, recovered, not stalled); the status names why not."""
        self.ready.clear()
        self.ready.labels(self.stage, status).set(1 if ready else 0)

    def consumed(self, topic: str, count: int = 1) -> None:
        self.messages_in.labels(self.stage, topic).inc(count)

    def published(self, topic: str) -> None:
        self.messages_out.labels(self.stage, topic).inc()

    def failed(self, error: BaseException, dead_lettered: bool) -> None:
        self.errors.labels(self.stage, type(error).__name__).inc()
        if dead_lettered:
            self.dead_letters.labels(self.stage).inc()

    def took(self, kind: str, seconds: float) -> None:
        self.processing.labels(self.stage, kind).observe(seconds)

    def batch(self, size: int) -> None:
        self.batch_size.labels(self.stage).observe(size)

    def set_lag(self, lags: dict[tuple[str, int], int]) -> None:
        """Replace the lag gauges with this sample: partitions no longer assigned disappear."""
        self.lag.clear()
        for (topic, partition), lag in lags.items():
            self.lag.labels(self.stage, topic, str(partition)).set(lag)
        self.assigned.labels(self.stage).set(len(lags))

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


def partition_lag(highwater: int | None, committed: int | None) -> int:
    """Messages in a partition after the committed offset (both are next-offset positions)."""
    if highwater is None:
        return 0
    return max(0, highwater - (committed or 0))


def article_id_of(message: Any) -> str | None:
    """The article a topic message is about, if it is about one."""
    article = getattr(message, "article", message)
    article_id = getattr(article, "article_id", None)
    return article_id if isinstance(article_id, str) else None


class ContextFilter(logging.Filter):
    """Adds `stage`, `partition` and `article_id` to every record of the wirestream logger."""

    def __init__(self, stage: str) -> None:
        super().__init__()
        self.stage = stage

    def filter(self, record: logging.LogRecord) -> bool:
        record.stage = self.stage
        partition = current_partition.get()
        record.partition = "-" if partition is None else partition
        record.article_id = current_article.get() or "-"
        return True


LOG_FORMAT = (
    "[%(asctime)s] [%(process)d] [%(levelname)s] stage=%(stage)s partition=%(partition)s "
    "article_id=%(article_id)s %(message)s"
)


def logging_config(stage: str) -> dict[str, Any]:
    """dictConfig for the worker: our logger gets the context format, Faust's logs stay as they are.

    `merge` tells mode (Faust's worker) to add this to its own default configuration.
    """
    return {
        "version": 1,
        "merge": True,
        "disable_existing_loggers": False,
        "filters": {"wirestream_context": {"()": ContextFilter, "stage": stage}},
        "formatters": {"wirestream": {"format": LOG_FORMAT}},
        "handlers": {
            "wirestream": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stdout",
                "formatter": "wirestream",
                "filters": ["wirestream_context"],
            }
        },
        "loggers": {"wirestream": {"handlers": ["wirestream"], "propagate": False}},
    }
