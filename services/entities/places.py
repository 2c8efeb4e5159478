"""Place mentions in a parsed article, resolved against the GeoNames index in the article's context.

A mention comes from spaCy's NER (GPE/LOC/FAC) or from a scan of capitalised word runs
against the index, so "Deir Ezzor" tagged PERSON or "Mayadeen" tagged DATE is still a place.
Candidates are found by folded spelling and by consonant skeleton, then ranked by how much
the article is about the candidate's country, how close the spelling is, and population.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from difflib import SequenceMatcher

from spacy.tokens import Doc, Span

from schemas.articles import PlaceType
from services.entities.geonames import GeoIndex, Place, fold, skeleton

CITY_WORDS = frozenset({"city", "town", "village"})
ADMIN1_WORDS = frozenset({"province", "governorate", "state", "region", "oblast", "department", "district"})
CONNECTORS = frozenset(
    {"al", "el", "ez", "as", "ar", "ad", "de", "del", "la", "le", "-", "da", "do", "dos", "das"}
)
PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
# Labels a gazetteer hit may replace when the whole span is a known place in the story's country.
REPLACEABLE = frozenset({"PERSON", "ORG", "DATE", "TIME", "PRODUCT", "WORK_OF_ART", "EVENT", "NORP", "LAW"})
MAX_TOKENS = 4
MIN_SIMILARITY = 0.75
SMALL_PLACE = 1000  # below this, a bare gazetteer hit needs the curated list or NER to vouch for it


@dataclass(frozen=True)
class Resolved:
    start: int  # character offsets in the article body
    end: int
    text: str
    place: Place
    place_type: PlaceType
    lat: float
    lon: float
    admin1: str | None
    country: str


class Gazetteer:
    """The index plus a memo of candidate lookups (wire copy repeats the same names)."""

    def __init__(self, index: GeoIndex) -> None:
        self.index = index
        self._memo: dict[str, tuple[tuple[int, float], ...]] = {}

    def candidates(self, key: str) -> tuple[tuple[int, float], ...]:
        """(place, spelling similarity) for a folded mention; exact folds score 1."""
        if key not in self._memo:
            if len(self._memo) > 100_000:
                self._memo.clear()
            found: dict[int, float] = dict.fromkeys(self.index.by_fold.get(key, ()), 1.0)
            if len(key) >= 4:
                for other in self.index.by_skeleton.get(skeleton(key), ()):
                    similarity = SequenceMatcher(None, key, other).ratio()
                    if similarity >= MIN_SIMILARITY:
                        for place in self.index.by_fold[other]:
                            found[place] = max(found.get(place, 0.0), similarity)
            self._memo[key] = tuple(found.items())
        return self._memo[key]

    def best(self, text: str, context: Counter[str]) -> tuple[Place, float] | None:
        options = self.candidates(fold(text))
        if not options:
            return None
        place_id, similarity = max(options, key=lambda o: _score(self.index.places[o[0]], o[1], context))
        return self.index.places[place_id], similarity


def _strip(span: Span) -> tuple[Span, PlaceType | None]:
    """'the Euphrates River' -> 'Euphrates River'; 'Homs province' -> 'Homs' as admin1."""
    kind: PlaceType | None = None
    if span[0].lower_ == "the" and len(span) > 1:
        span = span[1:]
    if len(span) > 1 and span[-1].lower_ in CITY_WORDS | ADMIN1_WORDS:
        kind = "admin1" if span[-1].lower_ in ADMIN1_WORDS else "city"
        span = span[:-1]
    doc = span.doc
    if kind is None and span.end < len(doc) and doc[span.end].lower_ in ADMIN1_WORDS:
        kind = "admin1"
    if kind is None and span.start >= 2 and doc[span.start - 1].lower_ == "of":
        kind = "admin1" if doc[span.start - 2].lower_ in ADMIN1_WORDS else None
    return span, kind


def _score(place: Place, similarity: float, context: Counter[str]) -> float:
    top = max(context.values(), default=0)
    share = context[place.country_code] / top if top else 0.0
    country_bonus = 1.0 if place.place_type == "country" else 0.0
    exact_bonus = 1.5 if similarity == 1.0 else 0.0
    return (
        3.0 * share + 2.0 * similarity + exact_bonus + 0.25 * math.log10(place.population + 1) + country_bonus
    )


def _is_name_token(token_text: str) -> bool:
    return token_text[:1].isupper() and (
        token_text[1:].islower() or token_text.isupper() or "'" in token_text
    )


def _scan(doc: Doc, taken: list[bool]) -> list[Span]:
    """Capitalised word runs (longest first) that no curated entity already covers."""
    spans: list[Span] = []
    i = 0
    while i < len(doc):
        if taken[i] or not _is_name_token(doc[i].text):
            i += 1
            continue
        j = i + 1
        while j < len(doc) and j - i < MAX_TOKENS and not taken[j]:
            if not (_is_name_token(doc[j].text) or doc[j].lower_ in CONNECTORS):
                break
            j += 1
        while j > i and not _is_name_token(doc[j - 1].text):
            j -= 1
        spans.extend(doc[i:end] for end in range(j, i, -1))
        i += 1
    return spans


def _country_context(doc: Doc, index: GeoIndex) -> Counter[str]:
    """How often each country is named in the story, directly or by demonym."""
    context: Counter[str] = Counter()
    for token in doc:
        if token.text in index.demonyms:
            context[index.demonyms[token.text]] += 1
    for ent in doc.ents:
        if ent.label_ in PLACE_LABELS:
            for place_id in index.by_fold.get(fold(ent.text), ()):
                place = index.places[place_id]
                if place.place_type == "country" or place.curated:
                    context[place.country_code] += 1
    return context


def _accept_scanned(place: Place, similarity: float, span: Span, context: Counter[str]) -> bool:
    """A gazetteer hit NER did not call a place: only when the story's geography backs it."""
    if span.text in CONNECTORS or (len(span) == 1 and span[0].is_stop):
        return False
    in_context = context[place.country_code] > 0
    if place.curated or place.place_type == "country":
        return similarity == 1.0 or in_context
    if similarity < 1.0 or place.population < SMALL_PLACE:
        return False
    # Sentence-initial words are capitalised anyway: only a story about the country vouches.
    return in_context or (place.population >= 100_000 and not span[0].is_sent_start)


def resolve_places(doc: Doc, gazetteer: Gazetteer) -> list[Resolved]:
    """Every place mention in doc, resolved; NER's non-place labels lose to a resolved place."""
    index = gazetteer.index
    context = _country_context(doc, index)
    taken = [False] * len(doc)
    for ent in doc.ents:
        if ent.ent_id_:  # curated people and organisations are settled
            for k in range(ent.start, ent.end):
                taken[k] = True

    found: list[tuple[Span, Place, float, PlaceType | None]] = []
    for ent in doc.ents:
        if ent.label_ in PLACE_LABELS and not ent.ent_id_:
            span, kind = _strip(ent)
            if not _is_name_token(span[0].text):  # "the east bank" is no place name
                continue
            best = gazetteer.best(ent.text, context) or gazetteer.best(span.text, context)
            if best is not None and best[1] >= MIN_SIMILARITY:
                found.append((ent, best[0], best[1], kind))
                for k in range(ent.start, ent.end):
                    taken[k] = True

    ents_by_token = {k: ent for ent in doc.ents for k in range(ent.start, ent.end)}
    for span in _scan(doc, taken):
        if any(taken[k] for k in range(span.start, span.end)):
            continue
        overlapping = {ents_by_token[k] for k in range(span.start, span.end) if k in ents_by_token}
        if overlapping and not (
            len(overlapping) == 1
            and (ent := overlapping.pop()).label_ in REPLACEABLE
            and ent.start == span.start
            and ent.end == span.end
            and span.text not in index.demonyms
        ):
            continue
        best = gazetteer.best(span.text, context)
        if best is None or not _accept_scanned(best[0], best[1], span, context):
            continue
        _, kind = _strip(span)
        found.append((span, best[0], best[1], kind))
        for k in range(span.start, span.end):
            taken[k] = True

    # Second pass: the resolved places themselves tell which country the story is about.
    context.update(place.country_code for _, place, _, _ in found)
    resolved = []
    for span, first, _, kind in found:
        best = gazetteer.best(_strip(span)[0].text, context) or gazetteer.best(span.text, context)
        place = best[0] if best else first
        resolved.append(_resolution(span, place, kind, index))
    return sorted(resolved, key=lambda r: r.start)


def _resolution(span: Span, place: Place, kind: PlaceType | None, index: GeoIndex) -> Resolved:
    place_type: PlaceType = place.place_type
    lat, lon = place.lat, place.lon
    if kind == "admin1" and place.place_type == "city" and place.admin1_code is not None:
        place_type = "admin1"
        lat, lon = index.admin1_centres.get((place.country_code, place.admin1_code), (lat, lon))
    return Resolved(
        start=span.start_char,
        end=span.end_char,
        text=span.text,
        place=place,
        place_type=place_type,
        lat=lat,
        lon=lon,
        admin1=index.admin1_name(place),
        country=index.countries.get(place.country_code, place.country_code),
    )
