"""The extractor's word lists and patterns (data/lexicon.json), loaded once."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from services.events.numbers import NumberTyping

LEXICON_FILE = Path(__file__).parent / "data" / "lexicon.json"


def _words(words: list[str]) -> re.Pattern[str]:
    longest_first = sorted(words, key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(map(re.escape, longest_first)) + r")\b", re.IGNORECASE)


def _any(patterns: list[str]) -> re.Pattern[str]:
    return re.compile("|".join(patterns), re.IGNORECASE)


@dataclass(frozen=True)
class CasualtyGrammar:
    """Lemmas and words the dependency-parse toll reader keys on (lexicon "casualty_grammar")."""

    kill_lemmas: frozenset[str]
    injury_lemmas: frozenset[str]
    harm_lemmas: frozenset[str]  # shot, stabbed: injured unless they died
    intransitive_lemmas: frozenset[str]  # "die": the subject is the victim
    harm_forms: frozenset[str]  # "6 shot at party": a headline's participle the parser reads as a noun
    aimed_preps: frozenset[str]  # "shot at police", "shot into the crowd": the subject is the shooter
    wound_nouns: frozenset[str]  # "suffered a gunshot wound", "a man with gunshot wounds"
    wound_verbs: frozenset[str]
    strike_lemmas: frozenset[str]  # "hit by a stray bullet", "struck by gunfire"
    projectile_nouns: frozenset[str]
    hospital_verbs: frozenset[str]  # "the gunfire sent four people to the hospital"
    hospital_nouns: frozenset[str]
    fatal_modifiers: frozenset[str]  # "fatally shot", "shot dead"
    dead_words: frozenset[str]
    injured_words: frozenset[str]
    death_nouns: frozenset[str]  # "two deaths", "the bodies of three men"
    toll_nouns: frozenset[str]  # "the death toll rose to four"
    life_verbs: frozenset[str]  # "lost their lives", "claimed the lives of"
    not_victims: re.Pattern[str]  # nouns a casualty verb may govern that are not people
    reporter_nouns: frozenset[str]  # "witnesses", "officials": joined to victims only by a misparse
    candidate: re.Pattern[str]  # a sentence worth parsing names one of these


@dataclass(frozen=True)
class Lexicon:
    actors: frozenset[str]
    sources: frozenset[str]
    groups: tuple[tuple[str, re.Pattern[str]], ...]  # case-sensitive: "IS" is not "is"
    state_groups: frozenset[str]
    demonyms: dict[str, str]  # "Syrian" -> "Syria"
    countries: dict[str, str]  # country name or alias -> country
    side_templates: dict[str, str]
    # Sides named only by who they are in a country ("Civilians (Syria)", "Unidentified Armed
    # Group (United States)"): one such side in common does not make two reports one incident.
    anonymous_sides: re.Pattern[str]
    side_words: tuple[tuple[str, re.Pattern[str]], ...]
    generic_words: frozenset[str]  # "militants": a side, not a name
    attacker_after: re.Pattern[str]
    attacker_before: re.Pattern[str]
    state_weapon: re.Pattern[str]
    source_after: re.Pattern[str]
    source_before: re.Pattern[str]
    single_kill: re.Pattern[str]
    attribution: re.Pattern[str]
    separate_incident: re.Pattern[str]
    objects: re.Pattern[str]
    toll_rose: re.Pattern[str]
    not_place_before: re.Pattern[str]
    country_not_place_after: re.Pattern[str]  # "South Africa's military said": a source, not where
    dateline: re.Pattern[str]
    counted_people: re.Pattern[str]
    subject_of_later_verb: re.Pattern[str]
    kill: re.Pattern[str]
    injury: re.Pattern[str]
    incident: re.Pattern[str]
    remote_violence: re.Pattern[str]
    remote_sub_types: tuple[tuple[str, re.Pattern[str]], ...]
    protest: re.Pattern[str]
    protest_intervention: re.Pattern[str]
    riot: re.Pattern[str]
    mob: re.Pattern[str]
    territory: re.Pattern[str]
    abduction: re.Pattern[str]
    sexual_violence: re.Pattern[str]
    clash: re.Pattern[str]
    near_before: re.Pattern[str]
    admin1_around: re.Pattern[str]
    source_patterns: tuple[tuple[str, re.Pattern[str]], ...]
    claim: re.Pattern[str]
    running_total: re.Pattern[str]
    weak_total: re.Pattern[str]
    grammar: CasualtyGrammar
    numbers: NumberTyping
    responder_sides: frozenset[str]  # "police": sources and responders, a side only in the fight
    in_the_fight: re.Pattern[str]  # what must follow such a mention for it to be a side ...
    fight_before: re.Pattern[str]  # ... or come before it ("clashed with police")


def _pairs(items: list[list[str]], flags: int = re.IGNORECASE) -> tuple[tuple[str, re.Pattern[str]], ...]:
    return tuple((name, re.compile(pattern, flags)) for name, pattern in items)


def _build(data: dict[str, Any]) -> Lexicon:
    countries = {name: name for name in data["countries"]}
    countries.update(data["country_aliases"])
    return Lexicon(
        actors=frozenset(data["actors"]),
        sources=frozenset(data["sources"]),
        groups=_pairs([[k, v] for k, v in data["groups"].items()], flags=0),
        state_groups=frozenset(data["state_groups"]),
        demonyms={demonym: country for country, demonym in data["countries"].items()},
        countries=countries,
        side_templates=data["side_templates"],
        anonymous_sides=_anonymous(data["side_templates"], data["anonymous_sides"]),
        side_words=tuple((side, _words(words)) for side, words in data["side_words"].items()),
        generic_words=frozenset(w.lower() for w in [*data["side_words"]["gunmen"], *data["generic_names"]]),
        attacker_after=re.compile(data["attacker_after"], re.IGNORECASE),
        attacker_before=re.compile(data["attacker_before"], re.IGNORECASE),
        state_weapon=re.compile(data["state_weapon"], re.IGNORECASE),
        source_after=re.compile(data["source_after"], re.IGNORECASE),
        source_before=re.compile(data["source_before"], re.IGNORECASE),
        single_kill=re.compile(data["single_kill"], re.IGNORECASE),
        attribution=_words(data["attribution_words"]),
        separate_incident=re.compile(data["separate_incident"]),
        objects=re.compile(data["objects"], re.IGNORECASE),
        toll_rose=re.compile(data["toll_rose"], re.IGNORECASE),
        not_place_before=re.compile(data["not_place_before"], re.IGNORECASE),
        country_not_place_after=re.compile(data["country_not_place_after"], re.IGNORECASE),
        dateline=re.compile(data["dateline"]),
        counted_people=re.compile(data["counted_people"], re.IGNORECASE),
        subject_of_later_verb=re.compile(data["subject_of_later_verb"], re.IGNORECASE),
        kill=_words(data["kill_words"]),
        injury=_words(data["injury_words"]),
        incident=_words(data["incident_words"]),
        remote_violence=_words(data["remote_violence_words"]),
        remote_sub_types=_pairs(data["remote_sub_types"]),
        protest=_words(data["protest_words"]),
        protest_intervention=_words(data["protest_intervention_words"]),
        riot=_words(data["riot_words"]),
        mob=_words(data["mob_words"]),
        territory=_words(data["territory_words"]),
        abduction=_words(data["abduction_words"]),
        sexual_violence=_words(data["sexual_violence_words"]),
        clash=_words(data["clash_words"]),
        near_before=re.compile(data["near_before"], re.IGNORECASE),
        admin1_around=re.compile(data["admin1_around"], re.IGNORECASE),
        source_patterns=_pairs(data["source_patterns"]),
        claim=re.compile(data["claim_words"], re.IGNORECASE),
        running_total=_any(data["running_total_patterns"]),
        weak_total=_any(data["weak_total_patterns"]),
        grammar=_grammar(data["casualty_grammar"]),
        responder_sides=frozenset(data["responder_sides"]),
        in_the_fight=re.compile(data["in_the_fight"], re.IGNORECASE),
        fight_before=re.compile(data["fight_before"], re.IGNORECASE),
        numbers=_numbers(data["numbers"]),
    )


def _anonymous(templates: dict[str, str], sides: list[str]) -> re.Pattern[str]:
    unknown = [side for side in sides if side not in templates]
    if unknown:
        raise ValueError(f"{LEXICON_FILE}: anonymous_sides: not in side_templates: {', '.join(unknown)}")
    shapes = [re.escape(templates[side]).replace(re.escape("{country}"), ".+") for side in sides]
    return re.compile("(?:" + "|".join(shapes) + ")")


def _grammar(data: dict[str, Any]) -> CasualtyGrammar:
    def words(key: str) -> frozenset[str]:
        return frozenset(w.lower() for w in data[key])

    return CasualtyGrammar(
        kill_lemmas=words("kill_lemmas"),
        injury_lemmas=words("injury_lemmas"),
        harm_lemmas=words("harm_lemmas"),
        intransitive_lemmas=words("intransitive_lemmas"),
        harm_forms=words("harm_forms"),
        aimed_preps=words("aimed_preps"),
        wound_nouns=words("wound_nouns"),
        wound_verbs=words("wound_verbs"),
        strike_lemmas=words("strike_lemmas"),
        projectile_nouns=words("projectile_nouns"),
        hospital_verbs=words("hospital_verbs"),
        hospital_nouns=words("hospital_nouns"),
        fatal_modifiers=words("fatal_modifiers"),
        dead_words=words("dead_words"),
        injured_words=words("injured_words"),
        death_nouns=words("death_nouns"),
        toll_nouns=words("toll_nouns"),
        life_verbs=words("life_verbs"),
        not_victims=re.compile(data["not_victims"], re.IGNORECASE),
        reporter_nouns=words("reporter_nouns"),
        candidate=_words(data["candidate_words"]),
    )


def _numbers(data: dict[str, Any]) -> NumberTyping:
    typing = NumberTyping(
        not_people_after=frozenset(w.lower() for w in data["not_people_after"]),
        not_people_before=frozenset(w.lower() for w in data["not_people_before"]),
        months=frozenset(w.lower() for w in data["months"]),
        vague_counts=frozenset(w.lower() for w in data["vague_counts"]),
        determiner_counts={k.lower(): int(v) for k, v in data["determiner_counts"].items()},
        max_digits=int(data["max_digits"]),
        year_from=int(data["year_from"]),
        year_to=int(data["year_to"]),
    )
    if typing.year_from > typing.year_to or typing.max_digits < 1:
        raise ValueError(
            f"{LEXICON_FILE}: numbers: year_from must not exceed year_to, max_digits must be >= 1"
        )
    return typing


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    return _build(json.loads(LEXICON_FILE.read_text(encoding="utf-8")))
