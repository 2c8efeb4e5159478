"""Cross-article assembly through the real Kafka and Elasticsearch (events + indexer stages)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from elasticsearch import Elasticsearch

from schemas.articles import EnrichedArticle
from services.common.kafka import reliable_producer, send
from services.common.settings import Settings
from tests.integration.harness import running, wait_for
from tests.unit.test_events_extract import enriched

AFP = enriched(
    "afp-1",
    "AFP",
    "Islamic State jihadists killed 35 pro-government fighters near Mayadeen in eastern Syria on Wednesday, "
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
    "On Wednesday, an Islamic State car bomb killed eight civilians in the Syrian town of Abu Kamal, "
    "residents said.",
)


def _events(es: Elasticsearch, index: str) -> list[dict[str, Any]]:
    if not es.indices.exists_alias(name=index):
        return []
    es.indices.refresh(index=index)
    return [hit["_source"] for hit in es.search(index=index, size=20)["hits"]["hits"]]


Found = list[dict[str, Any]]
Publish = Callable[[EnrichedArticle, str, Callable[[Found], bool]], Found]


@contextmanager
def events_and_indexer(
    settings: Settings, overrides: dict[str, Any], es: Elasticsearch, tmp_path: Path
) -> Iterator[Publish]:
    """The two stages running, and a way to publish one article and wait until the events index
    passes a check; one at a time, so the order the region's partition sees is the order sent."""
    index = settings.index("events")
    producer = reliable_producer(settings)
    try:
        with running(["events", "indexer"], overrides, tmp_path) as stages:

            def publish_and_wait(
                article: EnrichedArticle, what: str, check: Callable[[Found], bool]
            ) -> Found:
                send(producer, settings, article).get(timeout=30)
                return wait_for(
                    lambda: found if check(found := _events(es, index)) else None, 120, what, stages
                )

            yield publish_and_wait
    finally:
        producer.close()


def test_two_agencies_make_one_event_and_another_town_a_second(
    live_settings: Settings, overrides: dict[str, Any], es: Elasticsearch, tmp_path: Path
) -> None:
    with events_and_indexer(live_settings, overrides, es, tmp_path) as publish_and_wait:
        publish_and_wait(AFP, "the AFP report indexed", lambda found: len(found) == 1)
        publish_and_wait(AP, "the AP report merged", lambda found: bool(found) and found[0]["version"] == 2)
        found = publish_and_wait(REUTERS, "the Abu Kamal event", lambda found: len(found) == 2)

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


def _report(article_id: str, agency: str, killed: int, day: str) -> EnrichedArticle:
    return enriched(
        article_id,
        agency,
        f"Islamic State jihadists killed {killed} pro-government fighters near Mayadeen on {day}, "
        "the Syrian Observatory for Human Rights said.",
    )


def test_an_event_retired_by_a_bridging_report_leaves_the_index(
    live_settings: Settings, overrides: dict[str, Any], es: Elasticsearch, tmp_path: Path
) -> None:
    """Tuesday's and Thursday's reports are two days apart, two events; Wednesday's matches
    both and joins them: the events stage publishes the joined event and a tombstone for the
    other, and the indexer deletes the retired document."""
    with events_and_indexer(live_settings, overrides, es, tmp_path) as publish_and_wait:
        first = publish_and_wait(
            _report("afp-2", "AFP", 12, "Tuesday"), "Tuesday's event", lambda f: len(f) == 1
        )
        publish_and_wait(
            _report("ap-2", "AP", 14, "Thursday"), "Thursday's event apart", lambda f: len(f) == 2
        )
        found = publish_and_wait(
            _report("reuters-2", "Reuters", 13, "Wednesday"),
            "one event left after the bridge",
            lambda f: len(f) == 1 and len(f[0]["article_ids"]) == 3,
        )

    (joined,) = found
    assert joined["event_id"] == first[0]["event_id"]  # the event there first keeps its id
    assert sorted(joined["article_ids"]) == ["afp-2", "ap-2", "reuters-2"]
    assert joined["version"] == 3
