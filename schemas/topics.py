"""The topic contract: which model each topic carries, how it is keyed, and why."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from schemas.articles import DuplicateNotice, EnrichedArticle, RawArticle, UniqueArticle
from schemas.base import WireModel
from schemas.deadletter import DeadLetter
from schemas.events import Event


@dataclass(frozen=True)
class TopicSpec:
    """One topic: its name suffix, the one model it carries, and how messages are keyed."""

    suffix: str
    model: type[WireModel]
    key: str  # why the key is what it is (exported into the JSON Schema)
    key_of: Callable[[Any], str]
    compacted: bool = False
    tombstone: str | None = None  # what a null value means, on a compacted topic that takes them

    def __post_init__(self) -> None:
        if self.tombstone is not None and not self.compacted:
            raise ValueError(f"{self.suffix}: only a compacted topic deletes a key with a tombstone")

    def name(self, prefix: str) -> str:
        return f"{prefix}.{self.suffix}"


RAW = TopicSpec(
    "raw",
    RawArticle,
    "fingerprint: spreads load; dedup re-sequences every story onto one ordered partition",
    lambda m: m.fingerprint,
)
UNIQUE = TopicSpec(
    "unique", UniqueArticle, "article id: entities is stateless", lambda m: m.article.article_id
)
DUPLICATES = TopicSpec(
    "duplicates",
    DuplicateNotice,
    "original article id: all copies of a story together",
    lambda m: m.original_id,
)
ENRICHED = TopicSpec("enriched", EnrichedArticle, "article id", lambda m: m.article.article_id)
EVENTS = TopicSpec(
    "events",
    Event,
    "event id; compacted, so it holds the latest version of every event",
    lambda m: m.event_id,
    compacted=True,
    tombstone=(
        "retired: a later report joined this event to another, which now holds its reports; "
        "consumers delete what they built from the key"
    ),
)
DEADLETTER = TopicSpec("deadletter", DeadLetter, "stage name", lambda m: m.stage)

ALL_TOPICS: tuple[TopicSpec, ...] = (RAW, UNIQUE, DUPLICATES, ENRICHED, EVENTS, DEADLETTER)
_BY_MODEL = {spec.model: spec for spec in ALL_TOPICS}


def topic_of(message: WireModel) -> TopicSpec:
    """Every model travels on exactly one topic."""
    return _BY_MODEL[type(message)]
