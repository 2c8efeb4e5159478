"""Who is in a sentence, and on which side: named groups, state forces, civilians.

Names come from the lexicon's own patterns (named armed groups, "Nigerian soldiers",
"Russian missile", "villagers") and from the entities stage (canonical names in the
lexicon's actor list), so an event names its sides the way ACLED does ("Military Forces
of Nigeria", "Civilians (Nigeria)") even for groups the entities stage has no entry for.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from schemas.articles import Entity
from services.events.lexicon import Lexicon

GENERIC = "gunmen"  # side of "militants", "gunmen": the incident's named group, if any
_DEMONYM = re.compile(r"(?P<demonym>[A-Z][a-z]+|U\.S\.|US)(?:-backed)?\s+(?:\w+\s+)?$")
_ADJECTIVE = re.compile(r"\b(?P<demonym>[A-Z][a-z]+|U\.S\.|US)\b")


@dataclass(frozen=True)
class Mention:
    name: str
    start: int  # in the sentence
    end: int
    side: str  # "group", "state", or a side_templates key
    attacker: bool


def article_country(entities: list[Entity], named: frozenset[str], lex: Lexicon) -> str | None:
    """The country an article is mostly about, among those it `named` if any: the
    countries of its places and the country names it uses."""
    found = Counter(lex.countries.get(e.country, e.country) for e in entities if e.country)
    found.update(lex.countries[e.canonical] for e in entities if e.canonical in lex.countries)
    found = Counter({country: n for country, n in found.items() if country in named}) or found
    return found.most_common(1)[0][0] if found else None


def _country(word: str, lex: Lexicon) -> str | None:
    return lex.demonyms.get(word) or lex.countries.get(word)


def _country_before(sentence: str, start: int, lex: Lexicon, default: str | None) -> str | None:
    match = _DEMONYM.search(sentence[max(0, start - 40) : start])
    return (_country(match.group("demonym"), lex) if match else None) or default


class _Found:
    """Mentions of one sentence, first claim on a span wins."""

    def __init__(self, sentence: str, lex: Lexicon) -> None:
        self.sentence, self.lex = sentence, lex
        self.mentions: list[Mention] = []

    def add(self, name: str, start: int, end: int, side: str, attacker: bool = False) -> None:
        if any(m.start < end and start < m.end for m in self.mentions):
            return
        text, lex = self.sentence, self.lex
        attacker = attacker or bool(
            lex.attacker_after.match(text[end:]) or lex.attacker_before.search(text[:start])
        )
        self.mentions.append(Mention(name, start, end, side, attacker))

    def is_source(self, start: int, end: int) -> bool:
        """ "police said", "according to the army": who reports, not who fights."""
        text = self.sentence
        return bool(self.lex.source_after.match(text[end:]) or self.lex.source_before.search(text[:start]))


def mentions(
    sentence: str, offset: int, entities: list[Entity], country: str | None, lex: Lexicon
) -> list[Mention]:
    """Actors in a sentence in text order; `offset` is the sentence's start in the body."""
    found = _Found(sentence, lex)
    military = lex.side_templates["military"]
    for name, pattern in lex.groups:
        for match in pattern.finditer(sentence):
            found.add(name, match.start(), match.end(), "state" if name in lex.state_groups else "group")
    for entity in entities:
        if entity.canonical in lex.actors and offset <= entity.start < offset + len(sentence):
            start, end = entity.start - offset, entity.end - offset
            if entity.text.lower().removeprefix("the ") in lex.generic_words:  # "jihadists" is no name
                found.add(GENERIC, start, end, GENERIC)
            else:
                found.add(
                    entity.canonical,
                    start,
                    end,
                    "state" if entity.canonical.startswith("Military") else "group",
                )
    for match in _ADJECTIVE.finditer(sentence):
        where = _country(match.group("demonym"), lex)
        weapon = lex.state_weapon.match(sentence[match.end() :])
        if where and weapon:  # "a Russian missile strike": the state fired it
            found.add(
                military.format(country=where), match.start(), match.end() + weapon.end(), "state", True
            )
        elif where and sentence[match.end() : match.end() + 1] == "s":  # "nine Russians"
            found.add(military.format(country=where), match.start(), match.end() + 1, "state")
    for side, pattern in lex.side_words:
        for match in pattern.finditer(sentence):
            if side != GENERIC and found.is_source(match.start(), match.end()):
                continue
            if (
                side in lex.responder_sides
                and not lex.in_the_fight.match(sentence[match.end() :])
                and not lex.fight_before.search(sentence[: match.start()])
            ):
                continue  # "police are investigating", "officers responded": not a side unless they fight
            where = _country_before(sentence, match.start(), lex, country) or "Unknown"
            name = GENERIC if side == GENERIC else lex.side_templates[side].format(country=where)
            found.add(name, match.start(), match.end(), side)
    return sorted(found.mentions, key=lambda m: m.start)


def named(mention: Mention, group: str | None, country: str | None, lex: Lexicon) -> Mention:
    """A generic "militants" mention as the incident's named group, else ACLED's
    unidentified armed group of the incident's country."""
    if mention.side != GENERIC:
        return mention
    name = group or lex.side_templates[GENERIC].format(country=country or "Unknown")
    return Mention(name, mention.start, mention.end, "group" if group else GENERIC, mention.attacker)


def is_state(mention: Mention) -> bool:
    return mention.side in ("state", "military", "police")


def is_civilian(mention: Mention) -> bool:
    return mention.side == "civilians"
