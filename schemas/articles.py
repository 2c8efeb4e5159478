"""Article payloads: raw, unique (after dedup), duplicate notices, enriched."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from schemas.base import WireModel
from schemas.precision import PlacePrecision

# Times from outside are bounded, so one message cannot move a stage's clock or memory (dedup
# expires stories by `ingested`, events keep a region's incidents by `published`): a story
# published before 1900, or stamped further ahead than clocks and time zones explain, is a
# dead letter with the reason, wherever it enters.
EARLIEST_PUBLISHED = datetime(1900, 1, 1, tzinfo=UTC)
EARLIEST_INGESTED = datetime(2000, 1, 1, tzinfo=UTC)
PUBLISHED_AHEAD = timedelta(days=1)  # a wrong time zone is at most 14 h ahead
INGESTED_AHEAD = timedelta(minutes=10)  # clock skew between machines


def _bounded(name: str, earliest: datetime, ahead: timedelta) -> AfterValidator:
    def check(value: datetime) -> datetime:
        value = value if value.tzinfo else value.replace(tzinfo=UTC)  # naive means UTC
        try:
            too_early, too_late = value < earliest, value - datetime.now(UTC) > ahead
        except OverflowError:  # year 1 with a positive offset is before year 1 in UTC
            too_early, too_late = value.year < earliest.year, value.year > earliest.year
        if too_early:
            raise ValueError(f"{name} {value.isoformat()} is before {earliest.date().isoformat()}")
        if too_late:
            minutes = ahead.total_seconds() / 60
            span = f"{minutes / 60:g} h" if minutes >= 60 else f"{minutes:g} min"
            raise ValueError(f"{name} {value.isoformat()} is more than {span} in the future")
        return value

    return AfterValidator(check)


PublishedTime = Annotated[datetime, _bounded("published", EARLIEST_PUBLISHED, PUBLISHED_AHEAD)]
IngestedTime = Annotated[datetime, _bounded("ingested", EARLIEST_INGESTED, INGESTED_AHEAD)]
PublishedFrom = Literal["metadata", "dateline", "ingested"]
PlaceType = Literal["city", "admin2", "admin1", "country", "region", "site"]


class Article(WireModel):
    """One wire story, split into the parts downstream stages care about."""

    article_id: str = Field(description="Stable id: hash of source and normalised body.")
    source: str = Field(description="Where the feeder read it: file path or feed URL.")
    agency: str | None = Field(default=None, description="Wire agency, e.g. AP, AFP.")
    outlet: str | None = Field(default=None, description="Publication that ran the story.")
    url: str | None = None
    headline: str | None = None
    byline: str | None = None
    dateline: str | None = Field(default=None, description="Dateline place, e.g. BEIRUT.")
    captions: list[str] = Field(default_factory=list, description="Photo captions, not body.")
    paragraphs: list[str] = Field(min_length=1, description="Body paragraphs in order.")
    language: str = "en"
    published: PublishedTime
    published_from: PublishedFrom = Field(
        description="Where `published` came from; 'ingested' means no better date was known."
    )
    ingested: IngestedTime

    @property
    def body(self) -> str:
        """Body text; entity character offsets refer to this string."""
        return "\n\n".join(self.paragraphs)


class RawArticle(WireModel):
    """`wire.raw`, keyed by `fingerprint` so every copy of a text meets in one partition."""

    schema_version: Literal[1] = 1
    fingerprint: str = Field(description="SHA-1 of the normalised body text.")
    article: Article


class UniqueArticle(WireModel):
    """`wire.unique`, keyed by article id: first copy of a story, repeats removed."""

    schema_version: Literal[1] = 1
    fingerprint: str
    article: Article
    removed_sentences: int = Field(
        default=0, ge=0, description="Sentences dropped because they repeat an earlier one."
    )
    update_of: str | None = Field(
        default=None,
        description="Id of an earlier story this one updates with new figures "
        "(kept as its own story unless dedup_updates_are_duplicates).",
    )


class DuplicateNotice(WireModel):
    """`wire.duplicates`, keyed by the original's article id."""

    schema_version: Literal[1] = 1
    article_id: str = Field(description="Id of this copy.")
    original_id: str = Field(description="Id of the first copy seen.")
    similarity: float = Field(ge=0.0, le=1.0)
    source: str
    agency: str | None = None
    outlet: str | None = None
    url: str | None = None
    detected_at: datetime


EntityLabel = Literal[
    "PERSON", "ORG", "NORP", "GPE", "LOC", "FAC", "EVENT", "PRODUCT", "LAW", "WORK_OF_ART", "LANGUAGE"
]


class Entity(WireModel):
    """A mention in `Article.body`, with the canonical name it stands for."""

    text: str
    label: EntityLabel
    canonical: str
    start: int = Field(ge=0, description="Character offset in Article.body.")
    end: int = Field(ge=0)
    country: str | None = Field(default=None, description="For places: country name.")
    admin1: str | None = None
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    precision: PlacePrecision | None = Field(
        default=None, description="For places: how precisely it is known (schemas/precision.py)."
    )
    place_type: PlaceType | None = Field(default=None, description="For places: what kind of place.")
    geonames_id: int | None = Field(default=None, description="For places GeoNames knows.")
    country_code: str | None = Field(default=None, description="For places: ISO 3166-1 alpha-2.")


class EnrichedArticle(WireModel):
    """`wire.enriched` version 2, keyed by article id: the story, its entities, and what
    dedup decided about it (version 1 dropped that at the entities stage)."""

    schema_version: Literal[2] = 2
    article: Article
    entities: list[Entity]
    model: str = Field(description="spaCy pipeline name and version that produced the entities.")
    fingerprint: str | None = Field(
        default=None, description="SHA-1 of the normalised body (None only when read from version 1)."
    )
    removed_sentences: int = Field(
        default=0, ge=0, description="Sentences dedup dropped because they repeat an earlier one."
    )
    update_of: str | None = Field(
        default=None, description="Id of an earlier story this one updates with new figures."
    )

    @classmethod
    def of(cls, unique: UniqueArticle, entities: list[Entity], model: str) -> EnrichedArticle:
        """The enriched form of a unique article: every field dedup set travels on."""
        return cls(
            article=unique.article,
            entities=entities,
            model=model,
            fingerprint=unique.fingerprint,
            removed_sentences=unique.removed_sentences,
            update_of=unique.update_of,
        )


class EnrichedArticleV1(WireModel):
    """`wire.enriched` version 1, still accepted (read as version 2 without dedup's fields)."""

    schema_version: Literal[1] = 1
    article: Article
    entities: list[Entity]
    model: str = Field(description="spaCy pipeline name and version that produced the entities.")

    def upgrade(self) -> EnrichedArticle:
        return EnrichedArticle(article=self.article, entities=self.entities, model=self.model)


EnrichedArticle.older_versions = {1: EnrichedArticleV1}
