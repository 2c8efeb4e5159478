"""Dedup topology: wire.raw -> <prefix>.dedup-ordered (one partition) -> wire.unique | wire.duplicates.

A near copy shares no key with its original (its fingerprint differs), so no keying of
wire.raw can promise that copies meet. Every replica therefore forwards what it reads
from wire.raw to partition 0 of an internal topic, and the one replica that owns that
partition decides every story in one order against one memory. The decision costs
about a millisecond (`make bench-dedup`), far below the gap between wire stories.

The slow, linear part of a story (repeated sentences, shingles, signature) runs in a
thread, so a long story never holds the event loop (heartbeats, `/health/`) for long;
deciding (one signature scan, a bounded number of verifications) and remembering stay on
the loop, where the table that backs the memory is written. A story over
`story_max_chars` is a dead letter with that reason.
"""

from __future__ import annotations

import asyncio
from collections.abc import MutableMapping
from typing import Any, cast

from faust.types import TP

from schemas.articles import RawArticle
from schemas.topics import RAW
from services.common.settings import get_settings
from services.common.stage import ByteStream, Stage
from services.dedup.logic import decide, prepare, remember
from services.dedup.memory import DedupParams, Memory

DECIDING_PARTITION = 0

settings = get_settings()
stage = Stage("dedup", settings)
app = stage.app
raw_topic = stage.topic(RAW)
ordered_topic = stage.internal_topic("dedup-ordered")
# article id -> remembered story (shingles, fingerprint, time); changelog-backed, so a
# restarted or newly assigned replica rebuilds it, and the LSH index from it.
remembered = app.Table("remembered", key_type=str, value_type=str)
params = DedupParams.from_settings(settings)


class Decider:
    """The memory of the replica that owns the deciding partition.

    Built lazily, because the table is complete only once its recovery ends; kept while
    this replica keeps the partition (only the owner writes the table), rebuilt from the
    changelog when the partition comes back after another replica had it.
    """

    def __init__(self) -> None:
        self._memory: Memory | None = None
        self._owned = False
        self._assignments = 0

    async def memory(self) -> Memory:
        while self._memory is None:
            assignment = self._assignments
            memory = Memory(cast(MutableMapping[str, str], remembered), params, restore=False)
            for _ in memory.restore():
                await asyncio.sleep(0)  # heartbeats and rebalances go on during a long rebuild
            if assignment == self._assignments:  # else rebuild: the table may have moved on
                self._memory = memory
        return self._memory

    def reassigned(self, assigned: set[TP]) -> None:
        owned = TP(ordered_topic.get_topic_name(), DECIDING_PARTITION) in assigned
        if not (owned and self._owned):
            self._memory = None
        self._owned = owned
        self._assignments += 1


decider = Decider()


@app.on_partitions_assigned.connect
async def _reassigned(app: Any, /, *args: Any, **kwargs: Any) -> None:
    decider.reassigned(args[0])


@app.agent(raw_topic)
async def sequence_raw(stream: ByteStream) -> None:
    # Decoded here too, so a bad message's dead letter names wire.raw, where it came from.
    async for event, _ in stage.messages(stream, RawArticle):
        async with stage.guard(event):
            delivery = await ordered_topic.send(
                key=event.key, value=event.value, partition=DECIDING_PARTITION
            )
            await delivery  # acknowledge wire.raw only once the story is in the ordered log


@app.agent(ordered_topic)
async def deduplicate_raw(stream: ByteStream) -> None:
    async for event, raw in stage.messages(stream, RawArticle):
        async with stage.guard(event):
            memory = await decider.memory()
            prepared = await asyncio.to_thread(prepare, raw, memory)
            result = decide(prepared, memory)
            delivery = await stage.publish(result)
            await delivery  # remember a story only once its unique copy is safely on Kafka
            remember(result, memory)
