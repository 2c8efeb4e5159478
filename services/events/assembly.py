"""Cross-article assembly: reports of one incident from several articles become one event.

Every report of an incident meets in one place because the stream is keyed by `region_of`
(country + admin1; a report without a resolved place keys by its article's country): two
agencies writing "near Mayadeen" and "in Deir ez-Zor province" name the same governorate.
Inside a region, two reports are of one incident (ACLED's rule) when their dates are at most a
day apart, their places agree (same town, or one is only the governorate) and their sides do not
contradict each other (an unnamed side agrees with any). An event is a connected group of
matching reports, so the same reports in any order make the same events: a report that matches
two events joins them, and the one folded into the other is retired (a tombstone on the
compacted topic). The event is built from its reports in one canonical order; it keeps the id of
the group that was there first, so a stream that only ever adds a report never changes ids.
The same `assemble` runs in the stream (one region's table entry) and offline (every region).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from enum import Enum

from schemas.events import Event, Fatalities, Location
from schemas.precision import TOWN_LEVEL, finer, rank
from services.common.geo import haversine_km
from services.events.dates import UNDATED_REACH
from services.events.lexicon import lexicon

DATE_TOLERANCE = timedelta(days=1)
SAME_PLACE_KM = 25.0
COUNTY_KM = 40.0  # how far from a county's point a town of that county may lie
TOLL_SPREAD = 2  # two reports of one incident: the higher toll at most twice the lower ...
TOLL_SLACK = 2  # ... plus this many (one dead and three dead can be one shooting)
KEEP_DAYS = 14  # how long an event stays matchable, counted back from the newest in its region
GENERIC = frozenset({None, "Armed clash"})  # sub-types a thin report defaults to
# Agencies differ on whether an attack was a clash, a shelling or a massacre; they do not
# confuse political violence with demonstrations.
VIOLENCE = frozenset({"Battles", "Explosions/Remote violence", "Violence against civilians"})


def region_of(event: Event) -> str:
    """The key every report of one incident shares: country and governorate (a report placed
    only in its country keys by the country, never by one key shared by the whole world)."""
    where = event.location
    if where is None:
        return "unknown"
    return f"{where.country or where.name}|{where.admin1 or where.name}"


@dataclass
class Group:
    """One incident: the event published for it and the reports it was built from."""

    event: Event
    reports: list[Event] = field(default_factory=list)


@dataclass(frozen=True)
class Assembled:
    event: Event  # to publish
    retired: list[str]  # ids of events folded into it: tombstones on the compacted topic
    groups: list[Group]  # the region's groups afterwards


def dump_groups(groups: list[Group]) -> str:
    """A region's groups as stored in the stream's table: each its reports, then its event."""
    return json.dumps(
        [[r.model_dump(mode="json") for r in g.reports] + [g.event.model_dump(mode="json")] for g in groups]
    )


def load_groups(text: str | None) -> list[Group]:
    groups = []
    for stored in json.loads(text or "[]"):
        *reports, event = (Event.model_validate(e) for e in stored)
        groups.append(Group(event, reports))
    return groups


def _km(a: Location, b: Location) -> float | None:
    if a.lat is None or a.lon is None or b.lat is None or b.lon is None:
        return None
    return haversine_km(a.lat, a.lon, b.lat, b.lon)


class Where(Enum):
    SAME = "same"  # one place: the same name
    NEAR = "near"  # two towns within SAME_PLACE_KM: a city and its neighbourhood, or two suburbs
    WITHIN = "within"  # a coarser place that holds the finer one, as far as a report can tell
    APART = "apart"


def place_relation(a: Location | None, b: Location | None) -> Where:
    """Two towns must be the same town (or within SAME_PLACE_KM); a governorate holds any town
    of its own, a county (admin2) a town within COUNTY_KM of its point; two different counties
    or governorates are apart. Reports without a place, or placed only in a country, cannot be
    told apart from any other incident that day, so they stay on their own."""
    if a is None or b is None or "country" in (a.precision, b.precision):
        return Where.APART  # a whole country is no place to tell two incidents of one day apart
    if a.name == b.name:
        return Where.SAME
    coarse, fine = sorted((a, b), key=lambda where: rank(where.precision))
    if fine.precision not in TOWN_LEVEL:
        return Where.APART  # two counties, two governorates, a county and another state's county
    distance = _km(a, b)
    if coarse.precision in TOWN_LEVEL:
        return Where.NEAR if distance is not None and distance <= SAME_PLACE_KM else Where.APART
    if coarse.admin1 is None or coarse.admin1 != fine.admin1:
        return Where.APART
    if coarse.precision == "admin2" and (distance is None or distance > COUNTY_KM):
        return Where.APART
    return Where.WITHIN


def _same_name(a: Location | None, b: Location | None) -> bool:
    return a is not None and b is not None and a.name == b.name


def _same_tolls(a: Event, b: Event) -> bool:
    return (a.fatalities.best, a.injuries.best) == (b.fatalities.best, b.injuries.best)


def _alike(a: Event, b: Event) -> bool:
    return _same_name(a.location, b.location) and _same_tolls(a, b)


def same_place(a: Location | None, b: Location | None) -> bool:
    return place_relation(a, b) is not Where.APART


def _actors(event: Event) -> set[str]:
    return {a for a in (event.actor1, event.actor2, *event.assoc_actors) if a}


def _named_actors(event: Event) -> set[str]:
    """The sides with a name of their own (not "Civilians (Syria)")."""
    anonymous = lexicon().anonymous_sides
    return {a for a in _actors(event) if not anonymous.fullmatch(a)}


def already_merged(new: Event, known: Event) -> bool:
    """A replayed report: every sentence it was read from is already in `known`."""
    seen = {(e.article_id, e.start, e.sentence) for e in known.evidence}
    return all((e.article_id, e.start, e.sentence) in seen for e in new.evidence)


def _sides_agree(a: Event, b: Event) -> bool:
    """No contradiction between the sides: a side one report leaves unnamed agrees with any,
    and a named side agrees when the other report names it in any role."""
    actors_a, actors_b = _actors(a), _actors(b)
    for role_a, role_b in ((a.actor1, b.actor1), (a.actor2, b.actor2)):
        if role_a and role_b and role_a != role_b and role_a not in actors_b and role_b not in actors_a:
            return False
    return True


def _dates_agree(a: Event, b: Event) -> bool:
    return abs(a.date - b.date) <= DATE_TOLERANCE


def _undated_before(a: Event, b: Event) -> bool:
    """One report states no day (it is dated by its publication week) and the other's day is in
    the week before that publication: the same incident if the rest agrees closely."""
    undated, dated = (a, b) if a.date_precision == "week" else (b, a)
    return (
        undated.date_precision == "week"
        and dated.date_precision == "day"
        and timedelta(0) <= undated.date - dated.date <= UNDATED_REACH + DATE_TOLERANCE
    )


def _tolls_agree(a: Event, b: Event) -> bool:
    """Reports of one incident differ on the toll, but not by more than TOLL_SPREAD times (plus
    TOLL_SLACK); a report without a toll agrees with any."""
    x, y = a.fatalities.best, b.fatalities.best
    if x is None or y is None:
        return True
    low, high = sorted((x, y))
    return high <= TOLL_SPREAD * low + TOLL_SLACK


def matches(new: Event, known: Event) -> bool:
    """Two reports of one incident: symmetric, so groups do not depend on arrival order. A town
    and its governorate only match when both reports name a side in common (ACLED matches on the
    location or its admin2; a governorate-wide report is too vague to join on place alone)."""
    if set(new.article_ids) & set(known.article_ids):
        # One article's incidents were already told apart by the extractor.
        return already_merged(new, known) or already_merged(known, new)
    close = _dates_agree(new, known)
    if not (close or _undated_before(new, known)):
        return False
    where = place_relation(new.location, known.location)
    if where is Where.APART or (not close and not _alike(new, known)):
        return False  # a report without its day joins only a report of the very same place and toll
    same_type = new.event_type == known.event_type or {new.event_type, known.event_type} <= VIOLENCE
    if not (same_type and _sides_agree(new, known) and _tolls_agree(new, known)):
        return False
    # "Civilians (United States)" in common says nothing: every shooting in the state has them;
    # nor does a nearby town in a city of many shootings a day, unless the tolls are the same.
    if where is Where.SAME or (where is Where.NEAR and _same_tolls(new, known)):
        return True
    return bool(_named_actors(new) & _named_actors(known))


def _lowest(values: list[int | None]) -> int | None:
    return min((v for v in values if v is not None), default=None)


def _highest(values: list[int | None]) -> int | None:
    return max((v for v in values if v is not None), default=None)


def _range(a: Fatalities, b: Fatalities) -> Fatalities:
    """UCDP: low is the lowest report, high the highest; best follows the highest best,
    because a later report usually raises a toll rather than corrects it downwards."""
    return Fatalities(
        low=_lowest([a.low, b.low]), best=_highest([a.best, b.best]), high=_highest([a.high, b.high])
    )


def _union(a: list[str], b: list[str]) -> list[str]:
    return list(dict.fromkeys([*a, *b]))


def _finer(a: Location | None, b: Location | None) -> Location | None:
    if a is None or b is None:
        return a or b
    return b if finer(a.precision, b.precision) else a


def merge(known: Event, new: Event) -> Event:
    """`known` with `new`'s report added; a report already merged changes nothing, so a
    replay after a crash does not raise the version."""
    if already_merged(new, known):
        return known
    day_first = known.date_precision == "day" or new.date_precision != "day"
    sides = [a for a in (known.actor1, known.actor2, new.actor1, new.actor2) if a]
    actor1, actor2 = (
        known.actor1 or new.actor1,
        known.actor2 or next((a for a in sides if a != (known.actor1 or new.actor1)), None),
    )
    return known.model_copy(
        update={
            "date": known.date if day_first else new.date,
            "date_precision": known.date_precision if day_first else new.date_precision,
            "sub_type": known.sub_type if known.sub_type not in GENERIC else new.sub_type or known.sub_type,
            "actor1": actor1,
            "actor2": actor2,
            "assoc_actors": [
                a
                for a in _union(known.assoc_actors, [*sides, *new.assoc_actors])
                if a not in (actor1, actor2)
            ],
            "location": _finer(known.location, new.location),
            "fatalities": _range(known.fatalities, new.fatalities),
            "injuries": _range(known.injuries, new.injuries),
            "reported_by": _union(known.reported_by, new.reported_by),
            "article_ids": _union(known.article_ids, new.article_ids),
            "sources": _union(known.sources, new.sources),
            "evidence": [*known.evidence, *new.evidence],
            "figures": [*known.figures, *new.figures],
            "version": known.version + 1,
        }
    )


def _canonical(reports: list[Event]) -> list[Event]:
    """Reports in an order that does not depend on arrival: day-precise first, then by date and id."""
    return sorted(reports, key=lambda r: (r.date_precision != "day", r.date, r.event_id))


def _middle(values: list[int | None]) -> int | None:
    known = sorted(v for v in values if v is not None)
    return known[len(known) // 2] if known else None  # of two, the higher: tolls rise as reports come in


def _built(reports: list[Event], event_id: str) -> Event:
    """The group's event: the reports folded in canonical order, dated on the day most reports
    give, with the middle report's toll as the best estimate (UCDP: low and high are the extremes;
    one outlying report, or a chain of similar ones, does not move the best)."""
    ordered = _canonical(reports)
    event = ordered[0]
    for report in ordered[1:]:
        event = merge(event, report)
    days = Counter(r.date for r in ordered if r.date_precision == "day")
    update: dict[str, object] = {"event_id": event_id, "version": len(reports)}
    if days:
        update["date"] = max(days, key=lambda d: (days[d], -d.toordinal()))
    for name in ("fatalities", "injuries"):
        tally: Fatalities = getattr(event, name)
        update[name] = tally.model_copy(update={"best": _middle([getattr(r, name).best for r in ordered])})
    return event.model_copy(update=update)


def assemble(new: Event, groups: list[Group], keep_days: int | None = KEEP_DAYS) -> Assembled:
    """The event to publish for a new report, the events it retired, and the region's groups
    afterwards. A replayed report changes nothing. `keep_days` forgets groups that many days
    older than the region's newest (the stream's memory); offline keeps everything, so any
    order of the same reports gives the same groups."""
    for group in groups:
        if any(r.event_id == new.event_id or already_merged(new, r) for r in group.reports):
            return Assembled(group.event, [], groups)
    joined = [g for g in groups if any(matches(new, r) for r in g.reports)]
    retired: list[str] = []
    if not joined:
        group = Group(new.model_copy(update={"version": 1}), [new])
        kept = [*groups, group]
    else:
        reports = [r for g in joined for r in g.reports] + [new]
        group = Group(_built(reports, joined[0].event.event_id), reports)
        retired = [g.event.event_id for g in joined[1:]]
        kept = [g for g in groups if all(g is not j for j in joined)] + [group]
    if keep_days is not None:
        newest = max(g.event.date for g in kept)
        kept = [g for g in kept if g is group or newest - g.event.date <= timedelta(days=keep_days)]
    return Assembled(group.event, retired, kept)


class Assembler:
    """Every region's groups in one process (offline mode): the stream's `assemble`, keyed
    the stream's way, with nothing forgotten."""

    def __init__(self) -> None:
        self.regions: dict[str, list[Group]] = {}

    def add(self, report: Event) -> Assembled:
        region = region_of(report)
        assembled = assemble(report, self.regions.get(region, []), keep_days=None)
        self.regions[region] = assembled.groups
        return assembled


def assemble_all(reports: list[Event]) -> list[Event]:
    """What the compacted wire.events holds after these reports arrive in this order."""
    assembler, latest = Assembler(), {}
    for report in reports:
        assembled = assembler.add(report)
        latest[assembled.event.event_id] = assembled.event
        for retired in assembled.retired:
            latest.pop(retired, None)
    return list(latest.values())
