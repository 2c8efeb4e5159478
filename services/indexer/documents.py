"""Schema objects to Elasticsearch bulk actions, with deterministic `_id`s (pure)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from schemas.articles import DuplicateNotice, EnrichedArticle
from schemas.deadletter import DeadLetter
from schemas.events import Event
from services.indexer.admin2 import admin2_of

Action = dict[str, Any]
# What the indexer reads back before writing an event (changed_events, event_action).
LIVING_FIELDS = ("version", "first_seen", "indexed")


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


def _upsert(index: str, doc_id: str, document: dict[str, Any]) -> Action:
    """Document-based upsert (no script: the local Elasticsearch has no Painless)."""
    return {
        "_op_type": "update",
        "_index": index,
        "_id": doc_id,
        "doc": document,
        "doc_as_upsert": True,
        # The article and syndication agents may update one document at the same moment.
        "retry_on_conflict": 5,
    }


def _stamped_on_creation(action: Action) -> Action:
    """`indexed` is set when the document is created, not on every write: a replayed write
    (at-least-once delivery after a crash) then carries nothing new, Elasticsearch answers
    it as a no-op and the document's version stays where it was."""
    del action["doc_as_upsert"]
    action["upsert"] = {**action["doc"], "indexed": datetime.now(UTC).isoformat()}
    return action


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
        # What dedup decided, carried by wire.enriched v2 (None/0 when read from v1).
        "fingerprint": enriched.fingerprint,
        "removed_sentences": enriched.removed_sentences,
        "update_of": enriched.update_of,
    }
    # A partial update, not `index`: a replayed article must not wipe its syndication.
    return _stamped_on_creation(_upsert(index, article.article_id, document))


def event_document(event: Event, now: datetime) -> dict[str, Any]:
    """The stored form of an event: the model, its flattened actors, a geo_point and admin2.

    `updated` is when this version was written; `first_seen` is added only on creation
    (the upsert), so it keeps the time the incident was first indexed.
    """
    document = event.model_dump(mode="json", exclude={"schema_version", "location"})
    location = event.location
    if location is not None:
        point = None
        if location.lat is not None and location.lon is not None:
            point = (location.lat, location.lon)
        document["location"] = {
            **location.model_dump(mode="json", exclude={"lat", "lon"}),
            "admin2": (
                location.name
                if location.precision == "admin2"
                else admin2_of(*point, location.precision)
                if point
                else None
            ),
            "coordinates": {"lat": point[0], "lon": point[1]} if point else None,
        }
    else:
        document["location"] = None  # a partial update must clear a location the merge dropped
    document["actors"] = [a for a in (event.actor1, event.actor2, *event.assoc_actors) if a]
    stamp = now.isoformat()
    document["indexed"] = stamp
    document["updated"] = stamp
    return document


def event_action(
    index: str, event: Event, now: datetime | None = None, stored: Mapping[str, Any] | None = None
) -> Action:
    """Upsert of one event version. `stored` is what the index holds (version, first_seen).

    The events stage publishes the merged event, so upserting its document in place
    keeps one `_id` per incident while `version` rises with each new report.
    """
    now = now or datetime.now(UTC)
    document = event_document(event, now)
    action = _upsert(index, event.event_id, document)
    del action["doc_as_upsert"]
    action["upsert"] = {**document, "first_seen": document["updated"]}
    if stored is not None and not stored.get("first_seen"):
        # Written before first_seen existed: its first indexing time is the best we know.
        document["first_seen"] = stored.get("indexed") or document["updated"]
    return action


def changed_events(events: Sequence[Event], stored: Mapping[str, Mapping[str, Any] | None]) -> list[Event]:
    """The newest version of each event in `events` that the index does not hold yet.

    A replayed or older version (stored `version` at least as high) is not written again,
    so `updated` moves only when a report changed the event: `export --changed-since`
    then returns exactly the events that changed.
    """
    newest: dict[str, Event] = {}
    for event in events:
        held = newest.get(event.event_id)
        if held is None or event.version >= held.version:
            newest[event.event_id] = event
    changed = []
    for event_id, event in newest.items():
        current = stored.get(event_id)
        stored_version = int(current.get("version") or 0) if current else 0
        if current is None or stored_version < event.version or not current.get("first_seen"):
            changed.append(event)
    return changed


def event_writes(messages: Sequence[tuple[str, Event | None]]) -> tuple[list[Event], list[str]]:
    """One batch of wire.events, in order, as (key, event or None for a tombstone): the
    versions still to consider and the ids whose documents go. A tombstone ends everything its
    key carried before it, so a key whose last message is a tombstone is deleted and a version
    after a tombstone is written again (order decides, as compaction would)."""
    versions: dict[str, list[Event]] = {}
    deleted: dict[str, None] = {}  # ordered set
    for key, message in messages:
        if message is None:
            versions.pop(key, None)
            deleted[key] = None
        else:
            versions.setdefault(key, []).append(message)
            deleted.pop(key, None)
    return [event for kept in versions.values() for event in kept], list(deleted)


def retired_id(key: bytes | None) -> str:
    """The event id a tombstone on wire.events retires (its key)."""
    if not key:
        raise ValueError("tombstone without a key: no event to retire")
    try:
        return key.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"tombstone key is not UTF-8: {exc.reason} at byte {exc.start}") from exc


def delete_action(index: str, doc_id: str) -> Action:
    """Remove a retired event's document; an absent one is already where it should be
    (`bulk.write` does not count its 404 as a rejection)."""
    return {"_op_type": "delete", "_index": index, "_id": doc_id}


def deadletter_action(index: str, record: DeadLetter) -> Action:
    document = record.model_dump(mode="json", exclude={"schema_version"})
    document["indexed"] = datetime.now(UTC).isoformat()
    # Same failure replayed after a crash gets the same _id, so it is stored once.
    identity = f"{record.stage}|{record.topic}|{record.partition}|{record.offset}|{record.error}"
    if record.offset is None:
        identity += "|" + hashlib.sha1(record.payload.encode()).hexdigest()
    doc_id = hashlib.sha1(identity.encode()).hexdigest()[:24]
    return {"_op_type": "index", "_index": index, "_id": doc_id, "_source": document}


def syndication(current: Mapping[str, Any] | None, notices: Sequence[DuplicateNotice]) -> dict[str, Any]:
    """The original's syndication after `notices`: sorted unique copies and outlets.

    A union of what is stored and what arrived, so replaying a notice changes nothing.
    A notice whose copy id is the original's own id is a repeat delivery of the same
    story from the same source, not syndication, and is not counted.
    """
    copies = set(current.get("copy_ids", [])) if current else set()
    outlets = set(current.get("outlets", [])) if current else set()
    for notice in notices:
        if notice.article_id == notice.original_id:
            continue
        copies.add(notice.article_id)
        if outlet := notice.outlet or notice.agency:
            outlets.add(outlet)
    return {"copy_ids": sorted(copies), "outlets": sorted(outlets), "count": len(copies)}


def syndication_actions(
    index: str, stored: Mapping[str, Mapping[str, Any] | None], notices: Sequence[DuplicateNotice]
) -> list[Action]:
    """Partial updates of the originals' `syndication`, only where it changes.

    `stored` is each original's current `syndication` (None if absent). An original not
    indexed yet gets a stub holding only `syndication` (no `published`, so time-filtered
    views skip it); its article, written later as a partial update, fills in the rest.
    """
    by_original: dict[str, list[DuplicateNotice]] = {}
    for notice in notices:
        by_original.setdefault(notice.original_id, []).append(notice)
    actions = []
    for original_id, group in by_original.items():
        current = stored.get(original_id)
        merged = syndication(current, group)
        if merged["count"] and merged != current:
            stub = {"article_id": original_id, "syndication": merged}
            actions.append(_stamped_on_creation(_upsert(index, original_id, stub)))
    return actions
