"""Cross-article assembly: reports of one incident from several articles become one event.

Every report of an incident meets in one place because the stream is keyed by `region_of`
(country + admin1): two agencies writing "near Mayadeen" and "in Deir ez-Zor province"
name the same governorate. Inside a region, a report joins an earlier event when the
dates are at most a day apart, the places agree (same town, or one is only the
governorate) and the sides do not contradict each other. The merged event keeps the id
of the first report, so ids are deterministic for a given order of the region's partition.
"""

from __future__ import annotations

from datetime import timedelta

from schemas.events import Event, Fatalities, Location
from schemas.precision import TOWN_LEVEL, finer
from services.common.geo import haversine_km

DATE_TOLERANCE = timedelta(days=1)
SAME_PLACE_KM = 25.0
KEEP_DAYS = 14  # how long an event stays matchable, counted back from the newest in its region
GENERIC = frozenset({None, "Armed clash"})  # sub-types a thin report defaults to
# Agencies differ on whether an attack was a clash, a shelling or a massacre; they do not
# confuse political violence with demonstrations.
VIOLENCE = frozenset({"Battles", "Explosions/Remote violence", "Violence against civilians"})


def region_of(event: Event) -> str:
    """The key every report of one incident shares: country and governorate."""
    where = event.location
    if where is None:
        return "unknown"
    return f"{where.country or where.name}|{where.admin1 or where.name}"


def _km(a: Location, b: Location) -> float | None:
    if a.lat is None or a.lon is None or b.lat is None or b.lon is None:
        return None
    return haversine_km(a.lat, a.lon, b.lat, b.lon)


def same_place(a: Location | None, b: Location | None) -> bool:
    """Two towns must be the same town (or within SAME_PLACE_KM); a governorate-level
    report matches any town in that governorate. Reports without a place cannot be told
    apart from any other incident that day, so they stay on their own."""
    if a is None or b is None:
        return False
    if a.name == b.name:
        return True
    if a.precision in TOWN_LEVEL and b.precision in TOWN_LEVEL:
        distance = _km(a, b)
        return distance is not None and distance <= SAME_PLACE_KM
    return a.admin1 is not None and a.admin1 == b.admin1


def _actors(event: Event) -> set[str]:
    return {a for a in (event.actor1, event.actor2, *event.assoc_actors) if a}


def already_merged(new: Event, known: Event) -> bool:
    """A replayed report: every sentence it was read from is already in `known`."""
    seen = {(e.article_id, e.start, e.sentence) for e in known.evidence}
    return all((e.article_id, e.start, e.sentence) in seen for e in new.evidence)


def matches(new: Event, known: Event) -> bool:
    if set(new.article_ids) & set(known.article_ids):
        # One article's incidents were already told apart by the extractor.
        return already_merged(new, known)
    if abs(new.date - known.date) > DATE_TOLERANCE:
        return False
    if not same_place(new.location, known.location):
        return False
    same_type = new.event_type == known.event_type or (
        {new.event_type, known.event_type} <= VIOLENCE and bool({new.sub_type, known.sub_type} & GENERIC)
    )
    sides_new, sides_known = _actors(new), _actors(known)
    return same_type and (not sides_new or not sides_known or bool(sides_new & sides_known))


def best_match(new: Event, known: list[Event]) -> Event | None:
    """The closest earlier event this report is about, if any."""
    candidates = [k for k in known if matches(new, k)]
    if not candidates:
        return None
    return min(candidates, key=lambda k: (abs(new.date - k.date), -len(_actors(new) & _actors(k))))


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


def assemble(new: Event, known: list[Event]) -> tuple[Event, list[Event]]:
    """The event to publish for a new report, and the region's recent events afterwards."""
    target = best_match(new, known)
    result = new if target is None else merge(target, new)
    kept = [k for k in known if k.event_id != result.event_id] + [result]
    newest = max(k.date for k in kept)
    return result, [k for k in kept if newest - k.date <= timedelta(days=KEEP_DAYS)]
