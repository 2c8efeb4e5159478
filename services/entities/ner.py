"""spaCy NER over batches of articles, with curated names and GeoNames places winning over the model."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import cast

import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span

from schemas.articles import Article, EnrichedArticle, Entity, EntityLabel, UniqueArticle
from schemas.precision import PlacePrecision
from services.common.settings import get_settings
from services.entities.gazetteer import KnownEntity, alias_index, demonyms, known_entities
from services.entities.geonames.cache import load_index
from services.entities.places.ranking import Gazetteer
from services.entities.places.resolve import Resolved, resolve_places

KEPT_LABELS: frozenset[str] = frozenset(
    {"PERSON", "ORG", "NORP", "GPE", "LOC", "FAC", "EVENT", "PRODUCT", "LAW", "WORK_OF_ART", "LANGUAGE"}
)
# Components NER does not need: disabling them roughly doubles throughput.
UNUSED_COMPONENTS = ("tagger", "parser", "attribute_ruler", "lemmatizer")
TITLES = (
    "Col. Gen.",
    "Lt. Gen.",
    "Maj. Gen.",
    "Gen.",
    "Col.",
    "President",
    "Mr.",
    "Ms.",
    "Dr.",
    "Prime Minister",
)
PRECISION: dict[str, PlacePrecision] = {
    "city": "town",
    "site": "town",
    "admin2": "admin2",
    "region": "region",
    "admin1": "admin1",
    "country": "country",
}

if not Doc.has_extension("places"):
    Doc.set_extension("places", default=None)


class PlaceResolver:
    """Pipeline component: resolves the doc's place mentions into doc._.places."""

    def __init__(self, gazetteer: Gazetteer) -> None:
        self.gazetteer = gazetteer

    def __call__(self, doc: Doc) -> Doc:
        doc._.places = resolve_places(doc, self.gazetteer)
        return doc


@Language.factory("wirestream_places", default_config={"cache_dir": None})
def make_place_resolver(nlp: Language, name: str, cache_dir: str | None) -> PlaceResolver:
    """Configured through the factory: `cache_dir` is where the built GeoNames index is kept
    (None: the settings' WIRESTREAM_GAZETTEER_CACHE_DIR)."""
    directory = Path(cache_dir) if cache_dir else get_settings().gazetteer_cache_dir
    return PlaceResolver(Gazetteer(load_index(directory)))


def load_pipeline(model_name: str, cache_dir: Path | None = None) -> Language:
    nlp = spacy.load(model_name, exclude=list(UNUSED_COMPONENTS))
    # The ruler runs after NER and overwrites it: a curated "Daesh" is an ORG even when
    # the model says it is a place. The pattern id marks the span as curated.
    ruler = nlp.add_pipe("entity_ruler", after="ner", config={"overwrite_ents": True})
    ruler.add_patterns(  # type: ignore[attr-defined]
        [
            {"label": entry.label, "pattern": alias, "id": entry.canonical}
            for entry in known_entities()
            for alias in (entry.canonical, *entry.aliases)
        ]
    )
    nlp.add_pipe("wirestream_places", last=True, config={"cache_dir": str(cache_dir) if cache_dir else None})
    return nlp


def _strip_title(text: str) -> str:
    for title in TITLES:
        if text.startswith(title + " "):
            return text[len(title) + 1 :]
    return text


def _canonical(span: Span, people: Sequence[str]) -> tuple[str, KnownEntity | None]:
    text = span.text.removeprefix("the ").removeprefix("The ").removesuffix("'s").removesuffix("\u2019s")
    known = alias_index().get(text)
    if known:
        return known.canonical, known
    if span.label_ == "PERSON":
        text = _strip_title(text)
        # "Rudskoi" after "Sergei Rudskoi": the longest earlier full name ending with it.
        longer = [p for p in people if p != text and p.endswith(" " + text)]
        if longer:
            return max(longer, key=len), None
    return text, None


def _place_entity(place: Resolved) -> Entity:
    return Entity(
        text=place.text,
        label=cast(EntityLabel, place.place.label),
        canonical=place.place.name,
        start=place.start,
        end=place.end,
        country=place.country,
        admin1=place.admin1,
        lat=place.lat,
        lon=place.lon,
        precision=PRECISION[place.place_type],
        place_type=place.place_type,
        geonames_id=place.place.geonames_id,
        country_code=place.place.country_code,
    )


def _replaced(span: Span, places: Sequence[Resolved], covered: set[int]) -> bool:
    """A place resolved on the span replaces it, except an organisation named after the place it
    serves ("X Police Department" holds the place X): both are kept."""
    if not covered.intersection(range(span.start_char, span.end_char)):
        return False
    overlapping = [p for p in places if p.start < span.end_char and span.start_char < p.end]
    inside = all(span.start_char <= p.start and p.end <= span.end_char for p in overlapping)
    return not (
        span.label_ == "ORG" and inside and all(p.end - p.start < len(span.text) for p in overlapping)
    )


def entities_of(doc: Doc) -> list[Entity]:
    places: list[Resolved] = doc._.places or []
    covered = {k for place in places for k in range(place.start, place.end)}
    ents = doc.ents  # built anew on every access
    people = [_strip_title(e.text) for e in ents if e.label_ == "PERSON" and e.start_char not in covered]
    found = [_place_entity(place) for place in places]
    for span in ents:
        if span.label_ not in KEPT_LABELS or _replaced(span, places, covered):
            continue
        if span.label_ in ("PERSON", "ORG") and span.text.islower():  # "navy", "eastern": not names
            continue
        canonical, _ = _canonical(span, people)
        # The model often calls "Ukrainian" a place; a demonym is a nationality.
        label = "NORP" if span.text in demonyms() else span.label_
        found.append(
            Entity(
                text=span.text,
                label=cast(EntityLabel, label),
                canonical=canonical,
                start=span.start_char,
                end=span.end_char,
            )
        )
    text = doc.text  # joined anew on every access: once, not once per entity
    return sorted((_as_team(e, text) for e in found), key=lambda e: e.start)


_SCORE_AFTER = re.compile(r"[ \t]+\d{1,3}(?![\d.:/-])")
_PROSE_WORD = re.compile(r"\b[a-z]{3,}\b")
PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})


def _as_team(entity: Entity, text: str) -> Entity:
    """A town's or a state's name followed by a score on a results or standings line ("Plymouth
    4 Exeter 1", "Chester 4 1 1 2 6 7 4", "Colorado 5 Houston 3") is the club named after it: an
    organisation, not a place. Countries stay places (national teams are their countries)."""
    if entity.label not in PLACE_LABELS or entity.place_type not in (None, "city", "admin1"):
        return entity
    line_start = text.rfind("\n", 0, entity.start) + 1
    line_end = text.find("\n", entity.end)
    line = text[line_start : line_end if line_end >= 0 else len(text)]
    if not _SCORE_AFTER.match(text, entity.end) or _PROSE_WORD.search(line):
        return entity
    return Entity(text=entity.text, label="ORG", canonical=entity.text, start=entity.start, end=entity.end)


def _doc(nlp: Language, article: Article) -> Doc:
    """The article's text, tokenised, with its outlet (or URL) for the place resolver."""
    doc = nlp.make_doc(article.body)
    doc._.outlet = article.outlet or article.url
    return doc


def enrich(nlp: Language, articles: Sequence[UniqueArticle], batch_size: int) -> list[EnrichedArticle]:
    model = f"{nlp.meta['name']}-{nlp.meta['version']}"
    docs = nlp.pipe((_doc(nlp, unique.article) for unique in articles), batch_size=batch_size)
    return [
        EnrichedArticle.of(unique, entities_of(doc), model)
        for unique, doc in zip(articles, docs, strict=True)
    ]
