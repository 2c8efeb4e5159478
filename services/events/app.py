"""Events topology: wire.enriched -> <prefix>.events-by-region -> wire.events.

Extraction is per article and stateless. Assembly is not: every report of one incident
must meet the earlier reports, whichever replica read the article. So each report is
re-keyed by its region (country + admin1, `assembly.region_of`) onto an internal topic,
and the replica owning that partition matches it against the region's recent events in
a changelog-backed table (same partitions as the topic, so table shard and partition
move together). The merged event goes out on the compacted wire.events under its id.
"""

from __future__ import annotations

import json

from schemas.articles import EnrichedArticle
from schemas.events import Event
from schemas.topics import ENRICHED
from services.common.codec import encode
from services.common.settings import get_settings
from services.common.stage import ByteStream, Stage
from services.events.assembly import assemble, region_of
from services.events.extract import extract_events

settings = get_settings()
stage = Stage("events", settings)
app = stage.app
enriched_topic = stage.topic(ENRICHED)
regions_topic = stage.internal_topic("events-by-region")
# region -> JSON list of the region's recent events (assembly.KEEP_DAYS).
recent = app.Table("recent-events", key_type=str, value_type=str)


@app.agent(enriched_topic)
async def extract(stream: ByteStream) -> None:
    async for event, enriched in stage.messages(stream, EnrichedArticle):
        async with stage.guard(event):
            for incident in extract_events(enriched):
                delivery = await regions_topic.send(key=region_of(incident).encode(), value=encode(incident))
                await delivery  # acknowledge the article only once its reports are on Kafka


@app.agent(regions_topic)
async def assemble_events(stream: ByteStream) -> None:
    async for event, report in stage.messages(stream, Event):
        async with stage.guard(event):
            region = region_of(report)
            known = [Event.model_validate(e) for e in json.loads(recent.get(region) or "[]")]
            merged, kept = assemble(report, known)
            await stage.publish(merged)
            recent[region] = json.dumps([e.model_dump(mode="json") for e in kept])
