"""Indexer topology: wire.enriched, wire.events, wire.deadletter -> Elasticsearch.

Offsets of a batch are acknowledged only after Elasticsearch has acknowledged it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeVar

from elasticsearch import ApiError, TransportError

from schemas.articles import EnrichedArticle
from schemas.base import WireModel
from schemas.deadletter import DeadLetter
from schemas.events import Event
from schemas.topics import DEADLETTER, ENRICHED, EVENTS
from services.common.es import async_es_client, es_client
from services.common.settings import get_settings
from services.common.stage import ByteStream, Stage, log
from services.indexer.bulk import write
from services.indexer.documents import (
    Action,
    article_action,
    deadletter_action,
    event_action,
)
from services.indexer.mappings import ensure_indices

M = TypeVar("M", bound=WireModel)

settings = get_settings()
stage = Stage("indexer", settings)
app = stage.app
enriched_topic = stage.topic(ENRICHED)
events_topic = stage.topic(EVENTS)
deadletter_topic = stage.topic(DEADLETTER)
client = async_es_client(settings)


async def create_indices() -> None:
    """Templates and aliases before the first write; waits while Elasticsearch is down."""
    backoff = 0.5
    while True:
        try:
            with es_client(settings) as sync_client:
                await asyncio.to_thread(ensure_indices, sync_client, settings)
            return
        except (TransportError, ApiError) as exc:
            log.warning("stage=indexer cannot set up indices yet (%s); retrying", exc)
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, settings.es_retry_max_seconds)


async def index_stream(
    stream: ByteStream, model: type[M], to_action: Callable[[str, M], Action], alias: str
) -> None:
    index = settings.index(alias)
    await create_indices()  # idempotent; each agent may be the first to run
    async for batch in stage.batches(stream, model, settings.bulk_size):
        events = {}
        actions = []
        for event, message in batch:
            action = to_action(index, message)
            events[action["_id"]] = event
            actions.append(action)
        try:
            rejected = await write(client, actions, settings.es_retry_max_seconds)
        except Exception as exc:  # the whole batch was refused, e.g. too large for one request
            for event, _ in batch:
                await stage.send_dead_letter(exc, event)
            continue
        for action, item in rejected:
            error = ValueError(f"elasticsearch rejected {action['_id']}: {item.get('error')}")
            await stage.send_dead_letter(error, events[action["_id"]])


@app.agent(enriched_topic)
async def index_articles(stream: ByteStream) -> None:
    await index_stream(stream, EnrichedArticle, article_action, "articles")


@app.agent(events_topic)
async def index_events(stream: ByteStream) -> None:
    await index_stream(stream, Event, event_action, "events")


@app.agent(deadletter_topic)
async def index_deadletters(stream: ByteStream) -> None:
    await index_stream(stream, DeadLetter, deadletter_action, "deadletter")
