"""Incidents into ACLED-shaped events: type, sides, place, tolls, evidence, a stable id."""

from __future__ import annotations

import hashlib
from collections import Counter
from datetime import date, timedelta

from schemas.articles import EnrichedArticle
from schemas.events import Event, Evidence, Fatalities, Figure, FigureKind, Location
from services.events.actors import is_civilian
from services.events.classify import CIVILIANS, classify
from services.events.extract.grouping import Incident
from services.events.extract.places import Place
from services.events.extract.sentences import Sentence
from services.events.extract.sides import sides
from services.events.lexicon import Lexicon

# Incidents dated more than this before publication are background (the March plane crash in a May
# story): found with their own date, so never merged into this week's, and not published: the story
# that reported them at the time did that.
BACKGROUND_DAYS = 14


def event_id(article_id: str, when: date, place: str | None, nth: int = 0) -> str:
    """Deterministic per article; `nth` tells apart two incidents of one article on one day in
    one place ("Separately, ..."), which would otherwise share an id and read as a replay."""
    suffix = f"|{nth}" if nth else ""
    return hashlib.sha1(f"{article_id}|{when.isoformat()}|{place}{suffix}".encode()).hexdigest()[:20]


def location_of(place: Place | None, country: str | None = None) -> Location | None:
    """The event's location; an incident told without a place is placed in its country (precision
    "country"), so assembly keys it by that country rather than with every unplaced report."""
    if place is None:
        return Location(name=country, country=country, precision="country") if country else None
    entity = place.entity
    return Location(
        name=entity.canonical.removesuffix("'s").removesuffix("’s"),  # "Rio de Janeiro's" favela
        country=entity.country,
        admin1=entity.admin1,
        lat=entity.lat,
        lon=entity.lon,
        precision=place.precision,
    )


def _totals(incident: Incident, kind: FigureKind, harm: bool) -> Counter[tuple[Sentence, int]]:
    totals: Counter[tuple[Sentence, int]] = Counter()
    for sentence, toll, _ in incident.figures:
        if toll.kind == kind and toll.harm == harm:
            totals[sentence, toll.clause] += toll.value
    return totals


def fatalities(incident: Incident) -> tuple[Fatalities, Fatalities]:
    """Killed and injured. Per sentence the counts add up to one total; the largest total is
    the article's figure (a lede's "over two dozen soldiers" is part of "34 soldiers and 12
    militants"). People shot or stabbed are injured unless they died: when the sentence that
    counts them counts no dead, the dead told elsewhere ("He died at the hospital") are among
    them. One article gives one figure; the UCDP range comes from merging reports (assembly)."""
    killed_totals = _totals(incident, "killed", False)
    killed = _killed(incident, killed_totals)
    injured = max(_totals(incident, "injured", False).values(), default=None)
    harmed = _totals(incident, "injured", True)
    if harmed:
        # "Seven people were shot, leaving one dead": the dead are among the shot, whether the
        # sentence says so or another does ("He died at the hospital"); but "a man was shot and
        # killed and a woman was shot" counts them apart (the harmed are not more than the dead).
        where, most = harmed.most_common(1)[0]
        dead_here = killed_totals.get(where, 0)
        dead = dead_here if dead_here else (killed or 0)
        alive = most - dead if most > dead or not dead_here else most
        injured = max(injured or 0, max(0, alive))
    return _figure(killed), _figure(injured)


def _killed(incident: Incident, totals: Counter[tuple[Sentence, int]]) -> int | None:
    """The largest total that counts the victims the story leads with: "over two dozen soldiers"
    grows into "34 soldiers and 12 militants", but a later "killed 50 terrorists" (another side's
    claim about other victims) does not replace the lede's "25 civilians"."""
    sides: dict[tuple[Sentence, int], set[str]] = {}
    for sentence, toll, _ in incident.figures:
        if toll.kind == "killed" and not toll.harm and toll.side:
            sides.setdefault((sentence, toll.clause), set()).add(toll.side)
    lede = next((key for key in totals if key[0].in_body and totals[key]), None)
    if lede is None:
        return max(totals.values(), default=None)
    led = sides.get(lede, set())
    return max(value for key, value in totals.items() if not led or led <= sides.get(key, set()))


def _figure(value: int | None) -> Fatalities:
    return Fatalities() if value is None else Fatalities(low=value, best=value, high=value)


def build_events(
    enriched: EnrichedArticle,
    incidents: list[Incident],
    lex: Lexicon,
    countries: frozenset[str] = frozenset(),
) -> list[Event]:
    """Events of an article's incidents; an incident without a place is placed in its country
    when that is one of `countries` (those the story names, not a gazetteer mix-up's)."""
    article = enriched.article
    published = article.published.date()
    cutoff = published - timedelta(days=BACKGROUND_DAYS)
    events = []
    seen: Counter[tuple[date, str | None]] = Counter()
    for incident in (i for i in incidents if i.when.day >= cutoff):
        # The type is read from the sentences that name the incident, not from asides.
        named_it = [s.text for s in incident.sentences if lex.incident.search(s.text)]
        text = " ".join(named_it or [s.text for s in incident.sentences])
        event_type, sub_type = classify(text, incident.mentions)
        actor1, actor2, associated = sides(incident.mentions, event_type, sub_type)
        armed = {m.name for m in incident.mentions if not is_civilian(m)}
        two_sides = len(armed) >= 2 or bool(lex.clash.search(text))
        if event_type == CIVILIANS and (actor2 is None or not actor2.startswith("Civilians")) and two_sides:
            event_type, sub_type = "Battles", "Armed clash"  # no civilian target after all
        elif (event_type, sub_type) == ("Battles", "Armed clash") and not two_sides and incident.figures:
            # ACLED: a battle needs two armed, organised sides. Someone shooting people no armed
            # side fights back for is violence against civilians.
            event_type, sub_type = CIVILIANS, "Attack"
            country = incident.country or "Unknown"
            actor1 = actor1 or lex.side_templates["gunmen"].format(country=country)
            if actor2 is None or actor2 == actor1:
                actor2 = lex.side_templates["civilians"].format(country=country)
        place = incident.place.entity.canonical if incident.place else None
        seen[incident.when.day, place] += 1
        killed, injured = fatalities(incident)
        events.append(
            Event(
                event_id=event_id(
                    article.article_id, incident.when.day, place, seen[incident.when.day, place] - 1
                ),
                date=incident.when.day,
                date_precision=incident.when.precision,
                event_type=event_type,
                sub_type=sub_type,
                actor1=actor1,
                actor2=actor2,
                assoc_actors=associated,
                location=location_of(
                    incident.place, incident.country if incident.country in countries else None
                ),
                fatalities=killed,
                injuries=injured,
                reported_by=incident.reporters,
                article_ids=[article.article_id],
                sources=[s for s in dict.fromkeys((article.agency, article.outlet)) if s],
                evidence=[_evidence(article.article_id, s) for s in incident.sentences],
                figures=[
                    Figure(
                        kind=toll.kind,
                        value=toll.value,
                        side=toll.side,
                        source=source,
                        article_id=article.article_id,
                        sentence=s.text,
                        start=s.start if s.in_body else None,
                        end=s.end if s.in_body else None,
                    )
                    for s, toll, source in incident.figures
                ],
            )
        )
    return events


def _evidence(article_id: str, sentence: Sentence) -> Evidence:
    if sentence.in_body:
        return Evidence(article_id=article_id, sentence=sentence.text, start=sentence.start, end=sentence.end)
    return Evidence(article_id=article_id, sentence=sentence.text)
