"""Indexing rate into the local Elasticsearch: bulk writes alone, then the indexer stage.

    python -m bench.indexer [--docs 5000] [--bulk-sizes 100,500,1000] [--no-stage]

`bulk` writes article upserts through the indexer's own `write()` one batch at a time, as
the stage does, for each bulk size. `stage` publishes the same articles to a fresh Kafka
topic and times a real `services.indexer` worker process until all are searchable.
The articles are the seed stories with their real entities under distinct ids. Every run
uses fresh index and topic names and deletes its indices afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from elasticsearch import Elasticsearch
from kafka import KafkaProducer

from schemas.articles import EnrichedArticle, UniqueArticle
from schemas.topics import ENRICHED
from services.common.codec import encode
from services.common.es import async_es_client, es_client
from services.common.kafka import create_topics, kafka_python_config
from services.common.settings import Settings
from services.entities.ner import enrich, load_pipeline
from services.feeder.reader import Rejected, read_paths
from services.indexer.bulk import write
from services.indexer.documents import article_action
from services.indexer.mappings import ensure_indices

ROOT = Path(__file__).resolve().parent.parent


def articles(settings: Settings, count: int) -> list[EnrichedArticle]:
    """`count` distinct articles shaped like real ones: the seeds, enriched once by spaCy."""
    uniques = [
        UniqueArticle(fingerprint=item.fingerprint, article=item.article)
        for item in read_paths([ROOT / "seeds"])
        if not isinstance(item, Rejected)
    ]
    seeds = enrich(load_pipeline(settings.spacy_model), uniques, batch_size=8)
    return [
        seed.model_copy(
            update={
                "article": seed.article.model_copy(
                    update={"article_id": f"bench{n:07d}{uuid.uuid4().hex[:8]}"}
                )
            }
        )
        for n in range(count)
        for seed in [seeds[n % len(seeds)]]
    ]


def fresh(settings: Settings) -> Settings:
    name = f"bench{uuid.uuid4().hex[:8]}"
    return settings.model_copy(update={"index_prefix": f"{name}-", "topic_prefix": name})


def count(client: Elasticsearch, alias: str) -> int:
    if not client.indices.exists_alias(name=alias):
        return 0
    client.indices.refresh(index=alias)
    return int(client.count(index=alias)["count"])


def docs_per_bulk(client: Elasticsearch, alias: str) -> float:
    """Documents per bulk request the shard actually received (the batches really sent)."""
    stats = client.indices.stats(index=alias, metric="bulk")["_all"]["primaries"]["bulk"]
    return count(client, alias) / max(1, int(stats["total_operations"]))


async def bulk_rate(settings: Settings, docs: list[EnrichedArticle], size: int) -> float:
    alias = settings.index("articles")
    client = async_es_client(settings)
    try:
        started = time.perf_counter()
        for start in range(0, len(docs), size):
            actions = [article_action(alias, doc) for doc in docs[start : start + size]]
            rejected = await write(client, actions, settings.es_retry_max_seconds)
            assert not rejected, rejected[:1]
        return len(docs) / (time.perf_counter() - started)
    finally:
        await client.close()


def stage_rate(settings: Settings, docs: list[EnrichedArticle], sync: Elasticsearch) -> float:
    """A real indexer worker draining a topic that already holds every article."""
    create_topics(settings)
    producer = KafkaProducer(**kafka_python_config(settings))
    for doc in docs:
        producer.send(settings.topic(ENRICHED), key=doc.article.article_id.encode(), value=encode(doc))
    producer.flush()
    producer.close()
    env = {
        **os.environ,
        "WIRESTREAM_TOPIC_PREFIX": settings.topic_prefix,
        "WIRESTREAM_INDEX_PREFIX": settings.index_prefix,
        "WIRESTREAM_BULK_SIZE": str(settings.bulk_size),
        "WIRESTREAM_WEB_PORT": "0",
    }
    with tempfile.TemporaryDirectory() as state:
        env["WIRESTREAM_STATE_DIR"] = state
        log = Path(state) / "indexer.log"
        worker = subprocess.Popen(
            [sys.executable, "-m", "services.indexer", "worker", "--loglevel", "warn"],
            cwd=ROOT,
            env=env,
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            alias = settings.index("articles")
            # Timed from the first document searchable, so worker start-up is not counted;
            # polled once a second (the default refresh interval) so the polling's own
            # refreshes do not slow indexing down.
            while (first := count(sync, alias)) == 0:
                if worker.poll() is not None:
                    raise SystemExit(f"indexer exited:\n{log.read_text()[-2000:]}")
                time.sleep(0.2)
            started = time.perf_counter()
            while (done := count(sync, alias)) < len(docs):
                if worker.poll() is not None:
                    raise SystemExit(f"indexer exited:\n{log.read_text()[-2000:]}")
                time.sleep(1.0)
            return (done - first) / (time.perf_counter() - started)
        finally:
            worker.terminate()
            worker.wait(30)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--docs", type=int, default=5000)
    parser.add_argument("--bulk-sizes", default="100,500,1000")
    parser.add_argument("--no-stage", action="store_true", help="skip the worker-process measurement")
    args = parser.parse_args()
    base = Settings()
    docs = articles(base, args.docs)
    sync = es_client(base)
    print(f"{args.docs} article documents (seed stories with their entities), Elasticsearch {base.es_url}")
    try:
        for size in [int(s) for s in args.bulk_sizes.split(",")]:
            settings = fresh(base)
            ensure_indices(sync, settings)
            rate = asyncio.run(bulk_rate(settings, docs, size))
            assert count(sync, settings.index("articles")) == len(docs)
            sent = docs_per_bulk(sync, settings.index("articles"))
            print(f"bulk   bulk_size={size:<5} {rate:8.0f} docs/s  {sent:6.0f} docs per bulk request")
            sync.indices.delete(index=f"{settings.index_prefix}*")
        if not args.no_stage:
            settings = fresh(base)
            try:
                rate = stage_rate(settings, docs, sync)
                print(
                    f"stage  bulk_size={settings.bulk_size:<5} {rate:8.0f} docs/s"
                    f"  {docs_per_bulk(sync, settings.index('articles')):6.0f} docs per bulk request"
                    " (Kafka -> indexer worker -> searchable)"
                )
            finally:
                sync.options(ignore_status=404).indices.delete(index=f"{settings.index_prefix}*")
    finally:
        sync.close()


if __name__ == "__main__":
    main()
