"""The Extractor: one lexicon and one dependency parser, passed everywhere an article is read."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from schemas.articles import EnrichedArticle
from schemas.events import Event
from services.common.settings import get_settings
from services.events.actors import Mention, article_country
from services.events.dates import IncidentDate
from services.events.extract.build import build_events
from services.events.extract.grouping import ArticleContext, Grouper, Incident
from services.events.extract.places import (
    PLACE_LABELS,
    named_countries,
    place_in_context,
    plausible_countries,
    without_stray_towns,
)
from services.events.extract.sentences import Sentence, headline_sentence, sentences_of
from services.events.extract.sides import resolve_generic
from services.events.extract.tolls import Toll, tolls
from services.events.lexicon import Lexicon, lexicon

# The toll reader needs the parse (dependencies), the tagger (participles) and the lemmatizer
# (lemmas); named entities come from the entities stage, so the events stage skips NER.
PARSER_EXCLUDE = ("ner",)


def load_parser(model_name: str) -> Language:
    return spacy.load(model_name, exclude=list(PARSER_EXCLUDE))


@dataclass
class Extractor:
    lex: Lexicon
    nlp: Language

    @classmethod
    def load(cls, model_name: str | None = None, lex: Lexicon | None = None) -> Extractor:
        return cls(lex or lexicon(), load_parser(model_name or get_settings().spacy_model))

    def _is_candidate(self, sentence: Sentence) -> bool:
        lex = self.lex
        return bool(lex.grammar.candidate.search(sentence.text) or lex.kill.search(sentence.text))

    def _parse(self, sentences: list[Sentence]) -> dict[Sentence, Doc]:
        wanted = [s for s in dict.fromkeys(sentences) if self._is_candidate(s)]
        return dict(zip(wanted, self.nlp.pipe([s.text for s in wanted]), strict=True))

    def context(self, enriched: EnrichedArticle) -> ArticleContext:
        entities, lex = enriched.entities, self.lex
        named = named_countries(entities, enriched.article.body, lex)
        return ArticleContext(
            entities=without_stray_towns(entities, enriched.article.body, lex),
            published_day=IncidentDate(enriched.article.published.date(), "week"),
            countries=plausible_countries(entities, named, lex),
            country=article_country(entities, named, lex),
        )

    def incidents(self, enriched: EnrichedArticle, context: ArticleContext | None = None) -> list[Incident]:
        lex, article = self.lex, enriched.article
        entities = enriched.entities
        context = context or self.context(enriched)
        sentences = list(sentences_of(article.paragraphs))
        headline = headline_sentence(article.headline)
        parsed = self._parse([*sentences, *([headline] if headline else [])])

        def read_tolls(sentence: Sentence, found: list[Mention]) -> list[Toll]:
            doc = parsed.get(sentence)
            if doc is None:
                return []
            inside = [e for e in entities if sentence.start <= e.start < sentence.end]
            people = [
                (e.start - sentence.start, e.end - sentence.start) for e in inside if e.label == "PERSON"
            ]
            other = [
                (e.start - sentence.start, e.end - sentence.start) for e in inside if e.label in PLACE_LABELS
            ]
            return tolls(doc[:], found, lex, people, other)

        incidents = Grouper(lex, context, read_tolls, sentences).run()
        if headline is not None:
            incidents = self._with_headline(incidents, headline, read_tolls(headline, []), sentences, context)
        order = {sentence: index for index, sentence in enumerate(sentences)}
        for incident in incidents:
            if incident.place is None or incident.place.entity.lat is None:
                # Told without a place ("shot dead 23 people"): where the story stands at that point.
                first = min((order[s] for s in incident.sentences if s in order), default=0)
                found = place_in_context(first, sentences, context.entities, context.countries, lex)
                incident.place = found or incident.place
        for incident in incidents:
            incident.mentions, incident.reporters, generic = resolve_generic(
                incident.mentions, incident.reporters, incident.country, lex
            )
            incident.figures = [
                (s, Toll(t.kind, t.value, generic if t.side == "gunmen" else t.side, t.harm), src)
                for s, t, src in incident.figures
            ]
        return incidents

    def _with_headline(
        self,
        incidents: list[Incident],
        headline: Sentence,
        found: list[Toll],
        sentences: list[Sentence],
        context: ArticleContext,
    ) -> list[Incident]:
        """The headline's toll belongs to the lede's incident; a story whose body counts
        nothing but whose headline does ("Man dies after shooting") is that one incident. Over
        a story of several incidents the headline sums them ("Strikes kill 8 across three
        regions"), so it only fills a count the lede's incident lacks."""
        if not found:
            return incidents
        if incidents:
            first = incidents[0]
            counted = {toll.kind for _, toll, _ in first.figures}
            added = [t for t in found if len(incidents) == 1 or t.kind not in counted]
            first.figures += [(headline, toll, None) for toll in added]
            if added:
                first.sentences.insert(0, headline)
            return incidents
        lede = Grouper(self.lex, context, lambda s, f: [], sentences)
        when = next((d for i in range(min(len(sentences), 3)) if (d := lede.date_of(i)) is not None), None)
        incident = Incident(when=when or context.published_day, place=None, country=context.country)
        incident.sentences.append(headline)
        incident.figures += [(headline, toll, None) for toll in found]
        return [incident]

    def events(self, enriched: EnrichedArticle) -> list[Event]:
        context = self.context(enriched)
        return build_events(enriched, self.incidents(enriched, context), self.lex, context.countries)


@lru_cache(maxsize=1)
def default_extractor() -> Extractor:
    return Extractor.load()


def find_incidents(enriched: EnrichedArticle) -> list[Incident]:
    return default_extractor().incidents(enriched)


def extract_events(enriched: EnrichedArticle) -> list[Event]:
    return default_extractor().events(enriched)
