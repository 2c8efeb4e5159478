"""What an article says about where it is set, collected before any place is resolved.

Evidence is read from the text, not guessed from candidates: countries named (names and
demonyms), states and provinces named in full or abbreviated ("Fla.", "Ont.", "Kansas City,
MO"), and the qualifier right after a place name ("Richmond, Ind.", "Quincy, Washington",
"Burke County, Georgia"). Resolution then prefers a candidate inside a named state and asks a
foreign homonym for evidence of its country (places/).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from services.entities.geonames.folding import fold
from services.entities.geonames.index import GeoIndex
from services.entities.lexical import is_common

ABBREVIATIONS_FILE = Path(__file__).parent / "data" / "admin1_abbreviations.json"
QUALIFIER_WORDS = 4  # "Newfoundland and Labrador"
_NAME_RUN = re.compile(r"[A-Z][\w.'\u2019-]*(?:\s+(?:and\s+)?[A-Z][\w.'\u2019-]*){0,3}")
_COMMA_BEFORE = re.compile(r"\s*,\s*$")
_SENTENCE_END = re.compile(r"\.(?=\s|[A-Z][a-z])")  # "Delaware. The", scraped "Delaware.The"

Admin1 = tuple[str, str]  # (country code, GeoNames admin1 code)


@dataclass(frozen=True)
class Abbreviations:
    styled: dict[str, Admin1]  # "Fla." -> ("US", "FL"): read anywhere
    postal: dict[str, Admin1]  # "FL" -> ("US", "FL"): only after "Town, "
    pattern: re.Pattern[str]  # the styled forms, longest first
    postal_pattern: re.Pattern[str]


@lru_cache(maxsize=1)
def abbreviations() -> Abbreviations:
    """data/admin1_abbreviations.json, validated: every code must name a GeoNames admin1 form."""
    raw = json.loads(ABBREVIATIONS_FILE.read_text(encoding="utf-8"))
    styled: dict[str, Admin1] = {}
    postal: dict[str, Admin1] = {}
    for country, forms in raw.items():
        if country.startswith("_"):
            continue
        if not re.fullmatch(r"[A-Z]{2}", country) or set(forms) != {"styled", "postal"}:
            raise ValueError(f"{ABBREVIATIONS_FILE.name}: {country!r} needs styled and postal forms")
        postal_forms = forms["postal"]
        if isinstance(postal_forms, list):  # the US postal codes are GeoNames' admin1 codes
            postal_forms = {code: code for code in postal_forms}
        for target, table in ((styled, forms["styled"]), (postal, postal_forms)):
            for form, code in table.items():
                if not isinstance(code, str) or not code or form in target:
                    raise ValueError(f"{ABBREVIATIONS_FILE.name}: bad or repeated form {form!r}")
                target[form] = (country, code)
    longest_first = sorted(styled, key=len, reverse=True)
    pattern = re.compile(r"(?<![\w.])(" + "|".join(map(re.escape, longest_first)) + r")(?![\w-])")
    codes = "|".join(sorted(postal, key=len, reverse=True))
    postal_pattern = re.compile(r"(?<=[A-Za-z.]),\s+(" + codes + r")(?![\w-])")
    return Abbreviations(styled, postal, pattern, postal_pattern)


@lru_cache(maxsize=1)
def federal_countries() -> frozenset[str]:
    """Countries whose towns are told by state or province: those with abbreviations."""
    return frozenset(country for country, _ in abbreviations().styled.values())


@dataclass(frozen=True)
class Mention:
    """An abbreviated state or province: a place mention of its own."""

    start: int
    end: int
    admin1: Admin1


@dataclass
class Evidence:
    countries: Counter[str] = field(default_factory=Counter)  # named countries, states' countries
    admin1s: set[Admin1] = field(default_factory=set)  # states and provinces named
    abbreviated: list[Mention] = field(default_factory=list)
    # character offset where a mention ends -> the state or country named right after it
    qualifiers: dict[int, tuple[str, str | None]] = field(default_factory=dict)
    # character offset where a written-out qualifier starts -> the state or country it is
    qualifying: dict[int, tuple[str, str | None]] = field(default_factory=dict)

    def qualifier(self, end: int) -> tuple[str, str | None] | None:
        return self.qualifiers.get(end)


def _admin1_or_country(name: str, index: GeoIndex) -> tuple[str, str | None] | None:
    """The state, province or country a name is, preferring a state ("Georgia" after a town
    is the US state more often than the country, and either way it says which). States only
    of the countries that qualify towns by state: elsewhere "Town, X" is rarely a province."""
    found = [index.places[i] for i in index.by_fold.get(fold(name), ())]
    for place in found:
        if place.place_type == "admin1" and place.admin1_code and place.country_code in federal_countries():
            return place.country_code, place.admin1_code
    for place in found:
        if place.place_type == "country":
            return place.country_code, None
    return None


def collect(text: str, index: GeoIndex, country_counts: Counter[str]) -> Evidence:
    """Evidence from the whole text; `country_counts` are the countries named by name or demonym."""
    evidence = Evidence(countries=Counter(country_counts))
    table = abbreviations()
    for match in table.pattern.finditer(text):
        form = match.group(1)
        # "Man.", "Miss.", "Mass." are words too: those only after "Town, ".
        if is_common([form.rstrip(".")]) and not _COMMA_BEFORE.search(text, 0, match.start(1)):
            continue
        evidence.abbreviated.append(Mention(match.start(1), match.end(1), table.styled[form]))
    for match in table.postal_pattern.finditer(text):  # "Kansas City, MO"
        evidence.abbreviated.append(Mention(match.start(1), match.end(1), table.postal[match.group(1)]))
    for mention in evidence.abbreviated:
        evidence.admin1s.add(mention.admin1)
        before = _COMMA_BEFORE.search(text, 0, mention.start)
        if before is not None:
            evidence.qualifiers[before.start()] = mention.admin1
    # "Town, State" / "Town, Country" written out
    for comma in re.finditer(r"(?<=\w),\s+", text):
        run = _NAME_RUN.match(text, comma.end())
        if run is None:
            continue
        # A full stop ends the run: "X, Delaware. A neighbour said" is qualified by Delaware.
        name = _SENTENCE_END.split(run.group(), maxsplit=1)[0].rstrip(".,")
        # The whole run must be the state or country: "South" of "South Africa's" is neither,
        # and a possessive ("Goma, South Africa's army") qualifies nothing.
        if len(name.split()) > QUALIFIER_WORDS or name.endswith(("'s", "\u2019s")):
            continue
        found = _admin1_or_country(name, index)
        if found is not None:
            evidence.qualifiers.setdefault(comma.start(), found)
            evidence.qualifying.setdefault(run.start(), found)
    for country, code in evidence.qualifiers.values():
        if code is not None:
            evidence.admin1s.add((country, code))
    for country, _ in evidence.admin1s:
        evidence.countries[country] += 1
    return evidence


def named_admin1s(index: GeoIndex, names: list[str]) -> set[Admin1]:
    """States and provinces written out anywhere ("in Ohio"), among the place names NER found.

    Only in the countries whose towns are told by state (those with abbreviations): elsewhere a
    province is mostly named after its capital ("Berlin", "Homs"), which says nothing more."""
    federal = federal_countries()
    found: set[Admin1] = set()
    for name in names:
        for i in index.by_fold.get(fold(name), ()):
            place = index.places[i]
            if place.place_type == "admin1" and place.admin1_code and place.country_code in federal:
                found.add((place.country_code, place.admin1_code))
    return found
