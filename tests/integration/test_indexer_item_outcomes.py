"""Per-item outcomes from the real Elasticsearch: an id it would refuse, or an action that
makes it refuse the whole bulk request, dead-letters only its own message; the dead letter
of a message with a huge key still fits the dead-letter index."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from elasticsearch import Elasticsearch
from kafka import KafkaProducer

from schemas.articles import EnrichedArticle
from schemas.topics import ENRICHED
from services.common.es import async_es_client
from services.common.kafka import kafka_python_config
from services.common.settings import Settings
from services.indexer.bulk import write
from tests.integration.harness import running, wait_for
from tests.integration.test_elasticsearch_indexer import publish, search


def _variant(base: EnrichedArticle, article_id: str) -> EnrichedArticle:
    return base.model_copy(update={"article": base.article.model_copy(update={"article_id": article_id})})


def test_bad_ids_and_a_huge_key_dead_letter_only_themselves(
    live_settings: Settings,
    overrides: dict[str, Any],
    es: Elasticsearch,
    tmp_path: Path,
    seed_enriched: dict[str, EnrichedArticle],
) -> None:
    settings = live_settings
    base = next(iter(seed_enriched.values()))
    valid = [_variant(base, f"valid-{n:02d}") for n in range(30)]
    culprits = [_variant(base, ""), _variant(base, "x" * 600)]
    articles, deadletters = settings.index("articles"), settings.index("deadletter")
    with running(["indexer"], overrides, tmp_path) as stages:
        publish(settings, [*valid[:15], *culprits, *valid[15:]])  # one batch, culprits in the middle
        producer = KafkaProducer(**kafka_python_config(settings), max_request_size=4_000_000)
        producer.send(settings.topic(ENRICHED), key=b"k" * 1_000_000, value=b"{not json")
        producer.flush()
        producer.close()
        wait_for(
            lambda: len(search(es, articles, {"match_all": {}})) == 30 or None, 90, "30 articles", stages
        )
        wait_for(
            lambda: len(search(es, deadletters, {"match_all": {}})) == 3 or None, 60, "3 dead letters", stages
        )
        assert stages[0].process.poll() is None, stages[0].tail()
        log = stages[0].tail(2000)
    letters = [hit["_source"] for hit in search(es, deadletters, {"match_all": {}})]
    reasons = sorted(letter["error"] for letter in letters)
    assert any("id is missing or empty" in r for r in reasons), reasons
    assert any("600 bytes is longer than 512" in r for r in reasons), reasons
    (huge,) = [letter for letter in letters if letter["error_type"] == "CodecError"]
    assert len(huge["key"]) <= 512 and huge["key"].startswith("kkkk")
    assert max(len(line) for line in log.splitlines()) < 5000, "a log line carried the huge key"


def test_a_request_refused_as_a_whole_is_retried_item_by_item(
    live_settings: Settings, es: Elasticsearch
) -> None:
    index = live_settings.index("probe")
    good = [{"_op_type": "index", "_index": index, "_id": f"g{n}", "_source": {"n": n}} for n in range(5)]
    # A document Elasticsearch cannot parse makes it refuse the whole bulk request (HTTP 400).
    culprit = {"_op_type": "update", "_index": index, "_id": "bad", "doc": 5}

    async def run() -> list[tuple[dict[str, Any], dict[str, Any]]]:
        client = async_es_client(live_settings)
        try:
            return await write(client, [*good[:2], culprit, *good[2:]], 1.0)
        finally:
            await client.close()

    rejected = asyncio.run(run())
    assert [action["_id"] for action, _ in rejected] == ["bad"]
    assert rejected[0][1]["status"] == 400
    es.indices.refresh(index=index)
    assert es.count(index=index)["count"] == 5
