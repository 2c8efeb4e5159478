"""Tolls from the dependency parse, on sentences written for these tests (one per failure class)."""

from __future__ import annotations

import pytest

from services.events.extract import Extractor, default_extractor
from services.events.extract.tolls import tolls


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return default_extractor()


def read(extractor: Extractor, sentence: str) -> dict[str, int]:
    """Killed and injured in one sentence, as the incident counts them: added up inside one of
    the parser's sentences, the largest of those."""
    clauses: dict[tuple[str, int], int] = {}
    for toll in tolls(extractor.nlp(sentence)[:], [], extractor.lex):
        clauses[toll.kind, toll.clause] = clauses.get((toll.kind, toll.clause), 0) + toll.value
    totals: dict[str, int] = {}
    for (kind, _), value in clauses.items():
        totals[kind] = max(totals.get(kind, 0), value)
    return totals


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        # single victims and the vocabulary of shootings
        ("A courier was shot and killed outside a laundromat late Friday.", {"killed": 1}),
        ("The cashier was pronounced dead at the scene.", {"killed": 1}),
        ("A 15-year-old was shot in the arm while walking home.", {"injured": 1}),
        ("The gunfire left one driver dead and three passers-by wounded.", {"killed": 1, "injured": 3}),
        ("A bartender was fatally stabbed after closing time.", {"killed": 1}),
        ("She and two neighbours were shot on the porch.", {"injured": 3}),
        ("Four people were shot, one fatally, at the bus stop.", {"killed": 1, "injured": 3}),
        ("A lorry driver was shot several times and later died in hospital.", {"killed": 1}),
        ("Two brothers were found dead in the burned-out barn.", {"killed": 2}),
        # a pronoun names the dead again, not another victim
        ("The farmer died on Sunday after a neighbour shot him by mistake.", {"killed": 1}),
        ("A hunter died after he accidentally shot himself in the woods.", {"killed": 1}),
        ("Gunmen shot him twice in the leg.", {"injured": 1}),
        # headline and reduced-clause forms: the victims, not the shooters
        ("7 shot at skating rink", {"injured": 7}),
        ("Seven shot outside skating rink", {"injured": 7}),
        ("Teenage cyclist shot in leg near canal", {"injured": 1}),
        ("A cook fatally shot behind the diner was named by police.", {"killed": 1}),
        ("The ambush left four deputies injured.", {"injured": 4}),
        ("Two robbers shot and wounded a cashier.", {"injured": 1}),
        ("Three gunmen shot at the patrol car.", {}),
        # wounds and stray bullets
        ("A jogger was hit by a stray bullet on the towpath.", {"injured": 1}),
        ("Two brothers suffered gunshot wounds to the arms.", {"injured": 2}),
        ("A driver with a gunshot wound walked into the clinic.", {"injured": 1}),
        ("The bus shelter was struck by gunfire.", {}),
        # sent to hospital; a headline's joined counts
        ("The brawl sent three guests to the hospital.", {"injured": 3}),
        ("The mayor sent officers to the hospital to guard the ward.", {}),
        ("2 killed, 3 hurt in depot blast", {"killed": 2, "injured": 3}),
    ],
)
def test_victims_and_their_number(extractor: Extractor, sentence: str, expected: dict[str, int]) -> None:
    assert read(extractor, sentence) == expected


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        # ages, clock times, addresses, years and money are not counts
        ("Tom Darby, 19, was pronounced dead at 11:42 p.m.", {"killed": 1}),
        ("A 67-year-old was killed in the 4300 block of Oak Lane in 2015.", {"killed": 1}),
        ("A clerk was shot during a $300 robbery.", {"injured": 1}),
        # subsets are not added; separate groups are
        ("The strike killed 84 people, including 21 children.", {"killed": 84}),
        ("The raid killed 27 fighters and nine villagers.", {"killed": 36}),
        ("The bombing killed 40 people, 12 of them students.", {"killed": 40}),
        # killed and injured from their own predicates
        ("A gunman killed three shoppers and wounded eleven others.", {"killed": 3, "injured": 11}),
        ("No one was killed in the blast, though two guards were injured.", {"injured": 2}),
        # number words
        ("Over two dozen recruits were killed in the ambush.", {"killed": 24}),
        ("The death toll rose to seven on Sunday.", {"killed": 7}),
        ("The fire at the depot claimed the lives of 14 workers.", {"killed": 14}),
    ],
)
def test_numbers_are_typed_before_they_count(
    extractor: Extractor, sentence: str, expected: dict[str, int]
) -> None:
    assert read(extractor, sentence) == expected


def test_a_headline_repeated_into_the_lede_is_one_count(extractor: Extractor) -> None:
    text = (
        "Car bomb kills 22 in border town Reuters Monday "
        "At least 22 people were killed when a car bomb exploded"
    )
    assert read(extractor, text) == {"killed": 22}
