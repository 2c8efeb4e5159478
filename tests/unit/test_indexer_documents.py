"""Indexer documents: upserts that never wipe syndication, syndication merges, strict mappings."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any
from unittest.mock import ANY

import pytest

from schemas.articles import DuplicateNotice, EnrichedArticle
from services.common.deadletter import dead_letter
from services.events.extract import extract_events
from services.indexer.bulk import Unavailable, until_available
from services.indexer.documents import (
    article_action,
    deadletter_action,
    delete_action,
    event_action,
    event_writes,
    retired_id,
    syndication,
    syndication_actions,
)
from services.indexer.mappings import article_mapping, deadletter_mapping, event_mapping

ORIGINAL = "a" * 40


def notice(copy_id: str, outlet: str | None = None, agency: str | None = None) -> DuplicateNotice:
    return DuplicateNotice(
        article_id=copy_id,
        original_id=ORIGINAL,
        similarity=1.0,
        source=f"/in/{copy_id}.txt",
        outlet=outlet,
        agency=agency,
        detected_at=datetime(2026, 11, 21, tzinfo=UTC),
    )


def unmapped(document: Any, mapping: dict[str, Any], path: str = "") -> list[str]:
    """Paths in `document` that a strict mapping would refuse."""
    if isinstance(document, list):
        return [p for item in document for p in unmapped(item, mapping, path)]
    if not isinstance(document, dict) or mapping.get("enabled") is False:
        return []
    properties = mapping.get("properties")
    if properties is None:  # a leaf type such as geo_point given as {"lat", "lon"}
        return []
    missing = []
    for key, value in document.items():
        if key not in properties:
            missing.append(f"{path}{key}")
        else:
            missing += unmapped(value, properties[key], f"{path}{key}.")
    return missing


def test_article_write_is_a_partial_upsert_that_leaves_syndication_alone(
    seed_enriched: dict[str, EnrichedArticle],
) -> None:
    action = article_action("articles", seed_enriched["001_a09dbfd06fd3978c.txt"])
    assert action["_op_type"] == "update" and action["upsert"] == {**action["doc"], "indexed": ANY}
    assert "script" not in action and "_source" not in action
    assert "syndication" not in action["doc"]
    # Stamped only on creation: a replay writes nothing new, so Elasticsearch makes it a no-op.
    assert "indexed" not in action["doc"]


def test_documents_fit_the_strict_mappings(seed_enriched: dict[str, EnrichedArticle]) -> None:
    for enriched in seed_enriched.values():
        assert unmapped(article_action("a", enriched)["doc"], article_mapping("standard")) == []
        events = extract_events(enriched)
        assert events
        for event in events:
            assert unmapped(event_action("e", event)["doc"], event_mapping("standard")) == []
    (upsert,) = syndication_actions("a", {}, [notice("b" * 40, outlet="Reuters")])
    assert unmapped(upsert["doc"], article_mapping("standard")) == []
    record = dead_letter("dedup", ValueError("bad"), b"x", max_payload=1024, topic="t", partition=0, offset=1)
    assert unmapped(deadletter_action("d", record)["_source"], deadletter_mapping("standard")) == []


def test_unmapped_finds_a_field_the_mapping_lacks() -> None:
    mapping = {"properties": {"a": {"properties": {"b": {"type": "keyword"}}}}}
    assert unmapped({"a": [{"b": 1, "c": 2}], "d": 3}, mapping) == ["a.c", "d"]


def test_event_upsert_clears_a_location_the_merge_dropped(seed_enriched: dict[str, EnrichedArticle]) -> None:
    event = extract_events(seed_enriched["001_a09dbfd06fd3978c.txt"])[0]
    action = event_action("events", event.model_copy(update={"location": None}))
    assert action["_op_type"] == "update" and action["_id"] == event.event_id
    assert action["doc"]["location"] is None


def test_syndication_is_a_sorted_union_and_replay_changes_nothing() -> None:
    first = syndication(None, [notice("c" * 40, outlet="Le Monde"), notice("b" * 40, agency="AFP")])
    assert first == {"copy_ids": ["b" * 40, "c" * 40], "outlets": ["AFP", "Le Monde"], "count": 2}
    assert syndication(first, [notice("b" * 40, agency="AFP")]) == first
    grown = syndication(first, [notice("d" * 40, outlet="Reuters")])
    assert grown["count"] == 3 and grown["outlets"] == ["AFP", "Le Monde", "Reuters"]


def test_a_repeat_of_the_original_itself_is_not_syndication() -> None:
    assert syndication(None, [notice(ORIGINAL, outlet="AP")])["count"] == 0
    assert syndication_actions("articles", {}, [notice(ORIGINAL, outlet="AP")]) == []


def test_syndication_actions_write_only_what_changed() -> None:
    notices = [notice("b" * 40, outlet="Reuters"), notice("c" * 40)]
    (action,) = syndication_actions("articles", {ORIGINAL: None}, notices)
    assert action["_op_type"] == "update" and action["upsert"] == {**action["doc"], "indexed": ANY}
    assert action["_id"] == ORIGINAL
    expected = {"copy_ids": ["b" * 40, "c" * 40], "outlets": ["Reuters"], "count": 2}
    assert action["doc"]["syndication"] == expected
    stored = {ORIGINAL: action["doc"]["syndication"]}
    assert syndication_actions("articles", stored, notices) == []  # replay: nothing to write


def test_until_available_retries_until_elasticsearch_answers() -> None:
    calls = []

    async def attempt() -> str:
        calls.append(1)
        if len(calls) < 3:
            raise Unavailable("connection refused")
        return "ok"

    assert asyncio.run(until_available(attempt, max_backoff=0.01)) == "ok"
    assert len(calls) == 3


def test_until_available_lets_content_errors_through() -> None:
    async def attempt() -> None:
        raise ValueError("mapper_parsing_exception")

    with pytest.raises(ValueError):
        asyncio.run(until_available(attempt, max_backoff=0.01))


def _version(seed_enriched: dict[str, EnrichedArticle], version: int) -> Any:
    event = extract_events(next(iter(seed_enriched.values())))[0]
    return event.model_copy(update={"version": version})


def test_a_tombstone_deletes_what_its_key_carried_before_it(
    seed_enriched: dict[str, EnrichedArticle],
) -> None:
    v1, v2 = _version(seed_enriched, 1), _version(seed_enriched, 2)
    key = v1.event_id
    # Retired after two versions in one batch: nothing to write, one delete.
    assert event_writes([(key, v1), (key, v2), (key, None)]) == ([], [key])
    # A version after the tombstone is written again and not deleted (order decides).
    assert event_writes([(key, v1), (key, None), (key, v2)]) == ([v2], [])
    # Another key's tombstone leaves this one's versions alone; a tombstone for an id never
    # seen in the batch still deletes (its document came from an earlier batch).
    assert event_writes([(key, v1), ("other", None)]) == ([v1], ["other"])
    assert delete_action("events", "other") == {"_op_type": "delete", "_index": "events", "_id": "other"}


def test_a_tombstone_names_its_event_by_key_or_is_refused() -> None:
    assert retired_id(b"abc123") == "abc123"
    for key, reason in ((None, "without a key"), (b"", "without a key"), (b"\xff", "not UTF-8")):
        with pytest.raises(ValueError, match=reason):
            retired_id(key)
