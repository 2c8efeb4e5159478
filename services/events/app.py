"""Events topology: wire.enriched -> wire.events (keyed by event id, compacted)."""

from __future__ import annotations

from schemas.articles import EnrichedArticle
from schemas.topics import ENRICHED
from services.common.settings import get_settings
from services.common.stage import ByteStream, Stage
from services.events.extract import extract_events

stage = Stage("events", get_settings())
app = stage.app
enriched_topic = stage.topic(ENRICHED)


@app.agent(enriched_topic)
async def assemble_events(stream: ByteStream) -> None:
    async for event, enriched in stage.messages(stream, EnrichedArticle):
        async with stage.guard(event):
            for incident in extract_events(enriched):
                await stage.publish(incident)
