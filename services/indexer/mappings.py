"""Index templates: explicit mappings, versioned indices behind aliases.

`articles` is an alias of `articles-v1`; a mapping change is a new `-v2` index, a
reindex and an alias swap, with no downtime. Nothing is mapped dynamically.
"""

from __future__ import annotations

from typing import Any

from elasticsearch import Elasticsearch

from services.common.settings import Settings

MAPPING_VERSION = 1
# English stemming on the local zip: deploy/analysis-plugin's token filter after the standard
# tokenizer (possessives, lowercase, Porter). A full distribution has `english` built in.
STEMMED_ANALYZER = "wirestream_english"
STEMMED_ANALYSIS: dict[str, Any] = {
    "analyzer": {
        STEMMED_ANALYZER: {"type": "custom", "tokenizer": "standard", "filter": ["wirestream_english_stem"]}
    }
}
KEYWORD: dict[str, Any] = {"type": "keyword"}
DATE: dict[str, Any] = {"type": "date"}
INTEGER: dict[str, Any] = {"type": "integer"}


def _text(analyzer: str) -> dict[str, Any]:
    """Searchable text with a `.keyword` sub-field for facets and exact match."""
    return {
        "type": "text",
        "analyzer": analyzer,
        "fields": {"keyword": {"type": "keyword", "ignore_above": 512}},
    }


def _location() -> dict[str, Any]:
    return {
        "properties": {
            "name": KEYWORD,
            "country": KEYWORD,
            "admin1": KEYWORD,
            "admin2": KEYWORD,
            "coordinates": {"type": "geo_point"},
            "precision": KEYWORD,
        }
    }


def article_mapping(analyzer: str) -> dict[str, Any]:
    return {
        "dynamic": "strict",
        "properties": {
            "article_id": KEYWORD,
            "source": KEYWORD,
            "agency": KEYWORD,
            "outlet": KEYWORD,
            "url": KEYWORD,
            "headline": _text(analyzer),
            "byline": KEYWORD,
            "dateline": KEYWORD,
            "captions": {"type": "text", "analyzer": analyzer},
            "body": {"type": "text", "analyzer": analyzer},
            "language": KEYWORD,
            "published": DATE,
            "published_from": KEYWORD,
            "ingested": DATE,
            "indexed": DATE,
            "fingerprint": KEYWORD,
            "removed_sentences": INTEGER,
            "update_of": KEYWORD,  # an earlier story this one updates with new figures
            # Flattened canonical names, so Kibana can facet on them.
            "people": KEYWORD,
            "organizations": KEYWORD,
            "groups": KEYWORD,
            "places": KEYWORD,
            "countries": KEYWORD,
            "place_points": {"type": "geo_point"},
            # Every mention, for display and tracing; not searchable.
            "entities": {"type": "object", "enabled": False},
            "model": KEYWORD,
            # Other outlets that ran this story (from wire.duplicates), kept on the original.
            "syndication": {"properties": {"copy_ids": KEYWORD, "outlets": KEYWORD, "count": INTEGER}},
        },
    }


def event_mapping(analyzer: str) -> dict[str, Any]:
    toll = {"properties": {"low": INTEGER, "best": INTEGER, "high": INTEGER}}
    return {
        "dynamic": "strict",
        "properties": {
            "event_id": KEYWORD,
            "date": DATE,
            "date_precision": KEYWORD,
            "event_type": KEYWORD,
            "sub_type": KEYWORD,
            "actor1": KEYWORD,
            "actor2": KEYWORD,
            "actors": KEYWORD,
            "location": _location(),
            "fatalities": toll,
            "injuries": toll,
            "reported_by": KEYWORD,
            "article_ids": KEYWORD,
            "sources": KEYWORD,
            "evidence": {
                "properties": {
                    "article_id": KEYWORD,
                    "sentence": {"type": "text", "analyzer": analyzer},
                    "start": INTEGER,
                    "end": INTEGER,
                }
            },
            "assoc_actors": KEYWORD,
            # Per-side, per-source tolls with their sentences: for display and tracing.
            "figures": {"type": "object", "enabled": False},
            # Living dataset: stable id, first indexed, last changed, and a version that
            # grows with each report merged in (export --changed-since reads `updated`).
            "version": INTEGER,
            "first_seen": DATE,
            "updated": DATE,
            "indexed": DATE,
        },
    }


def deadletter_mapping(analyzer: str) -> dict[str, Any]:
    return {
        "dynamic": "strict",
        "properties": {
            "stage": KEYWORD,
            "error_type": KEYWORD,
            "error": _text(analyzer),
            "topic": KEYWORD,
            "partition": INTEGER,
            "offset": {"type": "long"},
            "key": KEYWORD,
            "payload": {"type": "text", "index": False},
            "payload_encoding": KEYWORD,
            "payload_truncated": {"type": "boolean"},
            "failed_at": DATE,
            "indexed": DATE,
        },
    }


INDICES = {"articles": article_mapping, "events": event_mapping, "deadletter": deadletter_mapping}


def missing_properties(wanted: dict[str, Any], live: dict[str, Any]) -> dict[str, Any]:
    """The part of `wanted` (a mapping's properties) that `live` lacks, nested objects included."""
    missing: dict[str, Any] = {}
    for name, spec in wanted.items():
        if name not in live:
            missing[name] = spec
        elif "properties" in spec and "properties" in live[name]:
            inner = missing_properties(spec["properties"], live[name]["properties"])
            if inner:
                missing[name] = {"properties": inner}
    return missing


def index_settings(settings: Settings) -> dict[str, Any]:
    base: dict[str, Any] = {"number_of_shards": 1, "number_of_replicas": settings.index_replicas}
    if settings.es_text_analyzer == STEMMED_ANALYZER:
        base["analysis"] = STEMMED_ANALYSIS
    return base


def ensure_indices(client: Elasticsearch, settings: Settings) -> None:
    """Put the templates and create `<name>-v<N>` behind alias `<name>` if missing.

    An index made by an earlier release gets the fields added since (new fields are
    allowed in place; a changed field needs a new `-v<N>` and a reindex).
    Safe to call from every indexer replica at start: all steps are idempotent.
    """
    for name, mapping in INDICES.items():
        alias = settings.index(name)
        wanted = mapping(settings.es_text_analyzer)
        client.indices.put_index_template(
            name=f"{alias}-template",
            index_patterns=[f"{alias}-v*"],
            template={"settings": index_settings(settings), "mappings": wanted},
            version=MAPPING_VERSION,
            meta={"managed_by": "wirestream"},
        )
        if not client.indices.exists_alias(name=alias):
            client.options(ignore_status=400).indices.create(
                index=f"{alias}-v{MAPPING_VERSION}", aliases={alias: {"is_write_index": True}}
            )
            continue
        for index, live in client.indices.get_mapping(index=alias).items():
            added = missing_properties(wanted["properties"], live["mappings"].get("properties", {}))
            if added:
                client.indices.put_mapping(index=index, properties=added)
