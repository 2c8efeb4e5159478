"""Sentences into incidents: a small state machine over an article's sentences.

Each sentence is read as one of

- TOTAL: a running total ("brings to 300 the number killed since 2011"): context, never an incident;
- READING: casualties with a count, or an incident word with its own date: joins the incident of the
  same date in a compatible place, else opens a new one;
- MENTION: names an incident or its attribution but counts nothing: while the machine is FOLLOWING a
  reading (at most FOLLOW_UP sentences later) it adds who and where to that incident; otherwise an
  incident word is held as a LEAD_IN for the reading that comes next ("The group said it had seized
  the town. On Friday, 12 soldiers were killed ...");
- OTHER: nothing to do with an incident.

A reading without its own date inherits the date of the last incident in the article, or of the last
dated context, or the publication date (precision "week").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum

from schemas.articles import Entity
from services.events.actors import Mention, mentions
from services.events.dates import IncidentDate, incident_date
from services.events.extract.places import Place, compatible, country_name, more_specific, place_in
from services.events.extract.sentences import Sentence, with_attribution
from services.events.extract.sides import reporters
from services.events.extract.tolls import Toll
from services.events.lexicon import Lexicon

FOLLOW_UP = 2  # sentences after a reading that may still describe its incident


class State(Enum):
    IDLE = "idle"  # no incident open
    FOLLOWING = "following"  # just after a reading: mentions add to its incident
    LEAD_IN = "lead_in"  # an incident named without date or toll, waiting for its reading


@dataclass
class Incident:
    when: IncidentDate
    place: Place | None
    country: str | None = None
    sentences: list[Sentence] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    figures: list[tuple[Sentence, Toll, str | None]] = field(default_factory=list)
    reporters: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ArticleContext:
    """What every sentence of one article is read against."""

    entities: list[Entity]
    published_day: IncidentDate  # the publication date, precision "week"
    countries: frozenset[str]  # where an incident of this article may be placed
    country: str | None  # the country the article is mostly about


TollReader = Callable[[Sentence, list[Mention]], list[Toll]]


@dataclass
class Grouper:
    lex: Lexicon
    article: ArticleContext
    read_tolls: TollReader
    sentences: list[Sentence]
    state: State = State.IDLE
    incidents: list[Incident] = field(default_factory=list)
    context: IncidentDate | None = None  # a dated sentence that was not itself an incident
    last_reading: int = -FOLLOW_UP - 1
    lead_in: tuple[int, list[Mention], Place | None] | None = None

    def run(self) -> list[Incident]:
        for index in range(len(self.sentences)):
            self.step(index)
        return self.incidents

    def date_of(self, index: int) -> IncidentDate | None:
        text = self.sentences[index].text
        # "GOMA, June 7 (Reuters) -": the dateline's date is the filing day, not the incident's.
        dateline = self.lex.dateline.match(text) if index == 0 else None
        return incident_date(text[dateline.end() :] if dateline else text, self.article.published_day.day)

    def step(self, index: int) -> None:
        lex, sentence = self.lex, self.sentences[index]
        text = sentence.text
        if self.state is State.FOLLOWING and index - self.last_reading > FOLLOW_UP:
            self.state = State.IDLE
        incident_word = lex.incident.search(text)
        own_date = self.date_of(index)
        # "has killed 80 since Thursday" is this week's offensive; "has killed 80" alone a tally.
        dated = own_date is not None and own_date.precision == "day"
        if lex.running_total.search(text) or (lex.weak_total.search(text) and not (incident_word or dated)):
            self.context = own_date or self.context
            return
        anchors = [
            m
            for m in (
                lex.kill.search(text),
                lex.injury.search(text),
                lex.grammar.candidate.search(text),
                incident_word,
            )
            if m
        ]
        about_it = incident_word or lex.attribution.search(text)
        if not anchors and not about_it:
            return
        start = min(m.start() for m in anchors) if anchors else 0
        place = place_in(sentence, self.article.entities, start, self.article.countries, lex)
        country = (
            country_name(place.entity.country, lex)
            if place and place.entity.country
            else self.article.country
        )
        found = (
            mentions(text, sentence.start, self.article.entities, country, lex) if sentence.in_body else []
        )
        tolls = self.read_tolls(sentence, found) if anchors else []
        if tolls or (incident_word and own_date):
            self._reading(index, own_date, place, country, found, tolls)
            return
        # A sentence about the casualties or the incident ("The shooting happened Monday.") dates it.
        day = own_date if dated and anchors else None
        if (
            day is not None
            and not self.incidents
            and (self.context is None or self.context.precision != "day")
        ):
            # "Two teens are recovering after they were shot Saturday night.": the lede's day,
            # for a reading that follows without its own ("... two boys were shot after ...").
            self.context = day
        self._mention(index, day, bool(incident_word), bool(about_it), place, found)

    def _mention(
        self,
        index: int,
        day: IncidentDate | None,
        incident_word: bool,
        about_it: bool,
        place: Place | None,
        found: list[Mention],
    ) -> None:
        sentence = self.sentences[index]
        separate = bool(self.lex.separate_incident.search(sentence.text))
        if day is not None and not separate and self._undated_just_before(day, place):
            # "Two guards were shot." then "The shooting happened about 8 p.m. Monday.": its day.
            self.incidents[-1].when = day
        if (
            self.state is State.FOLLOWING
            and about_it
            and not separate
            and compatible(self.incidents[-1].place, place)
        ):
            # "Gunmen stormed three villages": who did it, told after the toll; "the gunfight near
            # the town of Guihulngan": where, told after the province.
            last = self.incidents[-1]
            last.place = more_specific(last.place, place)
            last.sentences.append(sentence)
            last.mentions += found
            last.reporters += reporters(with_attribution(self.sentences, index), found, [], self.lex)
        elif incident_word and self.state is not State.FOLLOWING:
            self.lead_in = (index, found, place)
            self.state = State.LEAD_IN

    def _undated_just_before(self, when: IncidentDate, place: Place | None) -> bool:
        if self.state is not State.FOLLOWING or not self.incidents:
            return False
        last = self.incidents[-1]
        return last.when.precision != "day" and last.when.same_time(when) and compatible(last.place, place)

    def _reading(
        self,
        index: int,
        own_date: IncidentDate | None,
        place: Place | None,
        country: str | None,
        found: list[Mention],
        tolls: list[Toll],
    ) -> None:
        lex, sentence = self.lex, self.sentences[index]
        # "Separately, ..." is another incident, told in the same time frame.
        separate = bool(lex.separate_incident.search(sentence.text))
        when = own_date or (
            self.incidents[-1].when if self.incidents else self.context or self.article.published_day
        )
        target = (
            None
            if separate
            else next(
                (i for i in self.incidents if i.when.overlaps(when) and compatible(i.place, place)), None
            )
        )
        if target is None and not separate and not tolls and self._undated_just_before(when, place):
            # "Two guards were shot." then "The shooting happened Wednesday.": the incident just
            # told, dated; not a second incident with nothing counted.
            target = self.incidents[-1]
        if target is None:
            target = Incident(when=when, place=place, country=country)
            self.incidents.append(target)
            lead_in = self.lead_in if self.state is State.LEAD_IN else None
            if lead_in is not None and lead_in[0] == index - 1 and compatible(place, lead_in[2]):
                # "The Arakan Army said it had seized the town": the sentence before the date.
                target.mentions += lead_in[1]
                target.place = more_specific(lead_in[2], place)
        self.state, self.last_reading, self.lead_in = State.FOLLOWING, index, None
        if when.precision == "day" and target.when.precision != "day":
            # A day beats a week; "fighting on Friday and Saturday" keeps the incident's own day.
            target.when = when
        target.place = more_specific(target.place, place)
        target.sentences.append(sentence)
        target.mentions += found
        in_sentence = [e for e in self.article.entities if sentence.start <= e.start < sentence.end]
        said = reporters(with_attribution(self.sentences, index), found, in_sentence, lex)
        target.reporters += [r for r in said if r not in target.reporters]
        source = next((r for r in said if not r.endswith("(claim)")), said[0] if said else None)
        target.figures += [(sentence, toll, source) for toll in tolls]
