"""The whole article: evidence first, then mentions found and ranked, then each place kept
only where the story backs it, one sense per qualified name."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

from spacy.tokens import Doc, Span

from schemas.articles import PlaceType
from services.entities.evidence import Evidence, collect, named_admin1s
from services.entities.geonames.folding import fold
from services.entities.geonames.index import GeoIndex, Place
from services.entities.outlet import outlet_hints
from services.entities.places.acceptance import evidenced
from services.entities.places.mentions import (
    MIN_VOTING_NAMES,
    PLACE_LABELS,
    Found,
    country_context,
    ner_places,
    scanned_places,
)
from services.entities.places.ranking import Gazetteer
from services.entities.places.syntax import place_syntax
from services.entities.places.words import Words, own_name, strip_kind

if not Doc.has_extension("outlet"):
    Doc.set_extension("outlet", default=None)  # the outlet or URL the story came from


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
    country: str | None  # None for seas and regions across borders


def resolve_places(doc: Doc, gazetteer: Gazetteer) -> list[Resolved]:
    """Every place mention in doc, resolved against the article's evidence; NER's non-place
    labels lose to a resolved place only where the sentence says it is one."""
    index = gazetteer.index
    words = Words.of(doc)
    context = country_context(words, index)
    ents = doc.ents  # built anew on every access
    evidence = collect(words.text, index, context)
    written = named_admin1s(index, [e.text for e in ents if e.label_ in PLACE_LABELS])
    for country, _ in written - evidence.admin1s:
        evidence.countries[country] += 1
    evidence.admin1s |= written
    # The outlet's host: "<state>online.com" is as good as the state written once.
    hints = outlet_hints(doc._.outlet, gazetteer.outlet_names, index)
    if hints.admin1 is not None and hints.admin1 not in evidence.admin1s:
        evidence.admin1s.add(hints.admin1)
        evidence.countries[hints.admin1[0]] += 1
    if hints.country is not None:
        evidence.countries[hints.country] += 1
        context[hints.country] += 1
    # States and provinces vouch for their country: "Ohio" makes the story American.
    context.update(country for country, _ in evidence.admin1s)
    taken = [False] * len(doc)
    for ent in ents:
        if ent.ent_id_:  # curated people and organisations are settled
            taken[ent.start : ent.end] = [True] * len(ent)
    resolved = abbreviated_places(doc, gazetteer, evidence, taken)
    found = ner_places(ents, words, gazetteer, context, taken, evidence)
    ner_spans = {(span.start, span.end) for span, _, _, _ in found}
    if not evidence.countries:
        _vote_country(found, gazetteer, evidence, context)
    _unambiguous_admin1s(found, gazetteer, evidence)
    # What NER placed tells which country the story is about; then the scan, then a re-ranking.
    context.update(place.country_code for _, place, _, _ in found)
    placed = {fold(span.text) for span, _, _, _ in found}
    scanned = scanned_places(doc, ents, words, gazetteer, context, taken, evidence, placed)
    if scanned:  # a later "Bamako" vouches for an earlier "Kayes": scan once more
        scanned += scanned_places(doc, ents, words, gazetteer, context, taken, evidence, placed)
    found += scanned
    chosen: list[tuple[Span, Place, PlaceType | None, bool]] = []
    # A named state's first guess may be its namesake town ("Delaware", Ohio): no anchor.
    states = {
        fold(gazetteer.admin1_places[code].name)
        for code in evidence.admin1s
        if code in gazetteer.admin1_places
    }
    for span, first, _, kind in found:
        # Judge a name by the other places only: its own first guesses would vote for themselves.
        name = fold(span.text)  # "BERLIN" in the dateline and "Berlin" later are one name
        own = [place for mention, place, _, _ in found if fold(mention.text) == name]
        others = context - Counter(place.country_code for place in own)
        anchors = [
            (other.lat, other.lon)
            for mention, other, _, _ in found
            if other.place_type in ("city", "site") and fold(mention.text) not in (name, *states)
        ]
        qualifier = evidence.qualifier(span.end_char)
        # The whole name when it is one ("MEXICO CITY"), else without its kind word ("Homs province").
        whole = gazetteer.best(own_name(span).text, others, anchors, kind, evidence.admin1s, qualifier)
        if whole is None or whole[1] < 1.0:
            bare_name = strip_kind(span)[0].text
            bare = gazetteer.best(bare_name, others, anchors, kind, evidence.admin1s, qualifier)
            whole = bare or whole
        best = whole
        place = best[0] if best and (best[1] == 1.0 or others[best[0].country_code]) else first
        # "Quincy, Washington": the name after the comma is the state itself.
        qualifying = evidence.qualifying.get(span.start_char)
        if qualifying is not None and qualifying[1] is not None:
            place = gazetteer.admin1_places.get((qualifying[0], qualifying[1]), place)
        # NER or the sentence ("in X", a dateline) says it is a place
        labelled = (span.start, span.end) in ner_spans or place_syntax(span, evidence)
        bordering = index.neighbours.get(place.country_code, frozenset())
        if not evidenced(place, span, evidence, others, labelled, bordering):
            continue
        chosen.append((span, place, kind, qualifier is not None or qualifying is not None))
    # One sense per story: "LEBANON, Tenn." settles every later "Lebanon".
    settled = {fold(span.text): place for span, place, _, qualified in chosen if qualified}
    for span, place, kind, _ in chosen:
        resolved.append(_resolution(span, settled.get(fold(span.text), place), kind, index))
    return sorted(resolved, key=lambda r: r.start)


def _unambiguous_admin1s(found: list[Found], gazetteer: Gazetteer, evidence: Evidence) -> None:
    """A town or county that exists in one state only of the story's countries says which
    state the story is in ("Goodhue County" is in Minnesota): namesakes elsewhere rank lower."""
    places = gazetteer.index.places
    for span, first, similarity, _ in found:
        if similarity < 1.0 or first.place_type in ("country", "admin1"):
            continue
        states = {
            (places[i].country_code, places[i].admin1_code or "")
            for i, sim in gazetteer.candidates(fold(span.text))
            if sim == 1.0 and evidence.countries[places[i].country_code]
        }
        if len(states) == 1 and "" not in next(iter(states)):
            evidence.admin1s.add(next(iter(states)))


def _vote_country(
    found: list[Found], gazetteer: Gazetteer, evidence: Evidence, context: Counter[str]
) -> None:
    """A story that names no country or state is set where most of its place names exist:
    "Fresno", "Modesto" and "Visalia" all exist in one country, not in three. The country
    that has a town of every name, or of strictly more names than any other, counts as named."""
    places = gazetteer.index.places
    names = {fold(span.text) for span, _, similarity, _ in found if similarity == 1.0}
    coverage: Counter[str] = Counter()
    size: Counter[str] = Counter()  # ties go to the country whose namesakes are bigger
    for name in names:
        biggest: dict[str, int] = {}
        for i, sim in gazetteer.candidates(name):
            if sim == 1.0:
                place = places[i]
                biggest[place.country_code] = max(biggest.get(place.country_code, 0), place.population)
        coverage.update(biggest.keys())
        size.update({country: math.log10(population + 1) for country, population in biggest.items()})
    ranked = sorted(coverage, key=lambda country: (coverage[country], size[country]), reverse=True)[:2]
    if not ranked or coverage[ranked[0]] < MIN_VOTING_NAMES:
        return
    top = ranked[0]
    if len(ranked) == 1 or (coverage[top], size[top]) > (coverage[ranked[1]], size[ranked[1]]):
        evidence.countries[top] += 1
        context[top] += coverage[top]


def abbreviated_places(
    doc: Doc, gazetteer: Gazetteer, evidence: Evidence, taken: list[bool]
) -> list[Resolved]:
    """ "Fla.", "Ont.", "Kansas City, MO": the state or province itself, never a foreign town."""
    resolved = []
    for mention in evidence.abbreviated:
        span = doc.char_span(mention.start, mention.end, alignment_mode="expand")
        place = gazetteer.admin1_places.get(mention.admin1)
        if span is None or place is None or any(taken[span.start : span.end]):
            continue
        taken[span.start : span.end] = [True] * len(span)
        resolution = _resolution(span, place, None, gazetteer.index)
        # The abbreviation's own characters: "W.Va." may end inside a token.
        resolved.append(
            Resolved(
                start=mention.start,
                end=mention.end,
                text=doc.text[mention.start : mention.end],
                place=place,
                place_type=resolution.place_type,
                lat=resolution.lat,
                lon=resolution.lon,
                admin1=resolution.admin1,
                country=resolution.country,
            )
        )
    return resolved


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
        country=index.countries.get(place.country_code),
    )
