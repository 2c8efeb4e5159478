"""Where the sentence itself says a name is a place: "in X", "X province", "X, <state>", a dateline."""

from __future__ import annotations

from spacy.tokens import Span

from services.entities.evidence import Evidence
from services.entities.places.words import (
    ADMIN1_WORDS,
    AREA_WORDS,
    CITY_WORDS,
    DASHES,
    DISTRICT_WORDS,
    PLACE_PREPOSITIONS,
    is_name_token,
)

SENTENCE_ENDS = frozenset({".", "!", "?", ":", ";", '"', "\u201c", "\u201d", "-", "\u2014"})
ATTACK_WORDS = frozenset(
    {"attack", "attacks", "assault", "offensive", "raid", "strike", "strikes", "advance"}
)
ROUTE_WORDS = frozenset({"road", "highway", "route", "flights", "flight", "way", "border"})


def is_dateline(span: Span) -> bool:
    """'BAMAKO (Reuters) -', 'ODESA, Ukraine (AP) -', 'Beirut (AFP) -': the first words of a
    story. 'Bailey, who won' opens a paragraph too: a comma counts only after capitals, and a
    dash only when spaced ('Blue-chip stocks' is no dateline)."""
    doc = span.doc
    if not (span.start == 0 or doc[span.start - 1].is_space) or span.end >= len(doc):
        return False
    last, following = doc[span.end - 1], doc[span.end].text
    if following == "(":
        return True
    if following in DASHES:
        return bool(last.whitespace_)
    return following == "," and span.text.isupper()


def after_place_word(span: Span) -> bool:
    """'the town of Macomia', 'the province of Homs', 'the port of Hodeidah'."""
    doc = span.doc
    return (
        span.start >= 2
        and doc[span.start - 1].lower_ == "of"
        and doc[span.start - 2].lower_ in CITY_WORDS | ADMIN1_WORDS | DISTRICT_WORDS | AREA_WORDS
    )


def place_syntax(span: Span, evidence: Evidence) -> bool:
    """The sentence itself says the name is a place: "in/near/outside X", "X province",
    "X, <state or country>", "X in <place>", "the road to X", a dateline, "the town of X"."""
    doc = span.doc
    before = doc[span.start - 1].lower_ if span.start else ""
    if span.start >= 2 and before == "the" and doc[span.start - 2].lower_ in PLACE_PREPOSITIONS:
        before = doc[span.start - 2].lower_
    after = doc[span.end].lower_ if span.end < len(doc) else ""
    # "the road to X", "flights to X"
    routed = span.start >= 2 and (
        (before == "to" and doc[span.start - 2].lower_ in ROUTE_WORDS)
        or (before == "on" and doc[span.start - 2].lower_ in ATTACK_WORDS)  # "an attack on X"
    )
    # "El Fasher in North Darfur": a place inside a named place
    inside = after == "in" and span.end + 1 < len(doc) and is_name_token(doc[span.end + 1].text)
    return (
        routed
        or inside
        or before in PLACE_PREPOSITIONS
        or after in ADMIN1_WORDS | CITY_WORDS | DISTRICT_WORDS  # "Guerrero state", "Homs province"
        or evidence.qualifier(span.end_char) is not None
        or is_dateline(span)
        or after_place_word(span)
    )


def starts_sentence(span: Span) -> bool:
    """The pipeline runs without a parser, so look at the previous token ourselves."""
    before = span.doc[span.start - 1] if span.start else None
    return before is None or before.is_space or before.text in SENTENCE_ENDS
