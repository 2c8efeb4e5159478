"""Capacity of the single deciding partition, on the real Kafka:

    python -m bench.dedup_stream [--articles 3000] [--distinct 0]

Publishes the labelled benchmark stream (about 70% copies) to a fresh wire.raw as a
backlog, starts one dedup worker, and times it from its first decision to its last.
This includes what the pure-logic rate leaves out: the hop through the ordered topic
and the wait for Kafka's acknowledgement of every decision before it is remembered.

With `--distinct N`, the backlog is N distinct wire-length stories instead (every one is
remembered), and the worker's resident memory is read from /proc when the first 1,000
are decided and at the end: the growth per 1,000 remembered stories is what the
memory limit in deploy/k8s/stages.yaml is sized from.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import uuid
from pathlib import Path

from kafka import KafkaConsumer, TopicPartition
from kafka.admin import KafkaAdminClient

from bench.dedup import distinct_stories
from eval.dedup.benchmark import Generator
from schemas.articles import RawArticle
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
    parser.add_argument("--distinct", type=int, default=0, help="distinct stories instead, and memory")
    args = parser.parse_args()
    raws: list[RawArticle]
    if args.distinct:
        raws = distinct_stories(args.distinct)
    else:
        raws = [item.raw for seed in range(100) for item in Generator(seed).stream(8, 4)][: args.articles]
    rss: list[tuple[int, int]] = []  # (decided, worker RSS bytes)
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
            with running(["dedup"], overrides, Path(tmp)) as (worker,):
                while (done := decided(settings, consumer)) == 0:
                    time.sleep(0.05)
                start, first = time.perf_counter(), done
                while (done := decided(settings, consumer)) < len(raws):
                    if args.distinct and not rss and done >= 1000:
                        rss.append((done, rss_of(worker.process.pid)))
                    time.sleep(0.2)
                elapsed = time.perf_counter() - start
                if args.distinct:
                    time.sleep(2)  # the last decisions are remembered after their output is acknowledged
                    rss.append((done, rss_of(worker.process.pid)))
        finally:
            consumer.close()
            admin = KafkaAdminClient(**kafka_python_config(settings))
            admin.delete_topics([t for t in admin.list_topics() if t.startswith(settings.topic_prefix)])
            admin.close()
    print(
        f"one dedup worker decided {done - first} stories in {elapsed:.1f} s = "
        f"{(done - first) / elapsed:.0f} stories/s (ordered hop and acknowledged output included)"
    )
    if len(rss) == 2:
        (n0, r0), (n1, r1) = rss
        print(
            f"worker RSS {r0 / 2**20:.0f} MiB at {n0} decided, {r1 / 2**20:.0f} MiB at {n1}: "
            f"{(r1 - r0) / (n1 - n0) * 1000 / 2**20:.2f} MiB per 1,000 remembered stories"
        )


def rss_of(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


if __name__ == "__main__":
    main()
