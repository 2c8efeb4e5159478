"""What the outlet's address says about where its stories are set.

Local news sites carry their city or state in their host name ("<state>online.com",
"<network><city>.com"), and a country-code domain names its country. Both are read with the
gazetteer itself (states and provinces of the countries told by state, and their big cities),
never from a table of outlets.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from services.entities.evidence import Admin1, federal_countries
from services.entities.geonames.folding import fold
from services.entities.geonames.index import GeoIndex

# A city's name in a host says where the outlet is only for a city this big: small towns'
# names hide inside ordinary host words.
OUTLET_CITY_POPULATION = 100_000
MIN_STATE_LETTERS = 4  # "ohio", "utah"
MIN_CITY_LETTERS = 5  # "tulsa", "miami"
# Country codes sold as generic domains say nothing about the outlet's country.
GENERIC_TLDS = frozenset({"tv", "co", "io", "me", "fm", "am", "ly", "cc", "ws", "to", "ai", "gg", "la", "nu"})
TLD_COUNTRIES = {"uk": "GB"}  # the one ccTLD that is not its ISO code
# Hosts that serve every site under the reader's country domain (Blogger): no outlet country.
READER_COUNTRY_HOSTS = frozenset({"blogspot"})
DOMINANCE = 10  # a host's city must be this many times bigger than any namesake elsewhere


@dataclass(frozen=True)
class OutletHints:
    admin1: Admin1 | None = None  # the state or province the host names
    country: str | None = None  # the country its domain names


@dataclass(frozen=True)
class OutletNames:
    states: dict[str, Admin1]  # folded state or province name -> itself
    cities: dict[str, Admin1]  # folded big city name -> its state


def outlet_names(index: GeoIndex) -> OutletNames:
    """Folded names a host may carry -> the state they place the outlet in: every state or
    province of the countries told by state, and their cities of 100,000 people with no
    namesake a tenth their size elsewhere ("lancaster" and
    "springfield" say nothing; a city's state wins over a state of the same name)."""
    federal = federal_countries()
    states: dict[str, Admin1] = {}
    namesakes: dict[str, list[tuple[int, str, str]]] = defaultdict(list)
    for place in index.places:
        key = fold(place.name)
        if place.place_type == "admin1" and place.country_code in federal and place.admin1_code:
            if len(key) >= MIN_STATE_LETTERS:
                states.setdefault(key, (place.country_code, place.admin1_code))
        elif place.place_type == "city" and len(key) >= MIN_CITY_LETTERS:
            namesakes[key].append((place.population, place.country_code, place.admin1_code or ""))
    cities: dict[str, Admin1] = {}
    for key, found in namesakes.items():
        found.sort(reverse=True)
        population, country, admin1 = found[0]
        if population < OUTLET_CITY_POPULATION or country not in federal:
            continue
        rivals = [p for p, c, a in found[1:] if (c, a) != (country, admin1)]
        if not rivals or rivals[0] * DOMINANCE <= population:
            cities[key] = (country, admin1)
    return OutletNames({k: v for k, v in states.items() if k not in cities}, cities)


def host_of(address: str) -> str:
    """The host of an outlet or a URL, inside an archive's wrapper ("web.archive.org/web/<time>/
    http://<host>/..."): lowercase, without port and "www."."""
    host = address.rsplit("://", 1)[-1].split("/", 1)[0].split(":", 1)[0].lower()
    return host.removeprefix("www.")


def outlet_hints(address: str | None, names: OutletNames, index: GeoIndex) -> OutletHints:
    """The state the longest place name inside the host's labels names, and the ccTLD's country."""
    if not address:
        return OutletHints()
    labels = host_of(address).split(".")
    tld = labels[-1] if len(labels) > 1 else ""
    code = TLD_COUNTRIES.get(tld, tld.upper())
    country = code if len(tld) == 2 and tld not in GENERIC_TLDS and code in index.countries else None
    if READER_COUNTRY_HOSTS.intersection(labels):
        country = None
    best: tuple[int, Admin1 | None] = (0, None)
    for label in labels[:-1]:
        # A state anywhere in a label ("northwest<state>news"), a city at either end
        # ("<network><city>", "<city>tribune"): inside a word a city is mostly a fragment.
        for key, admin1 in names.states.items():
            if len(key) > best[0] and key in label:
                best = (len(key), admin1)
        for key, admin1 in names.cities.items():
            if len(key) > best[0] and (label.startswith(key) or label.endswith(key)):
                best = (len(key), admin1)
    return OutletHints(best[1], country)
