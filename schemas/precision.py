"""One vocabulary for how precisely a place is known, and one ranking of it.

Entities (a resolved mention), events (an incident's location) and the indexer (the `precision`
keyword Kibana facets on) all use these words, from finest to coarsest:

- `town`: a populated place or a site, at its point ("in Mayadeen").
- `near`: around a named town ("near Mayadeen", "30 km west of Maadan"): the town's point, flagged.
- `admin2`: a county, district or parish ("Burke County").
- `admin1`: a state, province or governorate ("Homs province", "Ohio").
- `region`: a named area that is no administrative unit ("the Gaza Strip", "the Sahel").
- `country`: only the country is known.
- `unknown`: a place name without a point.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Literal

from pydantic import BeforeValidator

PRECISIONS = ("town", "near", "admin2", "admin1", "region", "country", "unknown")
# Words of schema version 1 before this vocabulary; read as their new names so stored messages still load.
LEGACY_NAMES: Mapping[str, str] = {"exact": "town"}


def _from_legacy(value: object) -> object:
    return LEGACY_NAMES.get(value, value) if isinstance(value, str) else value


PlacePrecision = Annotated[
    Literal["town", "near", "admin2", "admin1", "region", "country", "unknown"],
    BeforeValidator(_from_legacy),
]

# Higher is finer. "near X" names the town X as surely as "in X" does, so the two share a rank:
# a finer reading is only ever preferred for a smaller area, never for dropping "near".
PRECISION_RANK: Mapping[str, int] = {
    "town": 6,
    "near": 6,
    "admin2": 4,
    "admin1": 3,
    "region": 2,
    "country": 1,
    "unknown": 0,
}
TOWN_LEVEL = frozenset({"town", "near"})


def rank(precision: str | None) -> int:
    """The precision's rank (None, a place without a precision, ranks as unknown)."""
    return PRECISION_RANK[precision or "unknown"]


def finer(a: str | None, b: str | None) -> bool:
    """True when `b` locates more precisely than `a` (ties are not finer)."""
    return rank(b) > rank(a)
