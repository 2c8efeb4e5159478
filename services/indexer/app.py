"""Indexer topology: wire.enriched, wire.events, wire.deadletter, wire.duplicates -> Elasticsearch.

Offsets of a batch are acknowledged only after Elasticsearch has acknowledged it.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TypeVar

from elasticsearch import ApiError, TransportError

from schemas.articles import DuplicateNotice, EnrichedArticle
from schemas.base import WireModel
from schemas.deadletter import DeadLetter
from schemas.events import Event
from schemas.topics import DEADLETTER, DUPLICATES, ENRICHED, EVENTS
from services.common.backoff import delays
from services.common.es import async_es_client, es_client
from services.common.settings import get_settings
from services.common.stage import ByteEvent, ByteStream, Stage, log
from services.indexer.bulk import short, sources, stored_documents, write
from services.indexer.documents import (
    LIVING_FIELDS,
    Action,
    article_action,
    changed_events,
    deadletter_action,
    delete_action,
    event_action,
    event_writes,
    retired_id,
    syndication_actions,
)
from services.indexer.mappings import ensure_indices

M = TypeVar("M", bound=WireModel)

settings = get_settings()
stage = Stage("indexer", settings)
app = stage.app
enriched_topic = stage.topic(ENRICHED)
events_topic = stage.topic(EVENTS)
deadletter_topic = stage.topic(DEADLETTER)
duplicates_topic = stage.topic(DUPLICATES)
client = async_es_client(settings)


async def create_indices() -> None:
    """Templates and aliases before the first write; waits while Elasticsearch is down."""
    for pause in delays(0.5, settings.es_retry_max_seconds):
        try:
            with es_client(settings) as sync_client:
                await asyncio.to_thread(ensure_indices, sync_client, settings)
            return
        except (TransportError, ApiError) as exc:
            log.warning("stage=indexer cannot set up indices yet (%s); retrying", short(exc))
            await asyncio.sleep(pause)


async def dead_letter_all(error: Exception, owners: dict[str, list[ByteEvent]]) -> None:
    for events in owners.values():
        for event in events:
            await stage.send_dead_letter(error, event)


async def write_batch(actions: list[Action], owners: dict[str, list[ByteEvent]]) -> None:
    """Write `actions`; dead-letter the messages behind any document Elasticsearch refused.

    `owners` maps each document `_id` to the messages it was built from.
    """
    try:
        rejected = await write(client, actions, settings.es_retry_max_seconds)
    except Exception as exc:  # the whole batch was refused, e.g. too large for one request
        await dead_letter_all(exc, owners)
        return
    for action, item in rejected:
        error = ValueError(f"elasticsearch rejected {short(action['_id'], 80)}: {short(item.get('error'))}")
        for event in owners[action["_id"]]:
            await stage.send_dead_letter(error, event)


async def index_stream(
    stream: ByteStream, model: type[M], to_action: Callable[[str, M], Action], alias: str
) -> None:
    index = settings.index(alias)
    await create_indices()  # idempotent; each agent may be the first to run
    async for batch in stage.batches(stream, model, settings.bulk_size):
        owners: dict[str, list[ByteEvent]] = defaultdict(list)
        actions = []
        for event, message in batch:
            action = to_action(index, message)
            owners[action["_id"]].append(event)
            actions.append(action)
        await write_batch(actions, owners)


@app.agent(enriched_topic)
async def index_articles(stream: ByteStream) -> None:
    await index_stream(stream, EnrichedArticle, article_action, "articles")


@app.agent(events_topic)
async def index_events(stream: ByteStream) -> None:
    """Living dataset: only a version the index does not hold yet is written, so `updated`
    moves when a report changed the event and a replay leaves it alone. A tombstone (an event
    retired into another) deletes its document; deleting an absent one is fine, and a delete
    waits out an unavailable Elasticsearch like any write."""
    index = settings.index("events")
    await create_indices()
    async for batch in stage.batches_with_tombstones(stream, Event, settings.bulk_size):
        owners: dict[str, list[ByteEvent]] = defaultdict(list)
        messages: list[tuple[str, Event | None]] = []
        for event, message in batch:
            try:
                key = message.event_id if message is not None else retired_id(event.message.key)
            except ValueError as exc:
                await stage.send_dead_letter(exc, event)
                continue
            owners[key].append(event)
            messages.append((key, message))
        versions, retired = event_writes(messages)
        ids = list(dict.fromkeys(e.event_id for e in versions))
        try:
            stored = await stored_documents(client, index, ids, LIVING_FIELDS, settings.es_retry_max_seconds)
        except Exception as exc:  # refused, not unavailable (that is waited out)
            await dead_letter_all(exc, owners)
            continue
        now = datetime.now(UTC)
        changed = changed_events(versions, stored)
        actions = [event_action(index, e, now, stored.get(e.event_id)) for e in changed]
        actions += [delete_action(index, event_id) for event_id in retired]
        if actions:
            await write_batch(actions, owners)


@app.agent(deadletter_topic)
async def index_deadletters(stream: ByteStream) -> None:
    await index_stream(stream, DeadLetter, deadletter_action, "deadletter")


@app.agent(duplicates_topic)
async def index_syndication(stream: ByteStream) -> None:
    """Copies of a story recorded on its original (wire.duplicates is keyed by original id).

    Read the stored lists, merge, write the full lists back: idempotent under replay
    without scripts. Only the consumer owning an original's partition writes its lists.
    """
    index = settings.index("articles")
    await create_indices()
    async for batch in stage.batches(stream, DuplicateNotice, settings.bulk_size):
        owners: dict[str, list[ByteEvent]] = defaultdict(list)
        for event, notice in batch:
            owners[notice.original_id].append(event)
        try:
            stored = await sources(client, index, list(owners), "syndication", settings.es_retry_max_seconds)
        except Exception as exc:  # refused, not unavailable (that is waited out)
            await dead_letter_all(exc, owners)
            continue
        actions = syndication_actions(index, stored, [notice for _, notice in batch])
        if actions:
            await write_batch(actions, owners)
