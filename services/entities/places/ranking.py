"""Candidate places for a name (folded spelling, consonant skeleton) and their ranking against
the story's geography: its countries, named states, nearby towns, then population."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from schemas.articles import PlaceType
from services.common.geo import haversine_km
from services.entities.evidence import Admin1
from services.entities.geonames.folding import fold, skeleton
from services.entities.geonames.index import GeoIndex, Place
from services.entities.outlet import outlet_names

MIN_SIMILARITY = 0.75
EXACT_CHALLENGE = 0.9
NEAR_KM = 300.0


@dataclass(frozen=True)
class RankWeights:
    """How a candidate place is scored against the article's evidence (higher wins)."""

    country_share: float = 3.0  # share of the story's country mentions that name its country
    similarity: float = 2.0  # spelling similarity, 0.75-1
    exact_spelling: float = 1.5
    population_per_decade: float = 0.25  # per power of ten inhabitants
    country_kind: float = 1.0  # countries are named far more often than their namesake towns
    city_kind: float = 0.6  # a city beats its province
    near_town: float = 1.0  # within NEAR_KM of the story's other towns
    near_admin1: float = 0.5  # a province's centre is a rough point
    primary_name: float = 0.5  # called by its own name, not an alternate: a tie-break
    kind_match: float = 1.0  # "Homs province": a province outranks a namesake town
    # inside a state or province the story names ("Jacksonville" + "Florida"): worth three
    # decades of population, so a bare "Denver" stays the big one when another state is named
    named_admin1: float = 0.75


WEIGHTS = RankWeights()


class Gazetteer:
    """The index plus a memo of candidate lookups (wire copy repeats the same names)."""

    def __init__(self, index: GeoIndex, weights: RankWeights = WEIGHTS) -> None:
        self.index = index
        self.weights = weights
        self._memo: dict[str, tuple[tuple[int, float], ...]] = {}
        self.outlet_names = outlet_names(index)  # what a host name may say (outlet.py)
        self.admin1_places: dict[Admin1, Place] = {
            (p.country_code, p.admin1_code): p
            for p in index.places
            if p.place_type == "admin1" and p.admin1_code is not None
        }

    def candidates(self, key: str) -> tuple[tuple[int, float], ...]:
        """(place, spelling similarity) for a folded mention; exact folds score 1."""
        if key not in self._memo:
            if len(self._memo) > 100_000:
                self._memo.clear()
            found: dict[int, float] = dict.fromkeys(self.index.by_fold.get(key, ()), 1.0)
            if len(key) >= 4:
                for other in self.index.by_skeleton.get(skeleton(key), ()):
                    matcher = SequenceMatcher(None, key, other)
                    # The cheap upper bounds first: most skeleton mates are far off.
                    if matcher.real_quick_ratio() < MIN_SIMILARITY or matcher.quick_ratio() < MIN_SIMILARITY:
                        continue
                    similarity = matcher.ratio()
                    if similarity >= MIN_SIMILARITY:
                        for place in self.index.by_fold[other]:
                            found[place] = max(found.get(place, 0.0), similarity)
            self._memo[key] = tuple(found.items())
        return self._memo[key]

    def best(
        self,
        text: str,
        context: Counter[str],
        anchors: Sequence[tuple[float, float]] = (),
        kind: PlaceType | None = None,
        admin1s: frozenset[Admin1] | set[Admin1] = frozenset(),
        qualifier: tuple[str, str | None] | None = None,
    ) -> tuple[Place, float] | None:
        key = fold(text)
        options = self.candidates(key)
        if any(similarity == 1.0 for _, similarity in options):
            # An exact spelling is only challenged by a near-identical one ("Maadan"/"Ma'dan").
            options = tuple(o for o in options if o[1] >= EXACT_CHALLENGE)
        places = self.index.places
        if qualifier is not None:
            # "Richmond, Ind.": only a Richmond in Indiana, when there is one.
            country, admin1 = qualifier
            in_country = tuple(o for o in options if places[o[0]].country_code == country)
            inside = tuple(o for o in in_country if admin1 is None or places[o[0]].admin1_code == admin1)
            options = inside or in_country or options
        if not options:
            return None
        w = self.weights

        def score(option: tuple[int, float]) -> float:
            place = places[option[0]]
            named = w.named_admin1 if (place.country_code, place.admin1_code or "") in admin1s else 0.0
            return _score(place, option[1], context, anchors, w) + _name_bonus(place, key, kind, w) + named

        place_id, similarity = max(options, key=score)
        return places[place_id], similarity


def _name_bonus(place: Place, key: str, kind: PlaceType | None, w: RankWeights = WEIGHTS) -> float:
    """A place called by its own name beats one that merely lists it among old or foreign
    names ("Islamabad", once a name of Chittagong; "Mexico", also Mexico City); "Rostov
    region" is the province, not a town of that name."""
    own = w.primary_name if fold(place.name) == key else 0.0
    return own + (w.kind_match if kind is not None and kind == place.place_type else 0.0)


def _near(place: Place, anchors: Sequence[tuple[float, float]]) -> bool:
    return any(haversine_km(place.lat, place.lon, lat, lon) <= NEAR_KM for lat, lon in anchors)


def _score(
    place: Place,
    similarity: float,
    context: Counter[str],
    anchors: Sequence[tuple[float, float]] = (),
    w: RankWeights = WEIGHTS,
) -> float:
    top = max(context.values(), default=0)
    share = context[place.country_code] / top if top else 0.0
    kind_bonus = {"country": w.country_kind, "city": w.city_kind}.get(place.place_type, 0.0)
    exact_bonus = w.exact_spelling if similarity == 1.0 else 0.0
    size = w.population_per_decade * math.log10(place.population + 1)
    # Places a story names together lie together: Pokrovsk near Dnipro, not the one near Saratov.
    near = {"city": w.near_town, "site": w.near_town, "admin2": w.near_town, "admin1": w.near_admin1}
    near_bonus = near.get(place.place_type, 0.0) if _near(place, anchors) else 0.0
    return w.country_share * share + w.similarity * similarity + exact_bonus + size + kind_bonus + near_bonus
