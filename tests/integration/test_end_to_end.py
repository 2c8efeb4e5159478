"""Seeds through the real Kafka and Elasticsearch, all five stages as separate processes."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from elasticsearch import Elasticsearch
from kafka import KafkaProducer

from schemas.topics import DUPLICATES, RAW
from services.common.kafka import kafka_python_config
from services.common.settings import Settings
from services.feeder.backlog import publish_backlog
from tests.conftest import SEEDS
from tests.integration.harness import read_topic, running, wait_for

STAGES = ["feeder", "dedup", "entities", "events", "indexer"]


def _count(es: Elasticsearch, alias: str, query: dict[str, Any] | None = None) -> int:
    if not es.indices.exists_alias(name=alias):
        return 0
    es.indices.refresh(index=alias)
    return int(es.count(index=alias, query=query or {"match_all": {}})["count"])


def test_seeds_end_to_end_indexed_once(
    live_settings: Settings, overrides: dict[str, Any], es: Elasticsearch, tmp_path: Path
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    settings = live_settings
    articles, events = settings.index("articles"), settings.index("events")
    overrides = {**overrides, "feeder_watch": [str(inbox)], "feeder_poll_seconds": 1}

    with running(STAGES, overrides, tmp_path) as stages:
        # First delivery: files dropped into the folder the feeder worker watches.
        shutil.copytree(SEEDS, inbox, dirs_exist_ok=True)
        wait_for(lambda: _count(es, articles) == 2, 180, "2 articles indexed", stages)

        docs = {hit["_id"]: hit["_source"] for hit in es.search(index=articles, size=10)["hits"]["hits"]}
        for doc in docs.values():
            assert doc["organizations"] and doc["places"] and doc["entities"]

        def events_of_each_article() -> bool:
            return all(_count(es, events, {"term": {"article_ids": i}}) for i in docs)

        wait_for(events_of_each_article, 60, "an event for each article", stages)

        # Second delivery of the same stories, as a backlog: dedup must absorb it.
        summary = publish_backlog([SEEDS], settings, progress=False)
        assert summary.published == 2
        duplicates = settings.topic(DUPLICATES)
        notices = wait_for(
            lambda: len(read_topic(settings, duplicates)) >= 2 or None, 120, "2 duplicate notices", stages
        )
        assert notices
        # Bad bytes on the raw topic end in the dead-letter index; the stage keeps going.
        producer = KafkaProducer(**kafka_python_config(settings))
        producer.send(settings.topic(RAW), key=b"poison", value=b"{not json")
        producer.flush()
        producer.close()
        deadletters = settings.index("deadletter")
        wait_for(
            lambda: _count(es, deadletters, {"term": {"stage": "dedup"}}),
            60,
            "the poison message in the dead-letter index",
            stages,
        )

        assert _count(es, articles) == 2
        assert {hit["_id"] for hit in es.search(index=articles, size=10)["hits"]["hits"]} == set(docs)
        assert all(s.process.poll() is None for s in stages), "a stage died"
