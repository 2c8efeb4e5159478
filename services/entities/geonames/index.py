"""The GeoNames index: every place, and every folded name and skeleton that leads to it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from schemas.articles import PlaceType
from services.entities.geonames.folding import fold, skeleton


class Place(NamedTuple):
    geonames_id: int | None
    name: str  # canonical: the curated wire spelling, else GeoNames' ASCII name
    label: str  # spaCy label to give mentions: GPE, LOC or FAC
    place_type: PlaceType
    country_code: str
    admin1_code: str | None
    lat: float
    lon: float
    population: int
    curated: bool = False  # named in data/places.json: trusted even when small


@dataclass
class GeoIndex:
    places: list[Place]
    by_fold: dict[str, list[int]]  # folded name -> places
    by_skeleton: dict[str, list[str]]  # skeleton -> folded names
    countries: dict[str, str]  # ISO code -> country name
    admin1_names: dict[tuple[str, str], str]
    admin1_centres: dict[tuple[str, str], tuple[float, float]]
    country_place: dict[str, int] = field(default_factory=dict)  # ISO code -> its place
    demonyms: dict[str, str] = field(default_factory=dict)  # "Syrian" -> "SY"
    neighbours: dict[str, frozenset[str]] = field(default_factory=dict)  # ISO code -> bordering codes

    def add_name(self, index: int, name: str) -> None:
        key = fold(name)
        if len(key) < 2:
            return
        places = self.by_fold.get(key)
        if places is None:
            self.by_fold[key] = [index]
            self.by_skeleton.setdefault(skeleton(key), []).append(key)
        elif index not in places:
            places.append(index)

    def admin1_name(self, place: Place) -> str | None:
        if place.admin1_code is None:
            return None
        return self.admin1_names.get((place.country_code, place.admin1_code))
