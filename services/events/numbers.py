"""Counts in wire copy: digits and words ("34", "two dozen", "at least nine")."""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.tokens import Token

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
class NumberTyping:
    """What makes a number token something other than a count of people (lexicon "numbers")."""

    not_people_after: frozenset[str]  # "p.m.", "block", "year", "percent", "%"
    not_people_before: frozenset[str]  # "$", "No.", "#"
    months: frozenset[str]  # "sept", "january": "Sept. 23" is a date
    vague_counts: frozenset[str]  # "dozens", "hundreds": a count, but no number
    determiner_counts: dict[str, int]  # "both" -> 2
    max_digits: int  # longer digit strings are identifiers
    year_from: int
    year_to: int


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


MULTIPLIERS = {"dozen": 12, "hundred": 100, "thousand": 1000, "million": 1_000_000}
_DIGITS = re.compile(r"^\d{1,3}(?:,\d{3})+$|^\d+$")


def _token_value(token: Token) -> int | None:
    """The number a single token spells, or None: "34", "1,200", "nine", "twenty-one"."""
    text = token.lower_
    if _DIGITS.match(text):
        return int(text.replace(",", ""))
    parts = re.split(r"-", text)
    if all(p in _UNITS or p in _TENS for p in parts):
        return _word_value(text)
    return None


def _neighbour(token: Token, step: int) -> Token | None:
    """The next (or previous) token that is not a hyphen."""
    i = token.i + step
    doc = token.doc
    while 0 <= i < len(doc) and doc[i].text in ("-", "–"):
        i += step
    return doc[i] if 0 <= i < len(doc) else None


def count_value(token: Token, typing: NumberTyping) -> int | None:
    """How many people a number token counts, or None when it is not a count of people:
    an age ("Smith, 22," or "a 17-year-old"), a clock time ("9:40 p.m."), an address ("the
    1200 block"), a year, a day of the month, money, a percentage, an ordinal, an identifier.
    "two dozen" is 24, "a dozen" 12."""
    lower = token.lower_
    if lower in typing.vague_counts:
        return None
    if lower in MULTIPLIERS:  # "two dozen", "a dozen", "one hundred"
        times = next((_token_value(c) for c in token.children if c.dep_ in ("nummod", "compound")), None)
        return MULTIPLIERS[lower] * (times or 1)
    value = _token_value(token)
    if value is None:
        return None
    digits = lower.replace(",", "")
    after, before = _neighbour(token, 1), _neighbour(token, -1)
    after_text = after.lower_ if after is not None else ""
    before_text = before.lower_ if before is not None else ""
    if (
        token.dep_ == "appos"  # "Smith, 22,"
        or (digits.isdigit() and len(digits) > typing.max_digits)  # a story or record id
        or (digits.isdigit() and "," not in lower and typing.year_from <= value <= typing.year_to)
        or after_text in typing.not_people_after
        or after_text.rstrip(".") in typing.not_people_after
        or before_text in typing.not_people_before
        or before_text.rstrip(".") in typing.months
        or (before_text == "(" and after_text == ")")  # "Smith (22)": an age
    ):
        return None
    if token.i + 1 < len(token.doc) and token.doc[token.i + 1].text in (":", "."):  # "7:53", "9.5"
        nxt = token.doc[token.i + 2] if token.i + 2 < len(token.doc) else None
        if nxt is not None and nxt.text[:1].isdigit():
            return None
    # "two dozen" parsed as "two" with "dozen" hanging on it
    times = next((MULTIPLIERS[c.lower_] for c in token.children if c.lower_ in MULTIPLIERS), 1)
    return value * times
