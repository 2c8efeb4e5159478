"""Finding place mentions: NER's own GPE/LOC/FAC spans, and a scan of capitalised word runs
against the index, so "Deir Ezzor" tagged PERSON or "Mayadeen" tagged DATE is still a place."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from spacy.tokens import Doc, Span

from schemas.articles import PlaceType
from services.entities.evidence import Evidence, federal_countries
from services.entities.geonames.folding import fold
from services.entities.geonames.index import GeoIndex, Place
from services.entities.lexical import is_common, is_rare
from services.entities.places.acceptance import accept_scanned, outweighs_name
from services.entities.places.ranking import Gazetteer
from services.entities.places.syntax import is_dateline, place_syntax
from services.entities.places.words import (
    Words,
    agency_seat,
    agency_words,
    inside_name,
    is_name_token,
    own_name,
    scan_names,
    strip_kind,
    trim,
)

PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
# Labels a gazetteer hit may replace when the whole span is a known place in the story's country.
REPLACEABLE = frozenset({"PERSON", "ORG", "NORP"})
# Labels the small model hands out to place names by mistake ("Macomia in" WORK_OF_ART).
NUMERIC_LABELS = frozenset({"DATE", "TIME", "CARDINAL", "ORDINAL", "QUANTITY", "PERCENT", "MONEY"})
SOFT_LABELS = NUMERIC_LABELS | {"PRODUCT", "WORK_OF_ART", "EVENT", "LAW", "LANGUAGE"}
DATE_LABELS = frozenset({"DATE", "TIME"})
# An ordinary word NER called a place is a town without place syntax only when the town is this
# big ("Buffalo", "Mobile"); small namesakes ("Street", "Police", "North Park") are the word.
ORDINARY_WORD_TOWN = 100_000
# Words before a town's name that make a part of it ("South Los Angeles", "Downtown Dallas").
AREA_PREFIXES = frozenset(
    {
        "north",
        "south",
        "east",
        "west",
        "northeast",
        "northwest",
        "southeast",
        "southwest",
        "downtown",
        "midtown",
    }
)
MIN_VOTING_NAMES = 2  # a story's country is voted by at least this many of its place names
Found = tuple[Span, Place, float, PlaceType | None]  # mention, first choice, similarity, kind


def country_context(words: Words, index: GeoIndex) -> Counter[str]:
    """How often each country is named in the story, directly or by demonym."""
    context: Counter[str] = Counter(index.demonyms[w] for w in words.words if w in index.demonyms)
    # Country names whatever NER made of them ("Mali" is a PERSON to the small model).
    for start, end in scan_names(words, [False] * len(words.words)):
        for place_id in index.by_fold.get(fold(words.span_text(start, end)), ()):
            if index.places[place_id].place_type == "country":
                context[index.places[place_id].country_code] += 1
    return context


def ner_places(
    ents: Sequence[Span],
    words: Words,
    gazetteer: Gazetteer,
    context: Counter[str],
    taken: list[bool],
    evidence: Evidence,
) -> list[Found]:
    """NER's own place mentions, resolved; a fuzzy spelling only within the story's countries,
    an ordinary word only a big place or one the sentence says is a place."""
    found: list[Found] = []
    for ent in ents:
        if ent.label_ not in PLACE_LABELS or ent.ent_id_ or ent.text in gazetteer.index.demonyms:
            continue
        trimmed = trim(ent)
        if trimmed is None or any(taken[trimmed.start : trimmed.end]):
            continue
        ent = trimmed
        span, kind = strip_kind(ent)
        if not is_name_token(span[0].text):  # "the east bank" is no place name
            continue
        best = gazetteer.best(own_name(ent).text, context) or gazetteer.best(span.text, context, kind=kind)
        rest = [t.text for t in span[1:]]
        if best is None and rest and span[0].lower_ in AREA_PREFIXES:
            # "South Los Angeles", "West Dallas": a part of the town the index does not know;
            # "West Street" is a street (an ordinary word only for a big town)
            best = gazetteer.best(span[1:].text, context, kind=kind)
            town = best is not None and best[0].place_type == "city" and best[1] == 1.0
            if not town or (is_common(rest) and best is not None and best[0].population < ORDINARY_WORD_TOWN):
                best = None
        if best is None:
            continue
        place, similarity = best
        common = is_common([t.text for t in span])
        if similarity < 1.0 and common:
            continue  # "Romanian" is no misspelt "Romania"
        # For towns and other countries' regions ("South"): not for curated places ("Black
        # Sea"), counties (with their kind word) or the states of countries told by state.
        region = place.place_type == "admin1" and place.country_code not in federal_countries()
        town = place.place_type in ("city", "site") or region
        small = town and not place.curated and place.population < ORDINARY_WORD_TOWN
        if common and small:
            syntax = (
                place_syntax(ent, evidence) or is_dateline(span) or agency_seat(words, ent.start, ent.end)
            )
            if not syntax:
                continue  # "Street", "Police", "North Park": NER's label alone makes no town of a word
        if similarity == 1.0 or context[place.country_code] > 0 or is_dateline(span):
            found.append((ent, place, similarity, kind))
            for k in range(ent.start, ent.end):
                taken[k] = True
    return found


def scanned_places(
    doc: Doc,
    ents: Sequence[Span],
    words: Words,
    gazetteer: Gazetteer,
    context: Counter[str],
    taken: list[bool],
    evidence: Evidence,
    placed: set[str],
) -> list[Found]:
    """Gazetteer hits among the capitalised runs NER did not settle; `placed` holds the folded
    names already resolved in the story (one sense per story), and grows with what is found."""
    found: list[Found] = []
    pending: list[Found] = []
    ents_by_token = {k: ent for ent in ents for k in range(ent.start, ent.end)}
    # Words of the people the story names in full: a later "Jordan" alone is that person.
    person_words = {t.text for e in ents if e.label_ == "PERSON" and len(e) > 1 for t in e}
    for start, end in scan_names(words, taken):
        text = words.span_text(start, end)
        if any(taken[start:end]) or text in gazetteer.index.demonyms or inside_name(words, start, end):
            continue
        if not gazetteer.candidates(fold(text)):
            continue
        overlapping = {ents_by_token[k] for k in range(start, end) if k in ents_by_token}
        # A date or number swallowing a place ("Timbuktu on Monday") gives way; a person or an
        # organisation only when the gazetteer hit is exactly that name and the sentence says
        # it is a place ("in Deir Ezzor"): surnames and clubs named after towns stay what they are.
        names = {e for e in overlapping if e.label_ not in SOFT_LABELS}
        span = doc[start:end]
        named = next(iter(names)) if len(names) == 1 else None
        common = is_common(words.words[start:end])
        # "X Police Department": the agency's name says where it serves, whatever NER made of
        # the whole name ("Metro" of "Metro Police" is a qualifier, no name).
        seat = agency_seat(words, start, end) and text.lower() not in agency_words().qualifiers
        exact = named is not None and named.label_ in REPLACEABLE and (named.start, named.end) == (start, end)
        if names and not seat and not exact:
            continue
        rare = is_rare(words.words[start:end])
        # "in August", "on Thursday": a frequent word NER read as a date is one.
        if common and any(e.label_ in DATE_LABELS for e in overlapping):
            continue
        best = gazetteer.best(text, context)
        if seat and common and end - start == 1 and (best is None or best[0].population < ORDINARY_WORD_TOWN):
            seat = False  # "State Police", "Transit Police": one ordinary word is a big town or none
            if names and not exact:
                continue
        # NER saw a name there, of whatever kind (not a number or a date).
        labelled = any(e.label_ not in NUMERIC_LABELS for e in overlapping)
        if best is None or not accept_scanned(best[0], best[1], span, context, labelled, evidence, seat):
            continue
        _, kind = strip_kind(span)
        syntax = seat or place_syntax(span, evidence)
        person = named is None or named.label_ == "PERSON"
        if person and text in person_words and not syntax:
            continue
        if (
            named is not None
            and named.label_ in ("PERSON", "ORG")
            and not syntax
            # The same name placed elsewhere in the story ("the state of X ... X has had").
            and fold(text) not in placed
            and not outweighs_name(best[0], best[1], rare, context, named.label_)
        ):
            if named.label_ == "PERSON" and rare and best[1] == 1.0 and best[0].place_type != "country":
                pending.append((span, best[0], best[1], kind))  # may agree with another
            continue
        found.append((span, best[0], best[1], kind))
        placed.add(fold(text))
        context[best[0].country_code] += 1  # "Zaporizhzhia" makes "Enerhodar" Ukrainian
        for k in range(start, end):
            taken[k] = True
    # Rare names NER called people that are towns of one country: places ("Sennar", "Gezira").
    agreeing = Counter(place.country_code for _, place, _, _ in pending)
    for span, place, similarity, kind in pending:
        agrees = agreeing[place.country_code] >= MIN_VOTING_NAMES or context[place.country_code] > 0
        if agrees and not any(taken[span.start : span.end]):
            found.append((span, place, similarity, kind))
            placed.add(fold(span.text))
            context[place.country_code] += 1
            taken[span.start : span.end] = [True] * len(span)
    return found
