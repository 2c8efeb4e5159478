"""Who fought whom, and who said so: ACLED's actor1 / actor2, and the sources an incident is attributed to."""

from __future__ import annotations

from collections import Counter

from schemas.articles import Entity
from services.events.actors import GENERIC, Mention, is_civilian, is_state, named
from services.events.lexicon import Lexicon


def reporters(text: str, found: list[Mention], entities: list[Entity], lex: Lexicon) -> list[str]:
    """Who the sentence attributes the incident to: named sources, "police said", a claim."""
    names = [e.canonical for e in entities if e.canonical in lex.sources]
    names += [name for name, pattern in lex.source_patterns if pattern.search(text)]
    if lex.claim.search(text):
        claimants = [m.name for m in found if m.attacker and not is_state(m)] or [
            m.name for m in found if m.side in ("group", GENERIC)
        ]
        names += [f"{name} (claim)" for name in claimants[:1]]
    return list(dict.fromkeys(names))


def resolve_generic(
    found: list[Mention], reported: list[str], country: str | None, lex: Lexicon
) -> tuple[list[Mention], list[str], str]:
    """Generic "militants" are the incident's named group (the attacker first), else ACLED's
    unidentified armed group of the incident's country. Returns the mentions and reporters
    with the generic side named, and that name."""
    groups = [m for m in found if m.side == "group"]
    group = next((m.name for m in groups if m.attacker), groups[0].name if groups else None)
    resolved = [named(m, group, country, lex) for m in found]
    generic = named(Mention(GENERIC, 0, 0, GENERIC, False), group, country, lex).name
    claim, claimed = f"{GENERIC} (claim)", f"{generic} (claim)"
    return resolved, list(dict.fromkeys(claimed if r == claim else r for r in reported)), generic


def sides(found: list[Mention], event_type: str, sub_type: str) -> tuple[str | None, str | None, list[str]]:
    """actor1 attacks (demonstrators are actor1 of their own demonstration; a state fires
    an air strike nobody else is said to have fired), actor2 is attacked: a state for a
    non-state attacker and the reverse, else civilians, else another actor; then the
    others by how often they appear."""
    counted = Counter(m.name for m in found)
    order = sorted(counted, key=lambda name: -counted[name])  # stable: ties keep text order
    kinds = {m.name: m for m in found}
    crowd = {"Protests": "protesters", "Riots": "rioters"}.get(event_type)
    if sub_type == "Excessive force against protesters":
        crowd = None
    attackers = (
        [m.name for m in found if m.side == crowd]
        or [m.name for m in found if m.attacker and not is_civilian(m)]
        or [m.name for m in found if sub_type == "Air/drone strike" and is_state(m)]
    )
    first = attackers[0] if attackers else next((n for n in order if not is_civilian(kinds[n])), None)
    if first is None:  # civilians are only ever attacked (ACLED's actor2), even when no one is named
        return None, (order[0] if order else None), order[1:]
    others = [name for name in order if name != first]
    opposed = [
        n for n in others if is_state(kinds[n]) != is_state(kinds[first]) and not is_civilian(kinds[n])
    ]
    civilians = [n for n in others if is_civilian(kinds[n])]
    second = next(iter(opposed or civilians or others), None)
    return first, second, [n for n in others if n != second]
