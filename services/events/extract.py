"""Incidents from one enriched article: sentence readings, then merging by date and place.

- a sentence is a reading when it reports casualties with a count, or names an incident
  (attack, clashes, protest ...) together with its own date; running totals are not;
- a reading without its own date inherits the date of the last incident in the article
  ("It said at least 34 ... were killed" refers back), or the publication date
  (precision "week") when nothing came before;
- readings on the same date in a compatible place (same admin1, or one side only at
  country level) are one incident; the most specific place wins;
- each toll is kept as a Figure (side, source, sentence, offsets); the event's toll is the
  largest per-sentence total, with low/high from other totals of the same scope;
- incidents dated more than BACKGROUND_DAYS before publication are background (the March
  plane crash in a May story): found with their own date, so never merged into this
  week's, and not published: the story that reported them at the time did that.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from re import Pattern

from schemas.articles import EnrichedArticle, Entity
from schemas.events import Event, Evidence, Fatalities, Figure, FigureKind, Location
from schemas.precision import TOWN_LEVEL, PlacePrecision, finer, rank
from services.common.text import split_sentences
from services.events.actors import GENERIC, Mention, article_country, is_civilian, is_state, mentions, named
from services.events.classify import CIVILIANS, classify
from services.events.dates import IncidentDate, incident_date
from services.events.lexicon import Lexicon, lexicon
from services.events.numbers import counts

BACKGROUND_DAYS = 14
PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})


@dataclass(frozen=True)
class Sentence:
    text: str
    start: int  # offset in Article.body, so entities can be matched to it
    end: int


@dataclass(frozen=True)
class Place:
    entity: Entity
    precision: PlacePrecision


@dataclass(frozen=True)
class Toll:
    kind: FigureKind
    value: int
    side: str | None


@dataclass
class Incident:
    when: IncidentDate
    place: Place | None
    country: str | None = None
    sentences: list[Sentence] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    figures: list[tuple[Sentence, Toll, str | None]] = field(default_factory=list)
    reporters: list[str] = field(default_factory=list)


def sentences_of(paragraphs: list[str]) -> Iterator[Sentence]:
    offset = 0
    for paragraph in paragraphs:
        cursor = 0
        for text in split_sentences(paragraph):
            at = paragraph.find(text, cursor)
            cursor = at + len(text)
            yield Sentence(text, offset + at, offset + cursor)
        offset += len(paragraph) + 2  # Article.body joins paragraphs with a blank line


def _side_of(text: str, end: int, found: list[Mention]) -> str | None:
    """The actor a count counts: the mention right after it ("34 Syrian soldiers")."""
    after = [m for m in found if end <= m.start <= end + 30]
    return after[0].name if after else None


def _tolls(text: str, verb: Pattern[str], kind: FigureKind, found: list[Mention], lex: Lexicon) -> list[Toll]:
    """People killed (or wounded): counts of people before the verb add up ("34 soldiers
    and 12 militants were killed"); otherwise the first count after it that is not the
    subject of a later verb ("killing 11 fighters", not "two employees were injured");
    "the death toll rose to four" is four; a single victim ("a mayor was shot dead") is one."""
    match = verb.search(text)
    if match is None and kind == "killed":
        match = lex.toll_rose.search(text)
    if match is None:
        return []
    numbers = [c for c in counts(text) if not lex.objects.match(text[c.end :])]  # "two army vehicles"
    before = [
        c
        for c in numbers
        if c.end <= match.start()
        and (
            not text[c.end : match.start()].strip()  # "77 dead"
            or _side_of(text, c.end, found)
            or lex.counted_people.match(text[c.end : match.start()] + " ")
        )
    ]
    if before:
        return [Toll(kind, c.value, _side_of(text, c.end, found)) for c in before]
    later = [
        m.start() for m in (lex.kill.search(text, match.end()), lex.injury.search(text, match.end())) if m
    ]
    after = [
        c
        for c in numbers
        if match.end() <= c.start < min(later, default=len(text))  # not "killing a child and wounding four"
        and not lex.subject_of_later_verb.match(text[c.end :])  # not "two employees were injured"
    ][:1]
    if after:
        return [Toll(kind, c.value, _side_of(text, c.end, found)) for c in after]
    if kind == "killed" and (lex.single_kill.search(text) or lex.single_kill.match(text[match.end() :])):
        return [Toll(kind, 1, _side_of(text, match.end(), found))]
    return []


def _place(
    sentence: Sentence, entities: list[Entity], anchor: int, countries: frozenset[str], lex: Lexicon
) -> Place | None:
    """The most specific place after the incident word ("killed in Syria", not the
    "Chita" newspaper before it); places before it only when none follow. A place in a
    country the article never names is a gazetteer mix-up ("Borno" read as a German
    town); "returning from Iraq", a dateline ("ABUJA (Reuters) -") and the "West Africa
    Province" of a group's name are not where it happened."""
    text = sentence.text
    skipped = [m.span() for _, pattern in lex.groups for m in pattern.finditer(text)]
    if sentence.start == 0 and (dateline := lex.dateline.match(text)):
        skipped.append(dateline.span())
    places = [
        e
        for e in entities
        if e.label in PLACE_LABELS
        and e.canonical not in lex.actors
        and sentence.start <= e.start < sentence.end
        and (e.country is None or _country_name(e.country, lex) in countries)
        and not lex.not_place_before.search(text[: e.start - sentence.start])
        and not (
            e.place_type == "country" and lex.country_not_place_after.match(text[e.end - sentence.start :])
        )
        and not any(s <= e.start - sentence.start < end for s, end in skipped)
    ]
    after = [e for e in places if e.start >= sentence.start + anchor] or places
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


def _compatible(a: Place | None, b: Place | None) -> bool:
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


def _country_name(name: str, lex: Lexicon) -> str:
    return lex.countries.get(name, name)


def named_countries(entities: list[Entity], body: str, lex: Lexicon) -> frozenset[str]:
    """Countries the article itself names (name, alias or demonym), among those of its
    places and those the lexicon knows."""
    named = set()
    for country in {_country_name(e.country, lex) for e in entities if e.country} | set(
        lex.demonyms.values()
    ):
        words = [country, *(w for w, c in lex.countries.items() if c == country)]
        words += [d for d, c in lex.demonyms.items() if c == country]
        if any(re.search(rf"\b{re.escape(w)}\b", body) for w in words):
            named.add(country)
    return frozenset(named)


def plausible_countries(entities: list[Entity], named: frozenset[str], lex: Lexicon) -> frozenset[str]:
    """Countries an incident may be placed in: those the article names, and those where
    two place names agree ("Rueso" and "Narathiwat" with no "Thailand" in the text); a
    lone name elsewhere is a likelier gazetteer mix-up."""
    places = {(e.text, _country_name(e.country, lex)) for e in entities if e.country}
    agreeing = Counter(country for _, country in places)
    return named | {country for country, n in agreeing.items() if n >= 2}


def _more_specific(a: Place | None, b: Place | None) -> Place | None:
    if a is None or b is None:
        return a or b
    return b if finer(a.precision, b.precision) else a


def _reporters(text: str, found: list[Mention], entities: list[Entity], lex: Lexicon) -> list[str]:
    named = [e.canonical for e in entities if e.canonical in lex.sources]
    named += [name for name, pattern in lex.source_patterns if pattern.search(text)]
    if lex.claim.search(text):
        claimants = [m.name for m in found if m.attacker and not is_state(m)] or [
            m.name for m in found if m.side in ("group", GENERIC)
        ]
        named += [f"{name} (claim)" for name in claimants[:1]]
    return list(dict.fromkeys(named))


def _attribution(sentences: list[Sentence], index: int) -> str:
    """A quote's speaker often follows it: '"There were 35 ... killed. ...," said X.'"""
    text = sentences[index].text
    if text.startswith(('"', "“")) and index + 1 < len(sentences):
        return f"{text} {sentences[index + 1].text}"
    return text


FOLLOW_UP = 2  # sentences after a reading that may still describe its incident


def find_incidents(enriched: EnrichedArticle) -> list[Incident]:
    lex = lexicon()
    article = enriched.article
    published = article.published.date()
    countries = named_countries(enriched.entities, article.body, lex)
    article_place = article_country(enriched.entities, countries, lex)
    countries = plausible_countries(enriched.entities, countries, lex)
    incidents: list[Incident] = []
    sentences = list(sentences_of(article.paragraphs))
    context: IncidentDate | None = None  # a dated sentence that was not itself an incident
    last_reading = -FOLLOW_UP - 1
    lead_in: tuple[int, list[Mention], Place | None] | None = None  # an undated incident sentence
    for index, sentence in enumerate(sentences):
        text = sentence.text
        incident_word = lex.incident.search(text)
        # "GOMA, June 7 (Reuters) -": the dateline's date is the filing day, not the incident's.
        dateline = lex.dateline.match(text) if index == 0 else None
        own_date = incident_date(text[dateline.end() :] if dateline else text, published)
        # "has killed 80 since Thursday" is this week's offensive; "has killed 80" alone a tally.
        dated = own_date is not None and own_date.precision == "day"
        if lex.running_total.search(text) or (lex.weak_total.search(text) and not (incident_word or dated)):
            context = own_date or context
            continue
        anchors = [m for m in (lex.kill.search(text), lex.injury.search(text), incident_word) if m]
        about_it = incident_word or lex.attribution.search(text)
        if not anchors and not about_it:
            continue
        start = min(m.start() for m in anchors) if anchors else 0
        place = _place(sentence, enriched.entities, start, countries, lex)
        country = (
            _country_name(place.entity.country, lex) if place and place.entity.country else article_place
        )
        found = mentions(text, sentence.start, enriched.entities, country, lex)
        tolls = _tolls(text, lex.kill, "killed", found, lex) + _tolls(text, lex.injury, "injured", found, lex)
        separate = bool(lex.separate_incident.search(text))
        if not tolls and not (incident_word and own_date):
            if incidents and about_it and not separate and index - last_reading <= FOLLOW_UP:
                if _compatible(incidents[-1].place, place):
                    # "Gunmen stormed three villages": who did it, told after the toll; "the
                    # gunfight near the town of Guihulngan": where, told after the province.
                    incidents[-1].place = _more_specific(incidents[-1].place, place)
                    incidents[-1].sentences.append(sentence)
                    incidents[-1].mentions += found
                    incidents[-1].reporters += _reporters(_attribution(sentences, index), found, [], lex)
            elif incident_word:
                lead_in = (index, found, place)
            continue
        # "Separately, ..." is another incident, told in the same time frame.
        when = own_date or (incidents[-1].when if incidents else context or IncidentDate(published, "week"))
        target = (
            None
            if separate
            else next((i for i in incidents if i.when.overlaps(when) and _compatible(i.place, place)), None)
        )
        if target is None:
            target = Incident(when=when, place=place, country=country)
            incidents.append(target)
            if lead_in is not None and lead_in[0] == index - 1 and _compatible(place, lead_in[2]):
                # "The Arakan Army said it had seized the town": the sentence before the date.
                target.mentions += lead_in[1]
                target.place = _more_specific(lead_in[2], place)
        last_reading = index
        if when.precision == "day" and target.when.precision != "day":
            # A day beats a week; "fighting on Friday and Saturday" keeps the incident's own day.
            target.when = when
        target.place = _more_specific(target.place, place)
        target.sentences.append(sentence)
        target.mentions += found
        in_sentence = [e for e in enriched.entities if sentence.start <= e.start < sentence.end]
        reporters = _reporters(_attribution(sentences, index), found, in_sentence, lex)
        target.reporters += [r for r in reporters if r not in target.reporters]
        source = next(
            (r for r in reporters if not r.endswith("(claim)")), reporters[0] if reporters else None
        )
        target.figures += [(sentence, toll, source) for toll in tolls]
    if len(incidents) == 1 and incidents[0].place is None and sentences:
        # Told without a place ("shot dead 23 people"): where the lede says it all happened.
        incidents[0].place = _place(sentences[0], enriched.entities, 0, countries, lex)
    return [_resolved(i, lex) for i in incidents]


def _resolved(incident: Incident, lex: Lexicon) -> Incident:
    """Generic "militants" are the incident's named group (the attacker first), else
    ACLED's unidentified armed group of the incident's country."""
    groups = [m for m in incident.mentions if m.side == "group"]
    group = next((m.name for m in groups if m.attacker), groups[0].name if groups else None)
    incident.mentions = [named(m, group, incident.country, lex) for m in incident.mentions]
    generic = named(Mention(GENERIC, 0, 0, GENERIC, False), group, incident.country, lex).name
    claim, claimed = f"{GENERIC} (claim)", f"{generic} (claim)"
    incident.reporters = list(dict.fromkeys(claimed if r == claim else r for r in incident.reporters))
    incident.figures = [
        (s, Toll(t.kind, t.value, generic if t.side == GENERIC else t.side), claimed if src == claim else src)
        for s, t, src in incident.figures
    ]
    return incident


def _location(place: Place | None) -> Location | None:
    if place is None:
        return None
    entity = place.entity
    return Location(
        name=entity.canonical.removesuffix("'s").removesuffix("’s"),  # "Rio de Janeiro's" favela
        country=entity.country,
        admin1=entity.admin1,
        lat=entity.lat,
        lon=entity.lon,
        precision=place.precision,
    )


def _fatalities(incident: Incident, kind: FigureKind) -> Fatalities:
    """Per sentence the counts add up to one total; the largest total is the article's
    figure (a lede's "over two dozen soldiers" is part of "34 soldiers and 12 militants").
    One article gives one figure; the UCDP range comes from merging reports (assembly)."""
    totals: Counter[Sentence] = Counter()
    for sentence, toll, _ in incident.figures:
        if toll.kind == kind:
            totals[sentence] += toll.value
    if not totals:
        return Fatalities()
    best = max(totals.values())
    return Fatalities(low=best, best=best, high=best)


def _sides(incident: Incident, event_type: str, sub_type: str) -> tuple[str | None, str | None, list[str]]:
    """actor1 attacks (demonstrators are actor1 of their own demonstration; a state fires
    an air strike nobody else is said to have fired), actor2 is attacked: a state for a
    non-state attacker and the reverse, else civilians, else another actor; then the
    others by how often they appear."""
    counted = Counter(m.name for m in incident.mentions)
    order = sorted(counted, key=lambda name: -counted[name])  # stable: ties keep text order
    kinds = {m.name: m for m in incident.mentions}
    crowd = {"Protests": "protesters", "Riots": "rioters"}.get(event_type)
    if sub_type == "Excessive force against protesters":
        crowd = None
    attackers = (
        [m.name for m in incident.mentions if m.side == crowd]
        or [m.name for m in incident.mentions if m.attacker and not is_civilian(m)]
        or [m.name for m in incident.mentions if sub_type == "Air/drone strike" and is_state(m)]
    )
    first = attackers[0] if attackers else next((n for n in order if not is_civilian(kinds[n])), None)
    if first is None:  # civilians are only ever attacked (ACLED's actor2), even when no one is named
        return None, (order[0] if order else None), order[1:]
    others = [name for name in order if name != first]
    opposed = [
        n for n in others if is_state(kinds[n]) != is_state(kinds[first]) and not is_civilian(kinds[n])
    ]
    civilians = [n for n in others if is_civilian(kinds[n])]
    second = next(iter(opposed or civilians or others), None)
    return first, second, [n for n in others if n != second]


def event_id(article_id: str, when: date, place: str | None) -> str:
    return hashlib.sha1(f"{article_id}|{when.isoformat()}|{place}".encode()).hexdigest()[:20]


def extract_events(enriched: EnrichedArticle) -> list[Event]:
    article = enriched.article
    published = article.published.date()
    lex = lexicon()
    events = []
    cutoff = published - timedelta(days=BACKGROUND_DAYS)
    for incident in (i for i in find_incidents(enriched) if i.when.day >= cutoff):
        # The type is read from the sentences that name the incident, not from asides.
        named_it = [s.text for s in incident.sentences if lex.incident.search(s.text)]
        text = " ".join(named_it or [s.text for s in incident.sentences])
        event_type, sub_type = classify(text, incident.mentions)
        actor1, actor2, associated = _sides(incident, event_type, sub_type)
        if event_type == CIVILIANS and (actor2 is None or not actor2.startswith("Civilians")):
            event_type, sub_type = "Battles", "Armed clash"  # no civilian target after all
        place = incident.place.entity.canonical if incident.place else None
        events.append(
            Event(
                event_id=event_id(article.article_id, incident.when.day, place),
                date=incident.when.day,
                date_precision=incident.when.precision,
                event_type=event_type,
                sub_type=sub_type,
                actor1=actor1,
                actor2=actor2,
                assoc_actors=associated,
                location=_location(incident.place),
                fatalities=_fatalities(incident, "killed"),
                injuries=_fatalities(incident, "injured"),
                reported_by=incident.reporters,
                article_ids=[article.article_id],
                sources=[s for s in dict.fromkeys((article.agency, article.outlet)) if s],
                evidence=[
                    Evidence(article_id=article.article_id, sentence=s.text, start=s.start, end=s.end)
                    for s in incident.sentences
                ],
                figures=[
                    Figure(
                        kind=toll.kind,
                        value=toll.value,
                        side=toll.side,
                        source=source,
                        article_id=article.article_id,
                        sentence=s.text,
                        start=s.start,
                        end=s.end,
                    )
                    for s, toll, source in incident.figures
                ],
            )
        )
    return events
