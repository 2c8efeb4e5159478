"""Where a group consumer starts reading after a rebalance, on the real Kafka.

Faust seeks every assigned partition back to its committed offset after a rebalance, to
re-read what it fetched but dropped mid-rebalance. A partition the group never committed
for must go back to the start of its log; else a record fetched and dropped there is
skipped for good while the worker looks assigned and healthy.
"""

from __future__ import annotations

import asyncio

from aiokafka import AIOKafkaConsumer
from aiokafka.structs import OffsetAndMetadata, TopicPartition

from schemas.topics import ENRICHED, RAW, UNIQUE
from services.common.kafka import reliable_producer, seek_to_committed_or_start
from services.common.settings import Settings

RECORDS = 3


def _fill(settings: Settings, topic: str) -> None:
    producer = reliable_producer(settings)
    try:
        for n in range(RECORDS):
            producer.send(topic, key=b"k", value=f"record {n}".encode(), partition=0).get(timeout=30)
    finally:
        producer.close()


async def _positions_after_seek(
    settings: Settings, topics: list[str], committed: dict[str, int]
) -> dict[str, int]:
    """Fetch every record (moving the positions past them), commit `committed`, then seek."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=settings.kafka_bootstrap,
        group_id=f"{settings.topic_prefix}-positions",
        enable_auto_commit=False,
        auto_offset_reset="earliest",
    )
    await consumer.start()
    try:
        partitions = [TopicPartition(topic, 0) for topic in topics]
        consumer.assign(partitions)
        fetched = 0
        while fetched < RECORDS * len(topics):
            batches = await consumer.getmany(timeout_ms=1000)
            fetched += sum(len(records) for records in batches.values())
        assert all([await consumer.position(tp) == RECORDS for tp in partitions])
        if committed:
            await consumer.commit(
                {TopicPartition(t, 0): OffsetAndMetadata(o, "") for t, o in committed.items()}
            )
        await seek_to_committed_or_start(consumer, keep_position={topics[-1]})
        return {tp.topic: await consumer.position(tp) for tp in partitions}
    finally:
        await consumer.stop()


def test_fetched_but_uncommitted_records_are_read_again_after_the_seek(live_settings: Settings) -> None:
    settings = live_settings
    never_committed, committed, kept = (settings.topic(spec) for spec in (RAW, UNIQUE, ENRICHED))
    for topic in (never_committed, committed, kept):
        _fill(settings, topic)

    positions = asyncio.run(
        _positions_after_seek(settings, [never_committed, committed, kept], {committed: 1})
    )

    # Nothing committed: back to the first record, not left after the fetched ones.
    assert positions[never_committed] == 0
    # Committed: back to the commit, as before.
    assert positions[committed] == 1
    # A changelog-like topic Faust positions itself keeps its position.
    assert positions[kept] == RECORDS
