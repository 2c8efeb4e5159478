"""spaCy NER over batches of articles, with curated names winning over the statistical model."""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span

from schemas.articles import EnrichedArticle, Entity, EntityLabel, UniqueArticle
from services.entities.gazetteer import KnownEntity, alias_index, known_entities

KEPT_LABELS: frozenset[str] = frozenset({"PERSON", "ORG", "NORP", "GPE", "LOC", "FAC", "EVENT"})
# Components NER does not need: disabling them roughly doubles throughput.
UNUSED_COMPONENTS = ("tagger", "parser", "attribute_ruler", "lemmatizer")
TITLES = ("Col. Gen.", "Gen.", "Col.", "President", "Mr.", "Ms.", "Dr.")


def load_pipeline(model_name: str) -> Language:
    nlp = spacy.load(model_name, exclude=list(UNUSED_COMPONENTS))
    # The ruler runs after NER and overwrites it: a curated "Daesh" is an ORG even when
    # the model says it is a place.
    ruler = nlp.add_pipe("entity_ruler", after="ner", config={"overwrite_ents": True})
    ruler.add_patterns(  # type: ignore[attr-defined]
        [
            {"label": entry.label, "pattern": alias}
            for entry in known_entities()
            for alias in (entry.canonical, *entry.aliases)
        ]
    )
    return nlp


def _strip_title(text: str) -> str:
    for title in TITLES:
        if text.startswith(title + " "):
            return text[len(title) + 1 :]
    return text


def _canonical(span: Span, people: Sequence[str]) -> tuple[str, KnownEntity | None]:
    text = span.text.removeprefix("the ").removeprefix("The ")
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


def entities_of(doc: Doc) -> list[Entity]:
    people = [_strip_title(e.text) for e in doc.ents if e.label_ == "PERSON"]
    found: list[Entity] = []
    for span in doc.ents:
        if span.label_ not in KEPT_LABELS:
            continue
        canonical, known = _canonical(span, people)
        found.append(
            Entity(
                text=span.text,
                label=cast(EntityLabel, known.label if known else span.label_),
                canonical=canonical,
                start=span.start_char,
                end=span.end_char,
                country=known.country if known else None,
                admin1=known.admin1 if known else None,
                lat=known.lat if known else None,
                lon=known.lon if known else None,
                precision=known.precision if known else None,
            )
        )
    return found


def enrich(nlp: Language, articles: Sequence[UniqueArticle], batch_size: int) -> list[EnrichedArticle]:
    model = f"{nlp.meta['name']}-{nlp.meta['version']}"
    docs = nlp.pipe((a.article.body for a in articles), batch_size=batch_size)
    return [
        EnrichedArticle(article=unique.article, entities=entities_of(doc), model=model)
        for unique, doc in zip(articles, docs, strict=True)
    ]
