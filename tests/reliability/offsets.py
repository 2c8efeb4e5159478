"""What the broker says about the pipeline's progress: committed offsets against log ends.

Two positive signals the fault scenarios rely on instead of sleeping:
- **in flight**: a stage's group had not committed everything on its inputs when it was
  killed (log end read just before the kill, committed offsets just after it: a dead
  process commits nothing more, so the difference is exact on the committed side);
- **drained**: every stage's group has committed every message on every topic it reads.
"""

from __future__ import annotations

import contextlib
import json
import re
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from kafka import KafkaAdminClient, KafkaConsumer, TopicPartition

from schemas.topics import DEADLETTER, DUPLICATES, ENRICHED, EVENTS, RAW, UNIQUE
from services.common.kafka import kafka_python_config
from services.common.settings import Settings
from tests.integration.harness import read_topic


def stage_inputs(settings: Settings) -> dict[str, list[str]]:
    """The topics each consuming stage's group reads (contract and internal)."""
    prefix = settings.topic_prefix
    return {
        "dedup": [settings.topic(RAW), f"{prefix}.dedup-ordered"],
        "entities": [settings.topic(UNIQUE)],
        "events": [settings.topic(ENRICHED), f"{prefix}.events-by-region"],
        "indexer": [settings.topic(s) for s in (ENRICHED, EVENTS, DEADLETTER, DUPLICATES)],
    }


@dataclass(frozen=True)
class InFlight:
    """Work a killed process had not acknowledged at the moment of the kill."""

    process: str
    behind: dict[str, int]  # per topic: log end just before the kill minus committed offset
    consumed_unacked: dict[str, int] = field(default_factory=dict)  # consumed (its /metrics) minus committed
    prefix: str = ""  # the run's topic prefix and its dot, left out when printed
    behind_means: str = "behind log end"  # the feeder's: files its checkpoint did not mark published

    @property
    def proven(self) -> bool:
        return any(n > 0 for n in self.behind.values())

    def __str__(self) -> str:
        def listed(counts: dict[str, int]) -> str:
            # Topic names without the run's prefix: "raw", "dedup-ordered", "dedup:raw".
            return (
                ", ".join(f"{t.replace(self.prefix, '')} {n}" for t, n in sorted(counts.items()) if n) or "-"
            )

        return (
            f"{self.process}: {self.behind_means} [{listed(self.behind)}]; "
            f"consumed, not acked [{listed(self.consumed_unacked)}]"
        )


class Offsets:
    """Committed offsets and log ends on one Kafka, through kafka-python."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.inputs = stage_inputs(settings)
        self._admin: KafkaAdminClient | None = None
        self._consumer: KafkaConsumer | None = None

    def _clients(self) -> tuple[KafkaAdminClient, KafkaConsumer]:
        if self._admin is None or self._consumer is None:
            config = kafka_python_config(self.settings)
            self._admin = KafkaAdminClient(**config, client_id="wirestream-test-offsets")
            self._consumer = KafkaConsumer(**config, enable_auto_commit=False, group_id=None)
        return self._admin, self._consumer

    def reset(self) -> None:
        """Drop the clients (after a broker restart they may hold dead connections)."""
        for client in (self._admin, self._consumer):
            if client is not None:
                with contextlib.suppress(Exception):  # a client of a dead broker
                    client.close()
        self._admin = self._consumer = None

    def ends(self, topics: list[str]) -> dict[TopicPartition, int]:
        _, consumer = self._clients()
        partitions = [TopicPartition(t, p) for t in topics for p in consumer.partitions_for_topic(t) or []]
        return dict(consumer.end_offsets(partitions)) if partitions else {}

    def committed(self, stage: str) -> dict[TopicPartition, int]:
        admin, _ = self._clients()
        group = f"{self.settings.topic_prefix}-{stage}"
        offsets = admin.list_group_offsets(group).get(group, {})
        return {tp: meta.offset for tp, meta in offsets.items() if meta.offset >= 0}

    def behind(self, stage: str, ends: dict[TopicPartition, int] | None = None) -> dict[str, int]:
        """Per input topic of `stage`: messages between its group's committed offset and the log end."""
        ends = self.ends(self.inputs[stage]) if ends is None else ends
        committed = self.committed(stage)
        totals: Counter[str] = Counter({t: 0 for t in self.inputs[stage]})
        for tp, end in ends.items():
            totals[tp.topic] += max(0, end - committed.get(tp, 0))
        return dict(totals)

    def drained(self) -> bool:
        """Every group has committed every message on every topic it reads."""
        try:
            return all(not any(self.behind(stage).values()) for stage in self.inputs)
        except Exception:  # the broker is restarting: not drained yet
            self.reset()
            return False

    def close(self) -> None:
        self.reset()


def consumed(port: int) -> dict[str, int]:
    """Messages a stage process has consumed, per topic, from its /metrics page."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as page:
        text = page.read().decode()
    pattern = re.compile(r'^wirestream_messages_in_total\{[^}]*topic="([^"]+)"[^}]*\} (\S+)$')
    return {m[1]: int(float(m[2])) for line in text.splitlines() if (m := pattern.match(line))}


def ids_seen_twice(settings: Settings) -> dict[str, int]:
    """Per contract topic: how many article ids (events: event id and version) appear more
    than once. A retried send the broker wrote twice, or a replay after a crash, shows here."""

    def key(topic: str, value: dict[str, Any]) -> str:
        if topic == settings.topic(EVENTS):
            return f"{value['event_id']}@{value['version']}"
        if topic == settings.topic(DUPLICATES):
            return str(value["article_id"])
        return str(value["article"]["article_id"])

    result = {}
    for spec in (RAW, UNIQUE, DUPLICATES, ENRICHED, EVENTS):
        topic = settings.topic(spec)
        counts: Counter[str] = Counter()
        for record in read_topic(settings, topic):
            try:
                counts[key(topic, json.loads(record.value))] += 1
            except (ValueError, TypeError, KeyError):
                continue  # a poison message the scenario wrote itself: not a pipeline output
        result[spec.suffix] = sum(1 for n in counts.values() if n > 1)
    return result
