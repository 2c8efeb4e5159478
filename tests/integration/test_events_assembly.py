"""Cross-article assembly through the real Kafka and Elasticsearch (events + indexer stages)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from elasticsearch import Elasticsearch

from schemas.articles import Article, EnrichedArticle, Entity
from services.common.kafka import reliable_producer, send
from services.common.settings import Settings
from tests.integration.harness import running, wait_for

PUBLISHED = datetime(2018, 5, 27, 9, 0, tzinfo=UTC)  # a Sunday: "Wednesday" is May 23
PLACES = {
    "Mayadeen": ("Deir ez-Zor", 35.02, 40.45, "exact"),
    "Deir ez-Zor": ("Deir ez-Zor", 35.33, 40.14, "admin1"),
    "Abu Kamal": ("Deir ez-Zor", 34.45, 40.92, "exact"),
}
NAMES = {
    "Islamic State": "ORG",
    "Syrian Observatory for Human Rights": "ORG",
    **dict.fromkeys(PLACES, "GPE"),
}


def enriched(article_id: str, agency: str, text: str) -> EnrichedArticle:
    entities = []
    for name, label in NAMES.items():
        at = text.find(name)
        if at < 0:
            continue
        admin1, lat, lon, precision = PLACES.get(name, (None, None, None, None))
        entities.append(
            Entity(
                text=name,
                label=label,
                canonical=name,
                start=at,
                end=at + len(name),
                country="Syria" if name in PLACES else None,
                admin1=admin1,
                lat=lat,
                lon=lon,
                precision=precision,
            )
        )
    article = Article(
        article_id=article_id,
        source=f"test://{article_id}",
        agency=agency,
        paragraphs=[text],
        published=PUBLISHED,
        published_from="metadata",
        ingested=PUBLISHED,
    )
    return EnrichedArticle(article=article, entities=entities, model="test")


AFP = enriched(
    "afp-1",
    "AFP",
    "Islamic State jihadists killed 35 pro-government fighters near Mayadeen on Wednesday, "
    "the Syrian Observatory for Human Rights said.",
)
AP = enriched(
    "ap-1",
    "AP",
    "At least 27 Syrian soldiers were killed on Wednesday in an Islamic State attack in "
    "Deir ez-Zor province, Russia's defence ministry said.",
)
REUTERS = enriched(
    "reuters-1",
    "Reuters",
    "On Wednesday, an Islamic State car bomb killed eight civilians in Abu Kamal, residents said.",
)


def _events(es: Elasticsearch, index: str) -> list[dict[str, Any]]:
    if not es.indices.exists_alias(name=index):
        return []
    es.indices.refresh(index=index)
    return [hit["_source"] for hit in es.search(index=index, size=20)["hits"]["hits"]]


def test_two_agencies_make_one_event_and_another_town_a_second(
    live_settings: Settings, overrides: dict[str, Any], es: Elasticsearch, tmp_path: Path
) -> None:
    index = live_settings.index("events")
    producer = reliable_producer(live_settings)
    with running(["events", "indexer"], overrides, tmp_path) as stages:

        def publish_and_wait(article: EnrichedArticle, what: str, check: Any) -> list[dict[str, Any]]:
            # One at a time, so the order the region's partition sees is the order sent.
            send(producer, live_settings, article).get(timeout=30)
            return wait_for(lambda: found if check(found := _events(es, index)) else None, 120, what, stages)

        publish_and_wait(AFP, "the AFP report indexed", lambda found: len(found) == 1)
        publish_and_wait(AP, "the AP report merged", lambda found: found and found[0]["version"] == 2)
        found = publish_and_wait(REUTERS, "the Abu Kamal event", lambda found: len(found) == 2)

    producer.close()
    merged = next(e for e in found if e["version"] == 2)
    assert sorted(merged["article_ids"]) == ["afp-1", "ap-1"]
    assert sorted(merged["sources"]) == ["AFP", "AP"]
    assert merged["location"]["name"] == "Mayadeen"
    assert (merged["fatalities"]["low"], merged["fatalities"]["best"]) == (27, 35)
    assert {"Syrian Observatory for Human Rights", "Ministry of Defence of Russia"} <= set(
        merged["reported_by"]
    )
    other = next(e for e in found if e["version"] == 1)
    assert other["article_ids"] == ["reuters-1"] and other["location"]["name"] == "Abu Kamal"
    assert other["event_type"] == "Explosions/Remote violence"
