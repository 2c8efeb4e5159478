"""Incidents from one enriched article: sentence candidates, then merging by date and place.

Baseline rules (issue 6 deepens them):
- a sentence is a candidate when it reports casualties with a count, or names an
  incident (attack, clashes, ...) together with its own date; running totals are not;
- a candidate without its own date inherits the date of the last incident in the
  article ("It said at least 34 ... were killed" refers back), or the publication
  date (precision "week") when nothing came before;
- candidates on the same date in a compatible place (same admin1, or one side only
  at country level) are one incident; the most specific place wins; tolls take the
  highest figure reported;
- incidents dated more than BACKGROUND_DAYS before publication are background and dropped.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta

from schemas.articles import EnrichedArticle, Entity
from schemas.events import Event, Evidence, Fatalities, Location
from services.common.text import split_sentences
from services.events.dates import IncidentDate, incident_date
from services.events.lexicon import lexicon
from services.events.numbers import counts

BACKGROUND_DAYS = 14
PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
PRECISION_RANK = {"exact": 4, "near": 3, "admin1": 2, "country": 1, "unknown": 0}


@dataclass(frozen=True)
class Sentence:
    text: str
    start: int  # offset in Article.body, so entities can be matched to it
    end: int


@dataclass
class Incident:
    when: IncidentDate
    place: Entity | None
    sentences: list[str] = field(default_factory=list)
    actors: list[str] = field(default_factory=list)
    reporters: list[str] = field(default_factory=list)
    killed: int | None = None
    injured: int | None = None
    remote: bool = False


def sentences_of(paragraphs: list[str]) -> Iterator[Sentence]:
    offset = 0
    for paragraph in paragraphs:
        cursor = 0
        for text in split_sentences(paragraph):
            at = paragraph.find(text, cursor)
            cursor = at + len(text)
            yield Sentence(text, offset + at, offset + cursor)
        offset += len(paragraph) + 2  # Article.body joins paragraphs with a blank line


def _toll(sentence: str, verb_pattern: object) -> int | None:
    """People killed (or wounded): counts before the verb add up ("34 soldiers and 12
    militants were killed"); otherwise the first count after it ("killing 11 fighters")."""
    verb = verb_pattern.search(sentence)  # type: ignore[attr-defined]
    if verb is None:
        return None
    found = counts(sentence)
    before = [c.value for c in found if c.end <= verb.start()]
    if before:
        return sum(before)
    after = [c.value for c in found if c.start >= verb.end()]
    return after[0] if after else None


def _place(sentence: Sentence, entities: list[Entity], anchor: int) -> Entity | None:
    """The most specific place after the incident word ("killed in Syria", not the
    "Chita" newspaper before it); places before it only when none follow."""
    places = [
        e
        for e in entities
        if e.label in PLACE_LABELS and e.lat is not None and sentence.start <= e.start < sentence.end
    ]
    after = [e for e in places if e.start >= sentence.start + anchor] or places
    if not after:
        return None
    best = max(PRECISION_RANK[e.precision or "unknown"] for e in after)
    return next(e for e in after if PRECISION_RANK[e.precision or "unknown"] == best)


def _compatible(a: Entity | None, b: Entity | None) -> bool:
    if a is None or b is None or "country" in (a.precision, b.precision):
        return True
    return a.canonical == b.canonical or (a.admin1 is not None and a.admin1 == b.admin1)


def _more_specific(a: Entity | None, b: Entity | None) -> Entity | None:
    if a is None or b is None:
        return a or b
    rank_a, rank_b = PRECISION_RANK[a.precision or "unknown"], PRECISION_RANK[b.precision or "unknown"]
    return b if rank_b > rank_a else a


def _max(a: int | None, b: int | None) -> int | None:
    return b if a is None else a if b is None else max(a, b)


def find_incidents(enriched: EnrichedArticle) -> list[Incident]:
    lex = lexicon()
    article = enriched.article
    published = article.published.date()
    incidents: list[Incident] = []
    for sentence in sentences_of(article.paragraphs):
        text = sentence.text
        if lex.running_total.search(text):
            continue
        killed, injured = _toll(text, lex.kill), _toll(text, lex.injury)
        incident_word = lex.incident.search(text)
        own_date = incident_date(text, published)
        if killed is None and injured is None and not (incident_word and own_date):
            continue
        when = own_date or (incidents[-1].when if incidents else IncidentDate(published, "week"))
        anchor = min(
            m.start()
            for m in (lex.kill.search(text), lex.injury.search(text), incident_word)
            if m is not None
        )
        place = _place(sentence, enriched.entities, anchor)
        in_sentence = [e for e in enriched.entities if sentence.start <= e.start < sentence.end]
        actors = [e.canonical for e in in_sentence if e.canonical in lex.actors]
        reporters = [e.canonical for e in in_sentence if e.canonical in lex.sources]
        if "claim" in text.lower() and actors:
            reporters.append(f"{actors[0]} (claim)")  # the claimant is the sentence's subject
        target = next(
            (i for i in incidents if i.when.day == when.day and _compatible(i.place, place)),
            None,
        )
        if target is None:
            target = Incident(when=when, place=place)
            incidents.append(target)
        if when.precision == "day":
            target.when = when
        target.place = _more_specific(target.place, place)
        target.sentences.append(text)
        target.actors += [a for a in actors if a not in target.actors]
        target.reporters += [r for r in reporters if r not in target.reporters]
        target.killed = _max(target.killed, killed)
        target.injured = _max(target.injured, injured)
        target.remote = target.remote or bool(lex.remote_violence.search(text))
    cutoff = published - timedelta(days=BACKGROUND_DAYS)
    return [i for i in incidents if i.when.day >= cutoff]


def _location(place: Entity | None) -> Location | None:
    if place is None:
        return None
    return Location(
        name=place.canonical,
        country=place.country,
        admin1=place.admin1,
        lat=place.lat,
        lon=place.lon,
        precision=place.precision or "unknown",
    )


def event_id(article_id: str, when: date, place: str | None) -> str:
    return hashlib.sha1(f"{article_id}|{when.isoformat()}|{place}".encode()).hexdigest()[:20]


def extract_events(enriched: EnrichedArticle) -> list[Event]:
    article = enriched.article
    mentioned = Counter(e.canonical for e in enriched.entities if e.canonical in lexicon().actors)
    events = []
    for incident in find_incidents(enriched):
        # Sentences that give the toll often name no side: fall back to the article's actors.
        actors = incident.actors or [name for name, _ in mentioned.most_common(2)]
        fatalities = Fatalities(low=incident.killed, best=incident.killed, high=incident.killed)
        events.append(
            Event(
                event_id=event_id(
                    article.article_id,
                    incident.when.day,
                    incident.place.canonical if incident.place else None,
                ),
                date=incident.when.day,
                date_precision=incident.when.precision,
                event_type="Explosions/Remote violence" if incident.remote else "Battles",
                sub_type=None if incident.remote else "Armed clash",
                actor1=actors[0] if actors else None,
                actor2=actors[1] if len(actors) > 1 else None,
                location=_location(incident.place),
                fatalities=fatalities,
                injuries=Fatalities(best=incident.injured),
                reported_by=incident.reporters,
                article_ids=[article.article_id],
                sources=[s for s in (article.agency, article.outlet) if s],
                evidence=[Evidence(article_id=article.article_id, sentence=s) for s in incident.sentences],
            )
        )
    return events
