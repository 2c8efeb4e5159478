"""Where a sentence's incident happened: the most specific plausible place after its incident word."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from schemas.articles import Entity
from schemas.precision import TOWN_LEVEL, PlacePrecision, finer, rank
from services.common.geo import haversine_km
from services.events.extract.sentences import Sentence
from services.events.lexicon import Lexicon

PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})


@dataclass(frozen=True)
class Place:
    entity: Entity
    precision: PlacePrecision


def country_name(name: str, lex: Lexicon) -> str:
    return lex.countries.get(name, name)


def place_in(
    sentence: Sentence,
    entities: list[Entity],
    anchor: int,
    countries: frozenset[str],
    lex: Lexicon,
    dateline: bool = False,
) -> Place | None:
    """The most specific place after the incident word ("killed in Syria", not the
    "Chita" newspaper before it); places before it only when none follow. A place in a
    country the article never names is a gazetteer mix-up ("Borno" read as a German
    town); "returning from Iraq", a dateline ("ABUJA (Reuters) -") and the "West Africa
    Province" of a group's name are not where it happened (unless `dateline`: where the story
    was filed is the fallback for an incident told without a place). A place the gazetteer
    resolved beats one it could not ("Riverside Drive" after "in Memphis")."""
    if not sentence.in_body:
        return None
    text = sentence.text
    skipped = [m.span() for _, pattern in lex.groups for m in pattern.finditer(text)]
    if sentence.start == 0 and not dateline and (filed := lex.dateline.match(text)):
        skipped.append(filed.span())
    places = [
        e
        for e in entities
        if e.label in PLACE_LABELS
        and e.canonical not in lex.actors
        and sentence.start <= e.start < sentence.end
        and (e.country is None or country_name(e.country, lex) in countries)
        and not lex.not_place_before.search(text[: e.start - sentence.start])
        and not (
            e.place_type == "country" and lex.country_not_place_after.match(text[e.end - sentence.start :])
        )
        and not any(s <= e.start - sentence.start < end for s, end in skipped)
    ]
    resolved = [e for e in places if e.lat is not None] or places
    after = [e for e in resolved if e.start >= sentence.start + anchor] or resolved
    if not after:
        return None
    readings = [Place(e, _precision(sentence, e, lex)) for e in after]
    best = max(rank(p.precision) for p in readings)
    return next(p for p in readings if rank(p.precision) == best)


def _precision(sentence: Sentence, entity: Entity, lex: Lexicon) -> PlacePrecision:
    """ "near Mayadeen" and "30 km west of Maadan" are that town, flagged near;
    "desert areas of Homs province" is the province."""
    before = sentence.text[: entity.start - sentence.start]
    after = sentence.text[entity.end - sentence.start :]
    if lex.admin1_around.search(before) or lex.admin1_around.match(after):
        return (
            "admin1"
            if entity.admin1 or entity.precision in ("admin1", None)
            else entity.precision or "admin1"
        )
    if entity.lat is None:
        return "unknown"
    precision = entity.precision or "unknown"
    if precision == "town" and lex.near_before.search(before):
        return "near"
    return precision


def compatible(a: Place | None, b: Place | None) -> bool:
    if (
        a is None
        or b is None
        or "country" in (a.precision, b.precision)
        or "unknown" in (a.precision, b.precision)
    ):
        return True
    ea, eb = a.entity, b.entity
    if ea.canonical == eb.canonical:
        return True
    if a.precision in TOWN_LEVEL and b.precision in TOWN_LEVEL:
        # Two towns are two incidents, unless one is the provincial capital named like the
        # province ("near Mayadeen" and "in Deir Ezzor").
        return ea.canonical == eb.admin1 or eb.canonical == ea.admin1
    return ea.admin1 is not None and ea.admin1 == eb.admin1


def more_specific(a: Place | None, b: Place | None) -> Place | None:
    if a is None or b is None:
        return a or b
    return b if finer(a.precision, b.precision) else a


def named_countries(entities: list[Entity], body: str, lex: Lexicon) -> frozenset[str]:
    """Countries the article itself names (name, alias or demonym), among those of its
    places and those the lexicon knows; one pass of one pattern over the body."""
    candidates = {country_name(e.country, lex) for e in entities if e.country} | set(lex.demonyms.values())
    words = {w: c for w, c in lex.countries.items() if c in candidates}
    words.update({d: c for d, c in lex.demonyms.items() if c in candidates})
    words.update({c: c for c in candidates})
    pattern = re.compile(r"\b(?:" + "|".join(map(re.escape, sorted(words, key=len, reverse=True))) + r")\b")
    return frozenset(words[m.group(0)] for m in pattern.finditer(body))


def plausible_countries(entities: list[Entity], named: frozenset[str], lex: Lexicon) -> frozenset[str]:
    """Countries an incident may be placed in: those the article names, and those where
    two place names agree ("Rueso" and "Narathiwat" with no "Thailand" in the text); a
    lone name elsewhere is a likelier gazetteer mix-up, unless the story names no country at
    all (a local paper's "Rocky Mount" needs no "United States")."""
    places = {(e.text, country_name(e.country, lex)) for e in entities if e.country}
    agreeing = Counter(country for _, country in places)
    if not named:
        return frozenset(agreeing)
    return named | {country for country, n in agreeing.items() if n >= 2}


STRAY_KM = 500.0  # a lone town this far from every place the story stands in is a homonym


def _km(a: Entity, b: Entity) -> float:
    assert a.lat is not None and a.lon is not None and b.lat is not None and b.lon is not None
    return haversine_km(a.lat, a.lon, b.lat, b.lon)


def _region(entity: Entity, lex: Lexicon) -> tuple[str, str] | None:
    if entity.country is None or entity.admin1 is None or entity.lat is None:
        return None
    return country_name(entity.country, lex), entity.admin1


def without_stray_towns(entities: list[Entity], body: str, lex: Lexicon) -> list[Entity]:
    """The entities without towns resolved far into a state or governorate the story does not
    stand in. A story stands in a region it names places of twice or more ("Detroit ... the
    Detroit boy"; its dateline does not count: wire copy is filed from the capital); a town
    named once, in another region
    and more than STRAY_KM from every place the story stands in, is a homonym the gazetteer
    chose ("Brainerd", a Chicago neighbourhood, read as the Minnesota town). A story that stands
    nowhere in particular keeps all its places."""
    places = [e for e in entities if e.label in PLACE_LABELS and _region(e, lex) is not None]
    filed = lex.dateline.match(body)
    told = [e for e in places if filed is None or e.start >= filed.end()]
    stands = {region for region, n in Counter(_region(e, lex) for e in told).items() if n >= 2}
    anchors = [e for e in places if _region(e, lex) in stands]

    def stray(entity: Entity) -> bool:
        return (
            entity in places
            and entity.precision in TOWN_LEVEL
            and _region(entity, lex) not in stands
            and all(_km(entity, anchor) > STRAY_KM for anchor in anchors)
        )

    return [e for e in entities if not stray(e)] if anchors else entities


LEDE_SENTENCES = 3  # where a story without a place for its incident says where it happened


def _resolved_place(
    sentence: Sentence, entities: list[Entity], countries: frozenset[str], lex: Lexicon
) -> Place | None:
    place = place_in(sentence, entities, 0, countries, lex, dateline=True)
    return place if place is not None and place.entity.lat is not None else None


def lede_place(
    sentences: list[Sentence], entities: list[Entity], countries: frozenset[str], lex: Lexicon
) -> Place | None:
    """The first resolved place of the lede, the dateline included ("DAYTON, Ohio -")."""
    for sentence in sentences[:LEDE_SENTENCES]:
        if (place := _resolved_place(sentence, entities, countries, lex)) is not None:
            return place
    return None


def place_in_context(
    first: int, sentences: list[Sentence], entities: list[Entity], countries: frozenset[str], lex: Lexicon
) -> Place | None:
    """Where the story stands when an incident is told without a resolved place: the last
    resolved place named before its first sentence ("In Memphis, ... A man was shot on
    Riverside Drive"), else the lede's, else the first one named after it ("... police in
    Springfield said")."""
    for sentence in [*reversed(sentences[:first]), *sentences[first:]]:
        if (place := _resolved_place(sentence, entities, countries, lex)) is not None:
            return place
    return None
