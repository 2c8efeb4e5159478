"""Dedup topology: wire.raw -> wire.unique | wire.duplicates.

wire.raw is keyed by body fingerprint, so every copy of a text lands in the same
partition as its table entry, whichever replica owns that partition.
"""

from __future__ import annotations

from schemas.articles import RawArticle
from schemas.topics import RAW
from services.common.settings import get_settings
from services.common.stage import ByteStream, Stage
from services.dedup.logic import deduplicate, remember

stage = Stage("dedup", get_settings())
app = stage.app
raw_topic = stage.topic(RAW)
# fingerprint -> first article id; changelog-backed, so a restart remembers every story.
first_copies = app.Table("first-copies", key_type=str, value_type=str)


@app.agent(raw_topic)
async def deduplicate_raw(stream: ByteStream) -> None:
    async for event, raw in stage.messages(stream, RawArticle):
        async with stage.guard(event):
            result = deduplicate(raw, first_copies)
            delivery = await stage.publish(result)
            await delivery  # remember a story only once its unique copy is safely on Kafka
            remember(result, first_copies)
