"""The words of a mention: token texts read once, capitalised name runs, span edges and kind words."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from spacy.attrs import IDX, LENGTH
from spacy.tokens import Doc, Span

from schemas.articles import PlaceType

AGENCIES_FILE = Path(__file__).parents[1] / "data" / "agencies.json"
CITY_WORDS = frozenset({"city", "town", "village"})
ADMIN1_WORDS = frozenset({"province", "governorate", "state", "region", "oblast", "department"})
# A district is mostly named after its main town ("the Kathua district"): that town is a
# closer guess than the centre of the province around it.
DISTRICT_WORDS = frozenset({"district", "township"})
# "the port of X", "the countryside of X"
AREA_WORDS = frozenset({"port", "outskirts", "suburbs", "countryside", "county", "parish", "mayor"})
CONNECTORS = frozenset(
    {"al", "el", "ez", "as", "ar", "ad", "de", "del", "la", "le", "-", "da", "do", "dos", "das"}
)
MAX_TOKENS = 6  # 'PORT - AU - PRINCE'
POSSESSIVES = frozenset({"'s", "\u2019s"})
# "in/near/outside X": the words before a name that make it a place, whatever NER called it.
PLACE_PREPOSITIONS = frozenset({"in", "near", "outside", "around", "across", "into", "nearby"})
# Tokens a span may swallow at its edges: quotes, and headline capitals ("SHOOTING AT MALL").
EDGE_WORDS = frozenset({"AT", "IN", "ON", "OF", "NEAR", "TO", "FROM", "AND", "THE"})
# ... and a heading's title-case preposition ("At Hove : Sussex 363"), never "The" ("The Hague").
LEADING_WORDS = frozenset({"At", "In", "On", "Near", "From"})
FUNCTION_WORDS = PLACE_PREPOSITIONS | {"at", "on", "of", "from", "to", "the", "and", "a", "an", "for", "as"}
DASHES = frozenset({"-", "\u2014", "\u2013", "--"})
QUOTES = frozenset({'"', "'", "\u201c", "\u201d", "\u2018", "\u2019", "``", "''"})


def is_name_token(token_text: str) -> bool:
    return token_text[:1].isupper() and (
        token_text[1:].islower() or token_text.isupper() or "'" in token_text
    )


@dataclass(frozen=True)
class Words:
    """Token texts and offsets, read once: spaCy builds a Token object on every doc[i]."""

    text: str
    words: list[str]
    starts: list[int]
    ends: list[int]

    @classmethod
    def of(cls, doc: Doc) -> Words:
        offsets = doc.to_array([IDX, LENGTH]).tolist()
        starts = [start for start, _ in offsets]
        ends = [start + length for start, length in offsets]
        text = doc.text  # joined anew on every access
        return cls(text, [text[a:b] for a, b in zip(starts, ends, strict=True)], starts, ends)

    def span_text(self, start: int, end: int) -> str:
        return self.text[self.starts[start] : self.ends[end - 1]]


def scan_names(words: Words, taken: list[bool]) -> list[tuple[int, int]]:
    """Capitalised word runs (token ranges, longest first) that no curated entity covers."""
    ranges: list[tuple[int, int]] = []
    names = [is_name_token(w) for w in words.words]
    count = len(names)
    for i in range(count):
        if taken[i] or not names[i]:
            continue
        j = i + 1
        while j < count and j - i < MAX_TOKENS and not taken[j]:
            if not (names[j] or words.words[j].lower() in CONNECTORS):
                break
            j += 1
        while j > i and not names[j - 1]:
            j -= 1
        ranges.extend((i, end) for end in range(j, i, -1))
    return ranges


def _joined(words: Words, i: int, j: int) -> bool:
    """Adjacent tokens with only a space between."""
    return words.text[words.ends[i] : words.starts[j]] == " "


@dataclass(frozen=True)
class AgencyWords:
    heads: frozenset[str]  # "police", "sheriff", "fire"
    qualifiers: frozenset[str]  # "metropolitan": between the place and the head


@lru_cache(maxsize=1)
def agency_words() -> AgencyWords:
    """data/agencies.json, validated: the words that head a local agency's name after its place."""
    raw = json.loads(AGENCIES_FILE.read_text(encoding="utf-8"))
    found: dict[str, frozenset[str]] = {}
    for key in ("heads", "qualifiers"):
        words = raw.get(key) if isinstance(raw, dict) else None
        if not isinstance(words, list) or not words:
            raise ValueError(f"{AGENCIES_FILE.name}: {key!r} must be a non-empty list")
        for word in words:
            if not isinstance(word, str) or not re.fullmatch(r"[a-z]+", word):
                raise ValueError(f"{AGENCIES_FILE.name}: {word!r} is not a lowercase word")
        found[key] = frozenset(words)
    return AgencyWords(found["heads"], found["qualifiers"])


def agency_seat(words: Words, start: int, end: int) -> bool:
    """The name right before a local agency's head word: "X Police Department", "X police said",
    "X County Sheriff's Office", "X Metropolitan Police" are named after the place they serve."""
    table = agency_words()

    def next_is(kind: frozenset[str], at: int) -> bool:
        return at < len(words.words) and words.words[at].lower() in kind and _joined(words, at - 1, at)

    if next_is(table.qualifiers, end):
        end += 1
    return next_is(table.heads, end)


def inside_name(words: Words, start: int, end: int) -> bool:
    """Part of a longer capitalised name: "Davenport" of "Lindsay Davenport", "Rostock" of
    "Hansa Rostock", "Peking" of "Peking Protocol" are not places by themselves; an agency
    named after its place ("X Police Department") is no longer name of this kind."""

    def name(i: int) -> bool:  # "In" of a title-case headline ("Two Shot In Mayadeen") is no name
        return is_name_token(words.words[i]) and words.words[i].lower() not in FUNCTION_WORDS

    def hyphened(i: int, j: int) -> bool:  # "Miami-Dade", "Wilkes-Barre": one name
        glued = words.text[words.ends[i] : words.starts[j]] == ""
        return glued and words.words[j] == "-" and j + 1 < len(words.words) and name(j + 1)

    count = len(words.words)
    before = start > 0 and name(start - 1) and _joined(words, start - 1, start)
    before = before or (
        start > 1 and words.words[start - 1] == "-" and hyphened(start - 2, start - 1) and name(start - 2)
    )
    after = end < count and name(end) and _joined(words, end - 1, end)
    hyphen_after = end + 1 < count and hyphened(end - 1, end)
    return before or hyphen_after or (after and not agency_seat(words, start, end))


def own_name(span: Span) -> Span:
    """'Mexico's' is Mexico: as a longer spelling it would be a fuzzy match for another place."""
    return span[:-1] if len(span) > 1 and span[-1].lower_ in POSSESSIVES else span


def strip_kind(span: Span) -> tuple[Span, PlaceType | None]:
    """'the Euphrates River' -> 'Euphrates River'; 'Homs province' -> 'Homs' as admin1;
    'Kathua district' -> 'Kathua' of no particular kind."""
    kind: PlaceType | None = None
    span = own_name(span)
    if span[0].lower_ == "the" and len(span) > 1:
        span = span[1:]
    if len(span) > 1 and span[-1].lower_ in CITY_WORDS | ADMIN1_WORDS | DISTRICT_WORDS:
        kind = (
            "admin1" if span[-1].lower_ in ADMIN1_WORDS else "city" if span[-1].lower_ in CITY_WORDS else None
        )
        span = span[:-1]
    doc = span.doc
    if kind is None and span.end < len(doc) and doc[span.end].lower_ in ADMIN1_WORDS:
        kind = "admin1"
    if kind is None and span.start >= 2 and doc[span.start - 1].lower_ == "of":
        kind = "admin1" if doc[span.start - 2].lower_ in ADMIN1_WORDS else None
    return span, kind


def trim(span: Span) -> Span | None:
    """Without the quotes and headline capitals a span swallowed at its edges ("AT MALL")."""
    start, end = span.start, span.end
    doc = span.doc
    edge = QUOTES | EDGE_WORDS | DASHES
    while start < end and (doc[start].text in edge | LEADING_WORDS or doc[start].is_punct):
        start += 1
    while end > start and (doc[end - 1].text in edge or doc[end - 1].is_punct):
        end -= 1
    return doc[start:end] if end > start else None
