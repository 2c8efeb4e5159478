"""Bulk writes that wait out an unavailable Elasticsearch instead of dropping anything."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from elasticsearch import ApiError, AsyncElasticsearch, TransportError
from elasticsearch.helpers import async_bulk

from services.common.backoff import delays
from services.common.text import clip
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
        raise Unavailable(short(exc)) from exc
    except ApiError as exc:
        if exc.status_code in RETRY_STATUSES:
            raise Unavailable(short(exc)) from exc
        raise


MAX_ID_BYTES = 512  # Elasticsearch refuses a longer `_id`, and with it the whole bulk request
MAX_LOG_CHARS = 500


def short(text: object, limit: int = MAX_LOG_CHARS) -> str:
    """One bounded line for a log message or an error reason."""
    return clip(" ".join(str(text).split()), limit)


def id_problem(doc_id: object) -> str | None:
    """Why Elasticsearch would refuse this `_id` (and with it every action of the request)."""
    if not isinstance(doc_id, str) or not doc_id:
        return "document id is missing or empty"
    size = len(doc_id.encode("utf-8", "surrogatepass"))
    if size > MAX_ID_BYTES:
        return f"document id of {size} bytes is longer than {MAX_ID_BYTES}"
    return None


def _refusal(exc: ApiError) -> dict[str, Any]:
    """The item-shaped error of a request Elasticsearch refused as a whole."""
    return {"status": exc.status_code, "error": short(exc.message if hasattr(exc, "message") else exc)}


async def _bulk_request(
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
    return rejections(actions, errors)  # type: ignore[arg-type]


def rejections(
    actions: Sequence[Action], errors: Sequence[dict[str, dict[str, Any]]]
) -> list[tuple[Action, dict[str, Any]]]:
    """The actions Elasticsearch refused for their content, from the bulk helper's failed items
    (`{operation: item}`). A 429/5xx item raises `Unavailable` (the batch is tried again); a
    delete of a document that is not there is the outcome wanted, not a refusal."""
    by_id = {action["_id"]: action for action in actions}
    rejected = []
    for error in errors:
        ((operation, item),) = error.items()
        if operation == "delete" and item.get("status") == 404:
            continue
        if item.get("status") in RETRY_STATUSES:
            raise Unavailable(f"item {short(item.get('_id'), 80)} got {item.get('status')}")
        rejected.append((by_id[item["_id"]], item))
    return rejected


async def _bulk_once(
    client: AsyncElasticsearch, actions: Sequence[Action], max_backoff: float
) -> list[tuple[Action, dict[str, Any]]]:
    """Per-item outcomes: actions whose id Elasticsearch would refuse are not sent; when it
    refuses the request as a whole (400, 413), each action is tried alone, so only the
    culprit is rejected and its neighbours are written."""
    rejected = [(a, {"status": 400, "error": problem}) for a in actions if (problem := id_problem(a["_id"]))]
    valid = [a for a in actions if id_problem(a["_id"]) is None]
    if not valid:
        return rejected
    try:
        return rejected + await _bulk_request(client, valid, max_backoff)
    except ApiError as exc:  # not an outage (those are Unavailable): the request itself
        if len(valid) == 1:
            return [*rejected, (valid[0], _refusal(exc))]
        log.warning("elasticsearch refused a bulk of %d (%s); writing each alone", len(valid), short(exc))
    for action in valid:
        try:
            rejected += await _bulk_request(client, [action], max_backoff)
        except ApiError as exc:
            rejected.append((action, _refusal(exc)))
    return rejected


async def until_available(attempt: Callable[[], Awaitable[T]], max_backoff: float) -> T:
    """Run `attempt` until Elasticsearch answers, backing off while it is down or overloaded."""
    pauses = delays(min(0.5, max_backoff), max_backoff)
    while True:
        try:
            return await attempt()
        except Unavailable as exc:
            pause = next(pauses)
            log.warning("elasticsearch unavailable (%s); retrying in %.1fs", short(exc), pause)
            await asyncio.sleep(pause)


async def write(
    client: AsyncElasticsearch, actions: Sequence[Action], max_backoff: float
) -> list[tuple[Action, dict[str, Any]]]:
    """Write `actions`; return those Elasticsearch rejected for their content, with the reason.

    While Elasticsearch is down or overloaded this keeps retrying with backoff, so the
    caller does not acknowledge its Kafka offsets: lag grows, nothing is lost. `_id`s
    are deterministic, so a retried batch overwrites rather than duplicates.
    """
    return await until_available(lambda: _bulk_once(client, actions, max_backoff), max_backoff)


async def stored_documents(
    client: AsyncElasticsearch, index: str, ids: Sequence[str], fields: Sequence[str], max_backoff: float
) -> dict[str, dict[str, Any] | None]:
    """`fields` of each stored document (None when it is absent), read in real time; waits out outages."""

    if not ids:
        return {}  # Elasticsearch refuses an mget of nothing

    async def attempt() -> dict[str, dict[str, Any] | None]:
        with unavailable_on_outage():
            response = await client.mget(index=index, ids=list(ids), source_includes=list(fields))
        return {doc["_id"]: doc.get("_source", {}) if doc.get("found") else None for doc in response["docs"]}

    return await until_available(attempt, max_backoff)


async def sources(
    client: AsyncElasticsearch, index: str, ids: Sequence[str], field: str, max_backoff: float
) -> dict[str, Any]:
    """`field` of each stored document (None when absent or unset)."""
    stored = await stored_documents(client, index, ids, [field], max_backoff)
    return {doc_id: (source or {}).get(field) for doc_id, source in stored.items()}
