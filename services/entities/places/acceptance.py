"""Whether a name the gazetteer knows is a place at all: ordinary words, people's and
organisations' names, and towns abroad each need their own evidence."""

from __future__ import annotations

from collections import Counter

from spacy.tokens import Span

from services.entities.evidence import Evidence
from services.entities.geonames.index import Place
from services.entities.lexical import is_common
from services.entities.places.syntax import after_place_word, is_dateline, place_syntax, starts_sentence
from services.entities.places.words import CONNECTORS

SMALL_PLACE = 1000  # below this, a bare gazetteer hit needs the curated list or NER to vouch for it
# Outside the story's countries, a name NER labelled mid-sentence is a place only for a city this big.
LABELLED_FOREIGN_CITY = 100_000
# A town outside every country the story names is kept only when it is this big and NER saw a
# place there ("Berlin" in a story from Connecticut is Berlin, Connecticut; "Kherson" stays).
FOREIGN_TOWN_POPULATION = 250_000
COUNTRY_NAMED_TIMES = 1  # a country name NER called a person ("Mali") is the country
# ... and this big when its name is an ordinary word ("Metro", "South", "North Park").
FOREIGN_COMMON_WORD_POPULATION = 1_000_000


def accept_scanned(
    place: Place,
    similarity: float,
    span: Span,
    context: Counter[str],
    labelled: bool,
    evidence: Evidence,
    seat: bool = False,
) -> bool:
    """A gazetteer hit NER did not call a place: only when the story's geography backs it, or
    the sentence, or the local agency it names (`seat`: "X Police Department")."""
    if span.text in CONNECTORS or (len(span) == 1 and span[0].is_stop):
        return False
    # "Thursday", "June", "Metro", "Minister", "Canadian": ordinary words need place syntax.
    # Not a country's name: "Kenya" or "Nigeria" is frequent because countries are named often,
    # and no ordinary word is spelt like one.
    ordinary = place.place_type != "country" and is_common([t.text for t in span])
    if ordinary and not (seat or place_syntax(span, evidence)):
        return False
    in_context = context[place.country_code] > 0
    if place.curated or place.place_type == "country":
        return similarity == 1.0 or in_context
    if after_place_word(span):
        return similarity == 1.0 or in_context
    # GeoNames keeps a seat of local government of unknown size (population 0) however small:
    # "Mallam Fatori", "Musa Khel Bazar" are worth a story set in their country.
    unknown_seat = place.population == 0 and in_context
    if seat and similarity == 1.0 and place.place_type == "admin2":
        return True  # "X County Sheriff's Office": counties have no population in the index
    if similarity < 1.0 or (place.population < SMALL_PLACE and not unknown_seat):
        return False
    if is_dateline(span) or in_context:
        return True
    if (seat or place_syntax(span, evidence)) and place.population >= SMALL_PLACE:
        return True  # "near Enerhodar": the sentence says place, the gazetteer says which
    # Out of the story's countries only a big city NER saw as a name, mid-sentence: a lone
    # capitalised word ("Reading the statement", "Mobile networks") is no evidence.
    return place.population >= LABELLED_FOREIGN_CITY and labelled and not starts_sentence(span)


def evidenced(
    place: Place,
    span: Span,
    evidence: Evidence,
    others: Counter[str],
    labelled: bool,
    neighbours: frozenset[str] = frozenset(),
) -> bool:
    """A place outside every country the story names needs evidence of its own: a country
    is its own evidence; a town must be one NER saw as a place, and big, or agree with
    another place of the story ("Rueso" with "Narathiwat")."""
    if place.place_type == "country" or not evidence.countries or evidence.countries[place.country_code]:
        return True
    if not place.country_code:  # seas and regions across borders
        return True
    if labelled and any(evidence.countries[n] for n in neighbours):
        return True  # across a border the story names ("near Myawaddy", in a story from Thailand)
    common = len(span) == 1 and is_common([span[0].text])  # "New Orleans" is two common words
    big = place.population >= (FOREIGN_COMMON_WORD_POPULATION if common else FOREIGN_TOWN_POPULATION)
    # A place of the same country elsewhere in the story vouches for it ("Mogok" with "Mandalay").
    return (labelled and big) or (others[place.country_code] > 0 and not common)


def outweighs_name(place: Place, similarity: float, rare: bool, context: Counter[str], label: str) -> bool:
    """Without place syntax a person or an organisation stays one, unless the story's geography
    says otherwise: a rare word that is exactly a town of a country the story is about
    ("Mayadeen" read as a surname), or a country the story names more than once ("Mali")."""
    if similarity < 1.0:
        return False
    if place.place_type == "country":
        return context[place.country_code] >= COUNTRY_NAMED_TIMES
    # Organisations have rare names of their own ("Xinhua"): only a person's gives way.
    return label == "PERSON" and rare and context[place.country_code] > 0
