"""Start-up on the real Kafka: a topic that appears after the worker's first metadata fetch,
and readiness that says when a worker does nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from schemas.articles import RawArticle, UniqueArticle
from schemas.topics import ENRICHED, UNIQUE
from services.common.codec import decode
from services.common.kafka import create_topics, reliable_producer, send
from services.common.settings import Settings
from services.feeder.reader import read_paths
from tests.conftest import SEEDS
from tests.integration.harness import read_topic, readiness, running, wait_for
from tests.integration.test_elasticsearch_indexer import publish


def test_a_topic_created_after_the_first_metadata_fetch_is_consumed(
    overrides: dict[str, Any], tmp_path: Path
) -> None:
    """The race of a fresh deployment: dedup starts before its internal topic and its
    table's changelog exist (an operator creates topics; workers may not). It must not
    join the group without them, nor sit on an assignment that leaves them out."""
    settings = Settings(**overrides, kafka_create_topics=False)
    create_topics(settings)  # the contract topics only
    ordered = f"{settings.topic_prefix}.dedup-ordered"
    changelog = f"{settings.topic_prefix}-dedup-remembered-changelog"
    worker_overrides = {**overrides, "kafka_create_topics": False}
    first = next(i for i in read_paths([SEEDS]) if isinstance(i, RawArticle))

    with running(["dedup"], worker_overrides, tmp_path) as stages:
        dedup = stages[0]

        def waiting() -> dict[str, Any] | None:
            body = readiness(dedup)
            return body if body and body["status"] == "waiting-for-topics" else None

        # The worker has fetched metadata and found its topics missing: not ready, and says why.
        body = wait_for(waiting, 180, "dedup reporting the missing topics", stages)
        assert not body["ready"] and ordered in body["detail"] and changelog in body["detail"]

        create_topics(settings, extra_compacted=(changelog,), extra=(ordered,))
        producer = reliable_producer(settings)
        send(producer, settings, first).get(timeout=30)
        producer.close()

        def unique() -> list[UniqueArticle]:
            return [decode(r.value, UniqueArticle) for r in read_topic(settings, settings.topic(UNIQUE))]

        # aiokafka's default metadata refresh (5 minutes) is what kept this from happening.
        wait_for(unique, 120, "the story through dedup-ordered onto wire.unique", stages)
        ready = wait_for(lambda: (b := readiness(dedup)) and b["ready"] and b, 60, "dedup ready", stages)
        assert ready["status"] == "ok"
    assert [u.article.article_id for u in unique()] == [first.article.article_id]


def test_a_worker_with_lag_that_processes_nothing_is_reported_stalled(
    live_settings: Settings,
    overrides: dict[str, Any],
    tmp_path: Path,
    seed_enriched: dict[str, Any],
) -> None:
    """The indexer with an Elasticsearch that never answers: it holds its first batch,
    retrying, and acknowledges nothing while more articles arrive."""
    settings = live_settings
    unreachable = {**overrides, "es_url": "http://127.0.0.1:9", "es_retry_max_seconds": 1.0}
    unreachable["stall_seconds"] = 3.0
    story = next(iter(seed_enriched.values()))
    with running(["indexer"], unreachable, tmp_path) as stages:
        indexer = stages[0]
        wait_for(lambda: (b := readiness(indexer)) and b["ready"], 180, "the indexer ready", stages)
        copies = [
            story.model_copy(update={"article": story.article.model_copy(update={"article_id": f"stall{n}"})})
            for n in range(20)
        ]
        publish(settings, copies)

        def stalled() -> dict[str, Any] | None:
            body = readiness(indexer)
            return body if body and body["status"] == "stalled" else None

        body = wait_for(stalled, 120, "the indexer reported stalled", stages)
        assert not body["ready"] and settings.topic(ENRICHED) in body["detail"]
