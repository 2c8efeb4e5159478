"""Nothing dropped between topics: every field an index mapping declares is written, and
what dedup decided about a story (fingerprint, removed sentences, update_of) survives the
entities stage on wire.enriched version 2, which is read side by side with version 1."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import pytest

from schemas.articles import DuplicateNotice, EnrichedArticle, EnrichedArticleV1, UniqueArticle
from schemas.events import Event, Evidence, Fatalities, Figure, Location
from schemas.topics import ENRICHED
from services.common.codec import CodecError, decode, encode
from services.common.deadletter import dead_letter
from services.indexer.documents import article_action, deadletter_action, event_action, syndication_actions
from services.indexer.mappings import article_mapping, deadletter_mapping, event_mapping


def never_written(properties: dict[str, Any], documents: list[dict[str, Any]], path: str = "") -> list[str]:
    """Mapped field paths that no document gives a value (None and [] count as not written)."""
    missing = []
    for name, spec in properties.items():
        values = [d[name] for d in documents if isinstance(d, dict) and d.get(name) not in (None, [], {})]
        if not values:
            missing.append(path + name)
        elif "properties" in spec:
            nested = [v for value in values for v in (value if isinstance(value, list) else [value])]
            missing += never_written(spec["properties"], nested, f"{path}{name}.")
    return missing


def test_never_written_finds_a_mapped_field_left_empty() -> None:
    mapping = {"a": {"type": "keyword"}, "b": {"properties": {"c": {"type": "integer"}}}}
    assert never_written(mapping, [{"a": "x", "b": {"c": 1}}]) == []
    assert never_written(mapping, [{"a": None, "b": [{"c": None}]}]) == ["a", "b.c"]


@pytest.fixture
def full_article(seed_enriched: dict[str, EnrichedArticle]) -> EnrichedArticle:
    """A seed story through dedup and entities with every optional field set."""
    enriched = next(e for e in seed_enriched.values() if any(x.lat is not None for x in e.entities))
    article = enriched.article.model_copy(
        update={
            "agency": "AFP",
            "outlet": "Test Outlet",
            "url": "https://example.org/story",
            "headline": "A headline",
            "byline": "A Writer",
            "dateline": "BEIRUT",
            "captions": ["A caption we wrote."],
        }
    )
    unique = UniqueArticle(
        fingerprint="f" * 40, article=article, removed_sentences=2, update_of="an-earlier-story"
    )
    return EnrichedArticle.of(unique, enriched.entities, enriched.model)


def test_every_mapped_article_field_is_written(full_article: EnrichedArticle) -> None:
    notice = DuplicateNotice(
        article_id="a-copy",
        original_id=full_article.article.article_id,
        similarity=0.9,
        source="copy.txt",
        outlet="Another Outlet",
        detected_at=datetime.now(UTC),
    )
    written = [article_action("articles", full_article), *syndication_actions("articles", {}, [notice])]
    documents = [document for action in written for document in (action["doc"], action["upsert"])]
    assert never_written(article_mapping("standard")["properties"], documents) == []
    written = documents[0]
    assert (written["fingerprint"], written["removed_sentences"], written["update_of"]) == (
        "f" * 40,
        2,
        "an-earlier-story",
    )


def test_every_mapped_event_and_deadletter_field_is_written() -> None:
    toll = Fatalities(low=2, best=3, high=4)
    event = Event(
        event_id="e1",
        date=date(2026, 1, 2),
        date_precision="day",
        event_type="Battles",
        sub_type="Armed clash",
        actor1="Side A",
        actor2="Side B",
        assoc_actors=["Side C"],
        location=Location(
            name="Springfield",
            country="United States",
            admin1="Illinois",
            lat=39.8,
            lon=-89.64,
            precision="town",
        ),
        fatalities=toll,
        injuries=toll,
        reported_by=["a monitor"],
        article_ids=["a1"],
        sources=["AFP"],
        evidence=[Evidence(article_id="a1", sentence="Three were killed.", start=0, end=18)],
        figures=[Figure(kind="killed", value=3, article_id="a1", sentence="Three were killed.")],
    )
    action = event_action("events", event, now=datetime.now(UTC))
    assert never_written(event_mapping("standard")["properties"], [action["doc"], action["upsert"]]) == []
    record = dead_letter(
        "entities", ValueError("bad"), "payload", max_payload=1024, topic="t", partition=0, offset=1, key=b"k"
    )
    source = deadletter_action("deadletter", record)["_source"]
    assert never_written(deadletter_mapping("standard")["properties"], [source]) == []


def test_enriched_version_1_is_read_side_by_side_as_version_2(full_article: EnrichedArticle) -> None:
    v1 = EnrichedArticleV1(article=full_article.article, entities=full_article.entities, model="m")
    read = decode(encode(v1), ENRICHED.model)
    assert isinstance(read, EnrichedArticle) and read.schema_version == 2
    assert (read.article, read.entities, read.fingerprint, read.update_of) == (
        v1.article,
        v1.entities,
        None,
        None,
    )
    assert decode(encode(full_article), EnrichedArticle) == full_article
    future = json.loads(encode(full_article))
    future["schema_version"] = 3
    with pytest.raises(CodecError, match="reads 1, 2"):
        decode(json.dumps(future).encode(), EnrichedArticle)
    # A version-1 message cannot carry version-2 fields: extra fields stay errors.
    mixed = json.loads(encode(full_article))
    mixed["schema_version"] = 1
    with pytest.raises(CodecError, match="fingerprint"):
        decode(json.dumps(mixed).encode(), EnrichedArticle)


def test_the_entities_stage_carries_dedup_fields(
    seed_uniques: dict[str, UniqueArticle], seed_enriched: dict[str, EnrichedArticle]
) -> None:
    """`enrich` (the entities stage's pure layer) on the seed stories after dedup."""
    for name, unique in seed_uniques.items():
        enriched = seed_enriched[name]
        assert enriched.fingerprint == unique.fingerprint is not None
        assert (enriched.removed_sentences, enriched.update_of) == (
            unique.removed_sentences,
            unique.update_of,
        )
