"""Two entities replicas share the work; every stage's /metrics shows what it did."""

from __future__ import annotations

import json
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any

from elasticsearch import Elasticsearch
from prometheus_client.parser import text_string_to_metric_families

from bench.corpus import generate, write_jsonl
from schemas.topics import ENRICHED
from services.common.settings import Settings
from tests.integration.harness import StageProcess, read_topic, running, wait_for

ARTICLES = 200
# Two replicas of the slow stage; one of every other.
STAGES = ["dedup", "entities", "entities", "events", "indexer", "feeder"]

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def scrape(process: StageProcess) -> Samples:
    """Every sample of the stage's /metrics page, by (name, labels)."""
    with urllib.request.urlopen(f"http://127.0.0.1:{process.port}/metrics", timeout=5) as response:
        text = response.read().decode()
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def total(samples: Samples, name: str) -> float:
    return sum(value for (sample, _), value in samples.items() if sample == name)


def safe_scrape(process: StageProcess) -> Samples:
    try:
        return scrape(process)
    except OSError:  # web server not up yet
        return {}


def test_two_entities_replicas_share_partitions_and_enrich_each_article_once(
    live_settings: Settings, overrides: dict[str, Any], es: Elasticsearch, tmp_path: Path
) -> None:
    settings = live_settings
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    overrides = {**overrides, "feeder_watch": [str(inbox)], "feeder_poll_seconds": 1}
    articles = settings.index("articles")

    with running(STAGES, overrides, tmp_path) as stages:
        dedup, *replicas, events, indexer, feeder = stages
        # Feed only once both replicas own partitions: a rebalance during the feed may
        # legitimately redeliver uncommitted messages (at-least-once), which is not what
        # this test is about.
        wait_for(
            lambda: all(total(safe_scrape(r), "wirestream_assigned_partitions") > 0 for r in replicas),
            90,
            "both entities replicas to own partitions",
            stages,
        )
        write_jsonl(inbox / "batch.jsonl", generate(ARTICLES, seed=20))

        def indexed() -> int:
            if not es.indices.exists_alias(name=articles):
                return 0
            es.indices.refresh(index=articles)
            return int(es.count(index=articles)["count"])

        wait_for(lambda: indexed() >= ARTICLES, 120, f"{ARTICLES} articles indexed", stages)

        enriched = read_topic(settings, settings.topic(ENRICHED))
        ids = Counter(json.loads(record.value)["article"]["article_id"] for record in enriched)
        assert len(ids) == ARTICLES and len(enriched) == ARTICLES, ids.most_common(3)

        hits = es.search(index=articles, size=ARTICLES + 10, version=True)["hits"]["hits"]
        assert len(hits) == ARTICLES
        assert {hit["_version"] for hit in hits} == {1}, "an article was written to Elasticsearch twice"

        metrics = {id(p): scrape(p) for p in stages}
        # Each replica owns a share of the partitions and enriched a share of the articles.
        shares = [total(metrics[id(r)], "wirestream_messages_in_total") for r in replicas]
        assert all(shares) and sum(shares) == ARTICLES, shares
        assert sum(total(metrics[id(r)], "wirestream_assigned_partitions") for r in replicas) == (
            settings.topic_partitions
        )
        for replica in replicas:
            assert total(metrics[id(replica)], "wirestream_batch_size_count") > 0
            assert total(metrics[id(replica)], "wirestream_processing_seconds_count") > 0
        # Every stage counted its traffic.
        assert total(metrics[id(feeder)], "wirestream_messages_out_total") == ARTICLES
        for stage in (dedup, events, indexer):
            assert total(metrics[id(stage)], "wirestream_messages_in_total") >= ARTICLES, stage.stage
        assert total(metrics[id(dedup)], "wirestream_messages_out_total") == ARTICLES
        assert total(metrics[id(dedup)], "wirestream_processing_seconds_count") >= ARTICLES
        assert total(metrics[id(indexer)], "wirestream_batch_size_sum") >= ARTICLES
        assert total(metrics[id(indexer)], "wirestream_dead_letters_total") == 0
        # Log lines name the stage, the partition and the article.
        feeder_log = feeder.log.read_text()
        assert "stage=feeder partition=- article_id=- " in feeder_log
