"""Events topology: wire.enriched -> <prefix>.events-by-region -> wire.events.

Extraction is per article and stateless. Assembly is not: every report of one incident
must meet the earlier reports, whichever replica read the article. So each report is
re-keyed by its region (country + admin1, `assembly.region_of`) onto an internal topic,
and the replica owning that partition matches it against the region's recent events in
a changelog-backed table (same partitions as the topic, so table shard and partition
move together). The merged event goes out on the compacted wire.events under its id. The
table holds each event's reports, so a report that bridges two events joins them whatever the
order (assembly.assemble, the same function offline mode runs); the event folded in is retired
with a tombstone on wire.events, and the indexer deletes its document.
"""

from __future__ import annotations

import logging

from schemas.articles import EnrichedArticle
from schemas.events import Event
from schemas.topics import ENRICHED, EVENTS
from services.common.codec import encode
from services.common.settings import get_settings
from services.common.stage import ByteStream, Stage
from services.events.assembly import assemble, dump_groups, load_groups, region_of
from services.events.extract import extract_events

log = logging.getLogger("wirestream.events")
settings = get_settings()
stage = Stage("events", settings)
app = stage.app
enriched_topic = stage.topic(ENRICHED)
regions_topic = stage.internal_topic("events-by-region")
# region -> JSON of the region's recent groups of reports (assembly.KEEP_DAYS).
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
            assembled = assemble(report, load_groups(recent.get(region)))
            await stage.publish(assembled.event)
            for event_id in assembled.retired:
                # After the event that now holds its reports, so a reader never misses both.
                await stage.retire(EVENTS, event_id)
                log.info("event %s folded into %s: tombstone sent", event_id, assembled.event.event_id)
            recent[region] = dump_groups(assembled.groups)
