"""Curated canonical names of people and organisations (data/aliases.json), loaded once, and the
home of the curated places file (data/places.json) the GeoNames index and the demonym list read."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

ALIASES_FILE = Path(__file__).parent / "data" / "aliases.json"
PLACES_FILE = Path(__file__).parent / "data" / "places.json"


@dataclass(frozen=True)
class KnownEntity:
    canonical: str
    label: str
    aliases: tuple[str, ...]


@lru_cache(maxsize=1)
def known_entities() -> tuple[KnownEntity, ...]:
    entries = json.loads(ALIASES_FILE.read_text(encoding="utf-8"))["entries"]
    return tuple(KnownEntity(**{**e, "aliases": tuple(e["aliases"])}) for e in entries)


@lru_cache(maxsize=1)
def alias_index() -> dict[str, KnownEntity]:
    """Alias (case-sensitive) to entry; canonical names are aliases of themselves."""
    index: dict[str, KnownEntity] = {}
    for entry in known_entities():
        for alias in (entry.canonical, *entry.aliases):
            index.setdefault(alias, entry)
    return index


@lru_cache(maxsize=1)
def demonyms() -> frozenset[str]:
    """'Syrian', 'Ukrainians' ...: nationality words, never places (data/places.json)."""
    places = json.loads(PLACES_FILE.read_text(encoding="utf-8"))
    return frozenset(word for words in places["demonyms"].values() for word in words)
