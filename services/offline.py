"""Offline mode: every stage's logic in one process over files, no Kafka or Elasticsearch.

Writes what the stages would publish, one JSON line per message:
{"topic": "<topic name>", "key": "<key>", "value": {<payload>}}. It calls the same pure
functions as the Faust stages, so its output is what the pipeline produces.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from schemas.articles import UniqueArticle
from schemas.base import WireModel
from schemas.topics import EVENTS, topic_of
from services.common.deadletter import dead_letter
from services.common.settings import Settings
from services.dedup.logic import deduplicate, remember
from services.dedup.memory import DedupParams, Memory
from services.entities.ner import enrich, load_pipeline
from services.events.assembly import Assembler
from services.events.extract import extract_events
from services.feeder.limits import Limits
from services.feeder.reader import Rejected, read_paths


@dataclass(frozen=True)
class Retired:
    """An event folded into another by a later report: a tombstone on the compacted wire.events."""

    event_id: str


def process(paths: Iterable[Path], settings: Settings) -> Iterator[WireModel | Retired]:
    """Messages in the order the pipeline would publish them, stage by stage; events are
    assembled across articles by the stream's own `assemble`."""
    seen = Memory({}, DedupParams.from_settings(settings))
    uniques: list[UniqueArticle] = []
    for item in read_paths(paths, Limits.from_settings(settings)):
        if isinstance(item, Rejected):
            yield item.dead_letter(settings.deadletter_max_payload)
            continue
        yield item
        try:
            result = deduplicate(item, seen)
        except Exception as exc:  # one story's failure is its dead letter, not the run's end
            yield dead_letter(
                "dedup", exc, item.model_dump_json(), max_payload=settings.deadletter_max_payload
            )
            continue
        remember(result, seen)
        yield result
        if isinstance(result, UniqueArticle):
            uniques.append(result)
    nlp = load_pipeline(settings.spacy_model)
    assembler = Assembler()
    for enriched in enrich(nlp, uniques, settings.entities_batch_size):
        yield enriched
        try:
            reports = extract_events(enriched)
        except Exception as exc:  # same contract as the stream: a dead letter, not a crash
            yield dead_letter(
                "events", exc, enriched.model_dump_json(), max_payload=settings.deadletter_max_payload
            )
            continue
        for report in reports:
            assembled = assembler.add(report)
            yield assembled.event
            yield from (Retired(event_id) for event_id in assembled.retired)


def as_record(message: WireModel | Retired, settings: Settings) -> dict[str, Any]:
    if isinstance(message, Retired):
        return {"topic": settings.topic(EVENTS), "key": message.event_id, "value": None}
    spec = topic_of(message)
    return {
        "topic": settings.topic(spec),
        "key": spec.key_of(message),
        "value": message.model_dump(mode="json"),
    }


def write_jsonl(messages: Iterable[WireModel | Retired], settings: Settings, out: IO[str]) -> int:
    count = 0
    for message in messages:
        out.write(json.dumps(as_record(message, settings), ensure_ascii=False) + "\n")
        count += 1
    return count
