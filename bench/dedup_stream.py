"""Capacity of the single deciding partition, on the real Kafka:

    python -m bench.dedup_stream [--articles 3000]

Publishes the labelled benchmark stream (about 70% copies) to a fresh wire.raw as a
backlog, starts one dedup worker, and times it from its first decision to its last.
This includes what the pure-logic rate leaves out: the hop through the ordered topic
and the wait for Kafka's acknowledgement of every decision before it is remembered.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import uuid
from pathlib import Path

from kafka import KafkaConsumer, TopicPartition
from kafka.admin import KafkaAdminClient

from eval.dedup.benchmark import Generator
from schemas.topics import DUPLICATES, UNIQUE
from services.common.kafka import create_topics, kafka_python_config, reliable_producer, send
from services.common.settings import Settings
from tests.integration.harness import running


def decided(settings: Settings, consumer: KafkaConsumer) -> int:
    """Messages on wire.unique and wire.duplicates: one per decision."""
    partitions = [TopicPartition(settings.topic(spec), p) for spec in (UNIQUE, DUPLICATES) for p in range(4)]
    return sum(consumer.end_offsets(partitions).values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=3000)
    args = parser.parse_args()
    raws = [item.raw for seed in range(100) for item in Generator(seed).stream(8, 4)][: args.articles]
    with tempfile.TemporaryDirectory() as tmp:
        overrides = {
            "topic_prefix": f"bench{uuid.uuid4().hex[:8]}",
            "topic_partitions": 4,
            "state_dir": Path(tmp) / "state",
        }
        settings = Settings(**overrides)  # type: ignore[arg-type]
        create_topics(settings)
        producer = reliable_producer(settings)
        for raw in raws:
            send(producer, settings, raw)
        producer.flush()
        producer.close()
        consumer = KafkaConsumer(**kafka_python_config(settings))
        try:
            with running(["dedup"], overrides, Path(tmp)):
                while (done := decided(settings, consumer)) == 0:
                    time.sleep(0.05)
                start, first = time.perf_counter(), done
                while (done := decided(settings, consumer)) < len(raws):
                    time.sleep(0.2)
                elapsed = time.perf_counter() - start
        finally:
            consumer.close()
            admin = KafkaAdminClient(**kafka_python_config(settings))
            admin.delete_topics([t for t in admin.list_topics() if t.startswith(settings.topic_prefix)])
            admin.close()
    print(
        f"one dedup worker decided {done - first} stories in {elapsed:.1f} s = "
        f"{(done - first) / elapsed:.0f} stories/s (ordered hop and acknowledged output included)"
    )


if __name__ == "__main__":
    main()
