"""ACLED event type and sub-type of an incident, from its sentences and its sides."""

from __future__ import annotations

from services.events.actors import Mention, is_civilian, is_state
from services.events.lexicon import lexicon

BATTLES = "Battles"
REMOTE = "Explosions/Remote violence"
CIVILIANS = "Violence against civilians"
PROTESTS = "Protests"
RIOTS = "Riots"


def classify(text: str, found: list[Mention]) -> tuple[str, str]:
    """Rules in ACLED's order of precedence: demonstrations, remote violence, attacks on
    civilians (armed attackers, civilian victims, no fight between armed sides), then
    battles (territory changing hands, else an armed clash)."""
    lex = lexicon()
    if any(m.side == "rioters" for m in found) or lex.riot.search(text):
        return RIOTS, "Mob violence" if lex.mob.search(text) else "Violent demonstration"
    if any(m.side == "protesters" for m in found) or lex.protest.search(text):
        if lex.kill.search(text) and any(is_state(m) for m in found):
            return PROTESTS, "Excessive force against protesters"
        if lex.protest_intervention.search(text):
            return PROTESTS, "Protest with intervention"
        return PROTESTS, "Peaceful protest"
    if lex.remote_violence.search(text):
        sub = next((name for name, pattern in lex.remote_sub_types if pattern.search(text)), None)
        return REMOTE, sub or "Remote explosive/landmine/IED"
    armed = [m for m in found if not is_civilian(m)]
    both_sides = any(is_state(m) for m in armed) and any(not is_state(m) for m in armed)
    if armed and any(is_civilian(m) for m in found) and not both_sides and not lex.clash.search(text):
        if lex.abduction.search(text):
            return CIVILIANS, "Abduction/forced disappearance"
        if lex.sexual_violence.search(text):
            return CIVILIANS, "Sexual violence"
        return CIVILIANS, "Attack"
    if lex.territory.search(text):
        regains = bool(armed) and is_state(next((m for m in armed if m.attacker), armed[0]))
        return BATTLES, "Government regains territory" if regains else "Non-state actor overtakes territory"
    return BATTLES, "Armed clash"
