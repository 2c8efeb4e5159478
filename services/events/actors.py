"""Who is in a sentence, and on which side: named groups, state forces, civilians.

Names come from the entities stage (canonical names in the lexicon's actor list) and from
the lexicon's own patterns (named armed groups, "Nigerian soldiers", "villagers"), so an
event names its sides the way ACLED does ("Military Forces of Nigeria", "Civilians
(Nigeria)") even for groups the entities stage has no curated entry for.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from schemas.articles import Entity
from services.events.lexicon import Lexicon

NON_STATE = frozenset({"gunmen", "rioters", "protesters"})
_DEMONYM = re.compile(r"(?P<demonym>[A-Z][a-z]+)(?:-backed)?\s+(?:\w+\s+)?$")
_OWN_DEMONYM = re.compile(r"(?P<demonym>[A-Z][a-z]+)s\b")  # "nine Russians"


@dataclass(frozen=True)
class Mention:
    name: str
    start: int  # in the sentence
    end: int
    side: str  # "group", "state", or a side_templates key
    attacker: bool


def article_country(entities: list[Entity], lex: Lexicon) -> str | None:
    """The country an article is mostly about: gazetteer countries, else country names."""
    found = Counter(e.country for e in entities if e.country)
    found.update(lex.countries[e.canonical] for e in entities if e.canonical in lex.countries)
    return found.most_common(1)[0][0] if found else None


def article_group(body: str, entities: list[Entity], lex: Lexicon) -> str | None:
    """The named armed group an article is most about: its "militants" are that group."""
    found = Counter(
        e.canonical for e in entities if e.canonical in lex.actors and not e.canonical.startswith("Military")
    )
    for name, pattern in lex.groups:
        if name not in lex.state_groups:
            found[name] += len(pattern.findall(body))
    found = +found
    return found.most_common(1)[0][0] if found else None


def _is_attacker(sentence: str, start: int, end: int, lex: Lexicon) -> bool:
    return bool(lex.attacker_after.match(sentence[end:]) or lex.attacker_before.search(sentence[:start]))


def _country_before(sentence: str, start: int, lex: Lexicon, default: str | None) -> str | None:
    match = _DEMONYM.search(sentence[max(0, start - 40) : start])
    if match and match.group("demonym") in lex.demonyms:
        return lex.demonyms[match.group("demonym")]
    if match and match.group("demonym") in lex.countries:  # "Syria's army"
        return lex.countries[match.group("demonym")]
    return default


def mentions(
    sentence: str, offset: int, entities: list[Entity], country: str | None, group: str | None, lex: Lexicon
) -> list[Mention]:
    """Actors in a sentence in text order; `offset` is the sentence's start in the body;
    generic "militants" are the article's named `group` when it has one."""
    found: list[Mention] = []
    taken: list[tuple[int, int]] = []

    def add(name: str, start: int, end: int, side: str) -> None:
        if any(s < end and start < e for s, e in taken):
            return
        taken.append((start, end))
        found.append(Mention(name, start, end, side, _is_attacker(sentence, start, end, lex)))

    for entity in entities:
        if entity.canonical in lex.actors and offset <= entity.start < offset + len(sentence):
            side = "state" if entity.canonical.startswith("Military Forces") else "group"
            add(entity.canonical, entity.start - offset, entity.end - offset, side)
    for name, pattern in lex.groups:
        for match in pattern.finditer(sentence):
            add(name, match.start(), match.end(), "state" if name in lex.state_groups else "group")
    for match in _OWN_DEMONYM.finditer(sentence):
        if match.group("demonym") in lex.demonyms:
            template = lex.side_templates["military"]
            add(template.format(country=lex.demonyms[match.group("demonym")]), *match.span(), "state")
    for side, pattern in lex.side_words:
        for match in pattern.finditer(sentence):
            if side == "gunmen" and group is not None:
                add(group, match.start(), match.end(), "group")
                continue
            where = _country_before(sentence, match.start(), lex, country) or "Unknown"
            add(lex.side_templates[side].format(country=where), match.start(), match.end(), side)
    return sorted(found, key=lambda m: m.start)


def is_state(mention: Mention) -> bool:
    return mention.side in ("state", "military", "police")


def is_civilian(mention: Mention) -> bool:
    return mention.side == "civilians"
