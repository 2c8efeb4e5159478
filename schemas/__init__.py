"""Wire contracts: one versioned pydantic model per topic, exported as JSON Schema."""

from schemas.articles import (
    Article,
    DuplicateNotice,
    EnrichedArticle,
    Entity,
    RawArticle,
    UniqueArticle,
)
from schemas.base import WireModel
from schemas.deadletter import DeadLetter
from schemas.events import Event, Evidence, Fatalities, Figure, Location
from schemas.topics import (
    ALL_TOPICS,
    DEADLETTER,
    DUPLICATES,
    ENRICHED,
    EVENTS,
    RAW,
    UNIQUE,
    TopicSpec,
    topic_of,
)

__all__ = [
    "ALL_TOPICS",
    "DEADLETTER",
    "DUPLICATES",
    "ENRICHED",
    "EVENTS",
    "RAW",
    "UNIQUE",
    "Article",
    "DeadLetter",
    "DuplicateNotice",
    "EnrichedArticle",
    "Entity",
    "Event",
    "Evidence",
    "Fatalities",
    "Figure",
    "Location",
    "RawArticle",
    "TopicSpec",
    "UniqueArticle",
    "WireModel",
    "topic_of",
]
