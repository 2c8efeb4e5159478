"""Event payload: one incident in the ACLED sense."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from schemas.base import WireModel
from schemas.precision import PlacePrecision

DatePrecision = Literal["day", "week", "month"]


class Location(WireModel):
    name: str
    country: str | None = None
    admin1: str | None = None
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    precision: PlacePrecision = "unknown"


class Fatalities(WireModel):
    """UCDP convention: low / best / high when reports differ."""

    low: int | None = Field(default=None, ge=0)
    best: int | None = Field(default=None, ge=0)
    high: int | None = Field(default=None, ge=0)


class Evidence(WireModel):
    """A sentence an event field was read from, traceable to its article."""

    article_id: str
    sentence: str
    start: int | None = Field(default=None, ge=0, description="Character offset in Article.body.")
    end: int | None = Field(default=None, ge=0)


FigureKind = Literal["killed", "injured"]


class Figure(WireModel):
    """One toll as one report states it: who it counts, who says so, and where it was read."""

    kind: FigureKind
    value: int = Field(ge=0)
    side: str | None = Field(default=None, description="Canonical actor the figure counts, if stated.")
    source: str | None = Field(default=None, description="Who the article attributes it to.")
    article_id: str
    sentence: str
    start: int | None = Field(default=None, ge=0)
    end: int | None = Field(default=None, ge=0)


class Event(WireModel):
    """`wire.events`, keyed by event id; the topic is compacted (latest version wins). A null
    value (tombstone) under an event id retires that event: a later report joined it to another
    event, which now carries its reports (`schemas.topics.EVENTS.tombstone`)."""

    schema_version: Literal[1] = 1
    event_id: str
    date: date
    date_precision: DatePrecision
    event_type: str = Field(description="ACLED event type, e.g. Battles.")
    sub_type: str | None = None
    actor1: str | None = None
    actor2: str | None = None
    assoc_actors: list[str] = Field(
        default_factory=list, description="Actors on either side besides actor1/2."
    )
    location: Location | None = None
    fatalities: Fatalities = Field(default_factory=Fatalities)
    injuries: Fatalities = Field(default_factory=Fatalities)
    reported_by: list[str] = Field(default_factory=list, description="Who the text attributes it to.")
    article_ids: list[str] = Field(min_length=1)
    sources: list[str] = Field(default_factory=list, description="Agencies and outlets.")
    evidence: list[Evidence] = Field(default_factory=list)
    figures: list[Figure] = Field(default_factory=list, description="Every toll read, per side and source.")
    version: int = Field(default=1, ge=1, description="Rises each time another report is merged in.")
