"""Entities topology: wire.unique -> wire.enriched, in batches through spaCy."""

from __future__ import annotations

import asyncio

from schemas.articles import UniqueArticle
from schemas.topics import UNIQUE
from services.common.settings import get_settings
from services.common.stage import ByteStream, Stage
from services.entities.ner import enrich, load_pipeline

settings = get_settings()
stage = Stage("entities", settings)
app = stage.app
unique_topic = stage.topic(UNIQUE)


@app.agent(unique_topic)
async def enrich_unique(stream: ByteStream) -> None:
    nlp = await asyncio.to_thread(load_pipeline, settings.spacy_model)
    async for batch in stage.batches(stream, UniqueArticle, settings.entities_batch_size):
        try:
            # A thread keeps the event loop (and Kafka heartbeats) alive while spaCy works.
            enriched = await asyncio.to_thread(
                enrich, nlp, [message for _, message in batch], settings.entities_batch_size
            )
        except Exception:
            # One article broke the batch: redo it one by one so only that one is dead-lettered.
            for event, message in batch:
                async with stage.guard(event):
                    (single,) = await asyncio.to_thread(enrich, nlp, [message], 1)
                    await stage.publish(single)
            continue
        for (event, _), result in zip(batch, enriched, strict=True):
            async with stage.guard(event):
                await stage.publish(result)
