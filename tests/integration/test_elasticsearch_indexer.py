"""The indexer stage against the real Elasticsearch: templates, search, upserts, an outage."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from elasticsearch import Elasticsearch
from kafka import KafkaProducer

from schemas.articles import DuplicateNotice, EnrichedArticle
from schemas.base import WireModel
from schemas.topics import DUPLICATES, ENRICHED, topic_of
from services.common.codec import encode
from services.common.kafka import kafka_python_config
from services.common.settings import Settings
from services.events.extract import extract_events
from services.indexer.mappings import INDICES, MAPPING_VERSION
from tests.integration.harness import acknowledged, free_port, readiness, running, wait_for

STORY = "001_a09dbfd06fd3978c.txt"  # AFP: Russian forces among dozens dead in east Syria


def publish(settings: Settings, messages: Sequence[WireModel]) -> None:
    producer = KafkaProducer(**kafka_python_config(settings))
    for message in messages:
        spec = topic_of(message)
        producer.send(settings.topic(spec), key=spec.key_of(message).encode(), value=encode(message))
    producer.flush()
    producer.close()


def search(es: Elasticsearch, alias: str, query: dict[str, Any], size: int = 100) -> list[dict[str, Any]]:
    if not es.indices.exists_alias(name=alias):
        return []
    es.indices.refresh(index=alias)
    return list(es.search(index=alias, query=query, size=size, version=True)["hits"]["hits"])


def ids(hits: list[dict[str, Any]]) -> set[str]:
    return {hit["_id"] for hit in hits}


def test_seed_story_is_searchable_and_upserts_keep_one_document(
    live_settings: Settings,
    overrides: dict[str, Any],
    es: Elasticsearch,
    tmp_path: Path,
    seed_enriched: dict[str, EnrichedArticle],
) -> None:
    settings = live_settings
    articles, events = settings.index("articles"), settings.index("events")
    story = seed_enriched[STORY]
    story_id = story.article.article_id
    event = next(e for e in extract_events(story) if e.location and e.location.lat is not None)
    assert event.location is not None and event.location.lat is not None and event.location.lon is not None
    actor = event.actor1 or event.actor2
    assert actor
    copy = DuplicateNotice(
        article_id="c" * 20,
        original_id=story_id,
        similarity=0.97,
        source="/in/copy.txt",
        outlet="Daily Star",
        detected_at=datetime.now(UTC),
    )

    with running(["indexer"], overrides, tmp_path) as stages:
        publish(settings, [*seed_enriched.values(), event])
        wait_for(lambda: len(search(es, articles, {"match_all": {}})) == 2, 90, "2 articles", stages)
        wait_for(lambda: search(es, events, {"ids": {"values": [event.event_id]}}), 30, "the event", stages)

        for name in INDICES:
            alias = settings.index(name)
            (template,) = es.indices.get_index_template(name=f"{alias}-template")["index_templates"]
            assert template["index_template"]["version"] == MAPPING_VERSION
            assert template["index_template"]["template"]["mappings"]["dynamic"] == "strict"
            assert set(es.indices.get_alias(name=alias)) == {f"{alias}-v{MAPPING_VERSION}"}

        # Full text, geo_distance around its event's location, canonical actor terms.
        assert story_id in ids(search(es, articles, {"match": {"body": "Mayadeen jihadists"}}))
        near = {"distance": "25km", "place_points": {"lat": event.location.lat, "lon": event.location.lon}}
        assert story_id in ids(search(es, articles, {"geo_distance": near}))
        assert story_id in ids(search(es, articles, {"terms": {"organizations": ["Islamic State"]}}))
        (by_actor,) = search(es, events, {"terms": {"actors": [actor]}})
        assert by_actor["_source"]["article_ids"] == [story_id]
        near_event = {"distance": "25km", "location.coordinates": near["place_points"]}
        assert ids(search(es, events, {"geo_distance": near_event})) == {event.event_id}

        # A second report merged by the events stage: the same document, a higher version.
        version = by_actor["_version"]
        merged = event.model_copy(
            update={
                "article_ids": [story_id, "d" * 20],
                "sources": [*event.sources, "Reuters"],
                "version": event.version + 1,
            }
        )
        publish(settings, [merged])

        def updated() -> dict[str, Any] | None:
            hits = search(es, events, {"ids": {"values": [event.event_id]}})
            return hits[0] if hits and len(hits[0]["_source"]["article_ids"]) == 2 else None

        hit = wait_for(updated, 30, "the event with both reports", stages)
        assert hit["_version"] > version
        assert hit["_source"]["article_ids"] == [story_id, "d" * 20]
        assert "Reuters" in hit["_source"]["sources"]
        assert len(search(es, events, {"term": {"event_id": event.event_id}})) == 1

        # Syndication lands on the original and survives a replay of the original.
        publish(settings, [copy])

        def syndicated() -> dict[str, Any] | None:
            hits = search(es, articles, {"term": {"syndication.outlets": "Daily Star"}})
            return hits[0]["_source"] if hits else None

        doc = wait_for(syndicated, 30, "syndication on the original", stages)
        assert doc["article_id"] == story_id and doc["headline"] == story.article.headline
        assert doc["syndication"] == {"copy_ids": [copy.article_id], "outlets": ["Daily Star"], "count": 1}
        before = es.get(index=articles, id=story_id)["_version"]
        publish(settings, [story, copy])  # replay of the original and of the notice
        replayed_topics = [settings.topic(DUPLICATES), settings.topic(ENRICHED)]
        wait_for(
            lambda: acknowledged(settings, "indexer", replayed_topics), 60, "the replay acknowledged", stages
        )
        replayed = es.get(index=articles, id=story_id)
        assert replayed["_source"]["syndication"] == doc["syndication"]
        assert replayed["_version"] == before  # a replayed write is a no-op
        assert len(search(es, articles, {"match_all": {}})) == 2


class TcpProxy:
    """A TCP forwarder to the real Elasticsearch that the test can take down and bring back.

    Closing it refuses new connections and cuts open ones, as a dead server would,
    without touching the Elasticsearch other tests share.
    """

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = free_port()
        self.listener: socket.socket | None = None
        self.connections: list[socket.socket] = []
        self.lock = threading.Lock()

    def open(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def close(self) -> None:
        if self.listener is not None:
            # shutdown, not just close: a thread blocked in accept() keeps a closed socket listening.
            self.listener.shutdown(socket.SHUT_RDWR)
            self.listener.close()
            self.listener = None
        with self.lock:
            for conn in self.connections:
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)
                conn.close()
            self.connections.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # closed
            upstream = socket.create_connection(self.target)
            with self.lock:
                self.connections += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for conn in (source, sink):
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)


@pytest.fixture
def proxy(live_settings: Settings) -> Iterator[TcpProxy]:
    url = urlsplit(live_settings.es_url.split(",")[0])
    tcp = TcpProxy((url.hostname or "127.0.0.1", url.port or 9200))
    yield tcp
    tcp.close()


def copies(story: EnrichedArticle, count: int, start: int) -> list[EnrichedArticle]:
    """Distinct articles (own ids) with the seed story's text and entities."""
    ids = (f"outage{n:04d}" for n in range(start, start + count))
    articles = [story.article.model_copy(update={"article_id": i}) for i in ids]
    return [story.model_copy(update={"article": article}) for article in articles]


def test_articles_fed_while_elasticsearch_is_down_are_indexed_once_when_it_is_back(
    live_settings: Settings,
    overrides: dict[str, Any],
    es: Elasticsearch,
    tmp_path: Path,
    seed_enriched: dict[str, EnrichedArticle],
    proxy: TcpProxy,
) -> None:
    settings = live_settings
    articles = settings.index("articles")
    story = seed_enriched[STORY]
    first, second = copies(story, 60, 0), copies(story, 60, 60)
    expected = {a.article.article_id for a in first + second}
    indexer_overrides = {**overrides, "es_url": f"http://127.0.0.1:{proxy.port}", "es_retry_max_seconds": 1.0}
    indexer_overrides["stall_seconds"] = 3.0  # "stalled" is the signal that it holds work it cannot write

    def stalled() -> bool:
        body = readiness(stages[0])
        return bool(body and body["status"] == "stalled")

    def indexed() -> set[str]:
        return ids(search(es, articles, {"match_all": {}}, size=1000))

    with running(["indexer"], indexer_overrides, tmp_path) as stages:
        # Down from the start: the indexer must wait, not crash and not skip.
        publish(settings, first)
        wait_for(stalled, 120, "the indexer holding the first feed, Elasticsearch down", stages)
        assert not es.indices.exists_alias(name=articles)
        proxy.open()
        wait_for(lambda: indexed() == {a.article.article_id for a in first}, 60, "the first feed", stages)

        # Down again in the middle of a feed, cutting open connections.
        publish(settings, second[:30])
        proxy.close()
        publish(settings, second[30:])
        wait_for(stalled, 120, "the indexer holding the second feed, Elasticsearch down", stages)
        assert not indexed() & {a.article.article_id for a in second[30:]}  # it really was down
        proxy.open()
        wait_for(lambda: indexed() == expected, 60, "every article after the outage", stages)

    es.indices.refresh(index=articles)
    assert es.count(index=articles)["count"] == len(expected)
    deadletters = settings.index("deadletter")
    if es.indices.exists_alias(name=deadletters):
        es.indices.refresh(index=deadletters)
        assert es.count(index=deadletters)["count"] == 0  # an outage is not a content error
