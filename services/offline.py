"""Offline mode: every stage's logic in one process over files, no Kafka or Elasticsearch.

Writes what the stages would publish, one JSON line per message:
{"topic": "<topic name>", "key": "<key>", "value": {<payload>}}. It calls the same pure
functions as the Faust stages, so its output is what the pipeline produces.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from schemas.articles import UniqueArticle
from schemas.base import WireModel
from schemas.topics import topic_of
from services.common.deadletter import dead_letter
from services.common.settings import Settings
from services.dedup.logic import deduplicate, remember
from services.dedup.memory import DedupParams, Memory
from services.entities.ner import enrich, load_pipeline
from services.events.extract import extract_events
from services.feeder.limits import Limits
from services.feeder.reader import Rejected, read_paths


def process(paths: Iterable[Path], settings: Settings) -> Iterator[WireModel]:
    """Messages in the order the pipeline would publish them, stage by stage."""
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
    for enriched in enrich(nlp, uniques, settings.entities_batch_size):
        yield enriched
        try:
            yield from extract_events(enriched)
        except Exception as exc:  # same contract as the stream: a dead letter, not a crash
            yield dead_letter(
                "events", exc, enriched.model_dump_json(), max_payload=settings.deadletter_max_payload
            )


def as_record(message: WireModel, settings: Settings) -> dict[str, Any]:
    spec = topic_of(message)
    return {
        "topic": settings.topic(spec),
        "key": spec.key_of(message),
        "value": message.model_dump(mode="json"),
    }


def write_jsonl(messages: Iterable[WireModel], settings: Settings, out: IO[str]) -> int:
    count = 0
    for message in messages:
        out.write(json.dumps(as_record(message, settings), ensure_ascii=False) + "\n")
        count += 1
    return count
