"""Bulk writes that wait out an unavailable Elasticsearch instead of dropping anything."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from elasticsearch import ApiError, AsyncElasticsearch, TransportError
from elasticsearch.helpers import async_bulk

from services.indexer.documents import Action

log = logging.getLogger("wirestream.indexer")
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
T = TypeVar("T")


class Unavailable(Exception):
    """Elasticsearch could not take the batch now; try the whole batch again."""


@contextmanager
def unavailable_on_outage() -> Iterator[None]:
    """Connection failures and 429/5xx become `Unavailable`; other API errors pass through."""
    try:
        yield
    except TransportError as exc:  # connection refused, timeout
        raise Unavailable(str(exc)) from exc
    except ApiError as exc:
        if exc.status_code in RETRY_STATUSES:
            raise Unavailable(str(exc)) from exc
        raise


async def _bulk_once(
    client: AsyncElasticsearch, actions: Sequence[Action], max_backoff: float
) -> list[tuple[Action, dict[str, Any]]]:
    with unavailable_on_outage():
        _, errors = await async_bulk(
            client,
            actions,
            raise_on_error=False,
            max_retries=5,
            initial_backoff=0.5,
            max_backoff=max_backoff,
        )
    by_id = {action["_id"]: action for action in actions}
    rejected = []
    for error in errors:  # type: ignore[union-attr]
        (item,) = error.values()
        if item.get("status") in RETRY_STATUSES:
            raise Unavailable(f"item {item.get('_id')} got {item.get('status')}")
        rejected.append((by_id[item["_id"]], item))
    return rejected


async def until_available(attempt: Callable[[], Awaitable[T]], max_backoff: float) -> T:
    """Run `attempt` until Elasticsearch answers, backing off while it is down or overloaded."""
    backoff = min(0.5, max_backoff)
    while True:
        try:
            return await attempt()
        except Unavailable as exc:
            log.warning("elasticsearch unavailable (%s); retrying in %.1fs", exc, backoff)
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, max_backoff)


async def write(
    client: AsyncElasticsearch, actions: Sequence[Action], max_backoff: float
) -> list[tuple[Action, dict[str, Any]]]:
    """Write `actions`; return those Elasticsearch rejected for their content, with the reason.

    While Elasticsearch is down or overloaded this keeps retrying with backoff, so the
    caller does not acknowledge its Kafka offsets: lag grows, nothing is lost. `_id`s
    are deterministic, so a retried batch overwrites rather than duplicates.
    """
    return await until_available(lambda: _bulk_once(client, actions, max_backoff), max_backoff)


async def sources(
    client: AsyncElasticsearch, index: str, ids: Sequence[str], field: str, max_backoff: float
) -> dict[str, Any]:
    """`field` of each stored document (None when absent), read in real time; waits out outages."""

    async def attempt() -> dict[str, Any]:
        with unavailable_on_outage():
            response = await client.mget(index=index, ids=list(ids), source_includes=[field])
        return {doc["_id"]: doc.get("_source", {}).get(field) for doc in response["docs"]}

    return await until_available(attempt, max_backoff)
