"""Schema objects to Elasticsearch bulk actions, with deterministic `_id`s (pure)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

from schemas.articles import EnrichedArticle
from schemas.deadletter import DeadLetter
from schemas.events import Event

Action = dict[str, Any]


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


def article_action(index: str, enriched: EnrichedArticle) -> Action:
    article = enriched.article
    entities = enriched.entities

    def names(*labels: str) -> list[str]:
        return _unique([e.canonical for e in entities if e.label in labels])

    places = [e for e in entities if e.label in ("GPE", "LOC", "FAC")]
    document = {
        **article.model_dump(mode="json", exclude={"paragraphs"}),
        "body": article.body,
        "people": names("PERSON"),
        "organizations": names("ORG"),
        "groups": names("NORP"),
        "places": names("GPE", "LOC", "FAC"),
        "countries": _unique([e.country for e in places if e.country]),
        "place_points": _unique([f"{e.lat},{e.lon}" for e in places if e.lat is not None]),
        "entities": [e.model_dump(mode="json") for e in entities],
        "model": enriched.model,
        "indexed": datetime.now(UTC).isoformat(),
    }
    return {"_op_type": "index", "_index": index, "_id": article.article_id, "_source": document}


def event_action(index: str, event: Event) -> Action:
    document = event.model_dump(mode="json", exclude={"schema_version", "location"})
    location = event.location
    if location is not None:
        document["location"] = {
            **location.model_dump(mode="json", exclude={"lat", "lon"}),
            "coordinates": ({"lat": location.lat, "lon": location.lon} if location.lat is not None else None),
        }
    document["actors"] = [a for a in (event.actor1, event.actor2) if a]
    document["indexed"] = datetime.now(UTC).isoformat()
    return {"_op_type": "index", "_index": index, "_id": event.event_id, "_source": document}


def deadletter_action(index: str, record: DeadLetter) -> Action:
    document = record.model_dump(mode="json", exclude={"schema_version"})
    document["indexed"] = datetime.now(UTC).isoformat()
    # Same failure replayed after a crash gets the same _id, so it is stored once.
    identity = f"{record.stage}|{record.topic}|{record.partition}|{record.offset}|{record.error}"
    if record.offset is None:
        identity += "|" + hashlib.sha1(record.payload.encode()).hexdigest()
    doc_id = hashlib.sha1(identity.encode()).hexdigest()[:24]
    return {"_op_type": "index", "_index": index, "_id": doc_id, "_source": document}
