"""Counts in wire copy: digits and words ("34", "two dozen", "at least nine")."""

from __future__ import annotations

import re
from dataclasses import dataclass

_UNITS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
_TENS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
_WORD = "|".join(sorted([*_UNITS, *_TENS], key=len, reverse=True))
NUMBER = re.compile(
    rf"\b(?:(?P<value>\d[\d,]*|(?:{_WORD})(?:[\s-](?:{_WORD}))?)\b\s*|a\s+(?=dozen))"
    rf"(?P<dozen>dozen\b)?",
    re.IGNORECASE,
)
# A count of people is not followed by a unit, and is not a year or a day of the month.
_NOT_PEOPLE = re.compile(
    r"^\s*-?\s*(?:kilomet|km|mile|square|per\s*cent|percent|%|year|month|week|day|hour|minute|"
    r"mission|sq\b)",
    re.IGNORECASE,
)
_NO = re.compile(r"\bno\s*$", re.IGNORECASE)
_MONTH_BEFORE = re.compile(r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Count:
    value: int
    start: int
    end: int


def _word_value(text: str) -> int:
    total = 0
    for part in re.split(r"[\s-]+", text.lower()):
        total += _UNITS.get(part, 0) + _TENS.get(part, 0)
    return total


def counts(sentence: str) -> list[Count]:
    """Counts of people in a sentence, in order; units, years and dates are skipped."""
    found: list[Count] = []
    for match in NUMBER.finditer(sentence):
        value_text, dozen = match.group("value"), match.group("dozen")
        if not value_text and not dozen:
            continue
        if value_text is None:
            value = 1
        elif value_text[0].isdigit():
            value = int(value_text.replace(",", ""))
        else:
            value = _word_value(value_text)
        if dozen:
            value *= 12
        elif (
            value_text
            and value_text[0].isdigit()
            and (_MONTH_BEFORE.search(sentence[: match.start()]) or 1900 <= value <= 2100)
        ):
            continue
        rest = sentence[match.end() :]
        if (
            _NOT_PEOPLE.match(rest)
            or (value == 1 and rest.startswith("of "))
            or _NO.search(sentence[: match.start()])
        ):
            continue  # "30 kilometres", "15-year insurgency", "one of the last towns", "no one"
        found.append(Count(value, match.start(), match.end()))
    return found
