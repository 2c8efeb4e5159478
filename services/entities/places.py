"""Place mentions in a parsed article, resolved against the GeoNames index in the article's context.

A mention comes from spaCy's NER (GPE/LOC/FAC) or from a scan of capitalised word runs
against the index, so "Deir Ezzor" tagged PERSON or "Mayadeen" tagged DATE is still a place.
Candidates are found by folded spelling and by consonant skeleton, then ranked by how much
the article is about the candidate's country, how close the spelling is, and population.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from spacy.attrs import IDX, LENGTH
from spacy.tokens import Doc, Span

from schemas.articles import PlaceType
from services.common.geo import haversine_km
from services.entities.geonames import GeoIndex, Place, fold, skeleton

CITY_WORDS = frozenset({"city", "town", "village"})
ADMIN1_WORDS = frozenset({"province", "governorate", "state", "region", "oblast", "department"})
# A district is mostly named after its main town ("the Kathua district"): that town is a
# closer guess than the centre of the province around it.
DISTRICT_WORDS = frozenset({"district"})
CONNECTORS = frozenset(
    {"al", "el", "ez", "as", "ar", "ad", "de", "del", "la", "le", "-", "da", "do", "dos", "das"}
)
PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
# Labels a gazetteer hit may replace when the whole span is a known place in the story's country.
REPLACEABLE = frozenset({"PERSON", "ORG", "NORP"})
# Labels the small model hands out to place names by mistake ("Macomia in" WORK_OF_ART).
NUMERIC_LABELS = frozenset({"DATE", "TIME", "CARDINAL", "ORDINAL", "QUANTITY", "PERCENT", "MONEY"})
SOFT_LABELS = NUMERIC_LABELS | {"PRODUCT", "WORK_OF_ART", "EVENT", "LAW", "LANGUAGE"}
MAX_TOKENS = 6  # 'PORT - AU - PRINCE'
MIN_SIMILARITY = 0.75
EXACT_CHALLENGE = 0.9
POSSESSIVES = frozenset({"'s", "\u2019s"})
SENTENCE_ENDS = frozenset({".", "!", "?", ":", ";", '"', "\u201c", "\u201d", "-", "\u2014"})
NEAR_KM = 300.0
# A province's centre is a rough point: being near the story's towns counts less for it.
NEAR_BONUS = {"city": 1.0, "site": 1.0, "admin1": 0.5}
SMALL_PLACE = 1000  # below this, a bare gazetteer hit needs the curated list or NER to vouch for it
PRIMARY_NAME = 0.5  # a quarter of a perfect spelling: a tie-break, not a rival to the story's country
KIND_MATCH = 1.0  # "Homs province": a province outranks a namesake town


Found = tuple[Span, Place, float, PlaceType | None]  # mention, first choice, similarity, kind


@dataclass(frozen=True)
class Resolved:
    start: int  # character offsets in the article body
    end: int
    text: str
    place: Place
    place_type: PlaceType
    lat: float
    lon: float
    admin1: str | None
    country: str | None  # None for seas and regions across borders


class Gazetteer:
    """The index plus a memo of candidate lookups (wire copy repeats the same names)."""

    def __init__(self, index: GeoIndex) -> None:
        self.index = index
        self._memo: dict[str, tuple[tuple[int, float], ...]] = {}

    def candidates(self, key: str) -> tuple[tuple[int, float], ...]:
        """(place, spelling similarity) for a folded mention; exact folds score 1."""
        if key not in self._memo:
            if len(self._memo) > 100_000:
                self._memo.clear()
            found: dict[int, float] = dict.fromkeys(self.index.by_fold.get(key, ()), 1.0)
            if len(key) >= 4:
                for other in self.index.by_skeleton.get(skeleton(key), ()):
                    matcher = SequenceMatcher(None, key, other)
                    # The cheap upper bounds first: most skeleton mates are far off.
                    if matcher.real_quick_ratio() < MIN_SIMILARITY or matcher.quick_ratio() < MIN_SIMILARITY:
                        continue
                    similarity = matcher.ratio()
                    if similarity >= MIN_SIMILARITY:
                        for place in self.index.by_fold[other]:
                            found[place] = max(found.get(place, 0.0), similarity)
            self._memo[key] = tuple(found.items())
        return self._memo[key]

    def best(
        self,
        text: str,
        context: Counter[str],
        anchors: Sequence[tuple[float, float]] = (),
        kind: PlaceType | None = None,
    ) -> tuple[Place, float] | None:
        key = fold(text)
        options = self.candidates(key)
        if any(similarity == 1.0 for _, similarity in options):
            # An exact spelling is only challenged by a near-identical one ("Maadan"/"Ma'dan").
            options = tuple(o for o in options if o[1] >= EXACT_CHALLENGE)
        if not options:
            return None
        places = self.index.places
        place_id, similarity = max(
            options,
            key=lambda o: _score(places[o[0]], o[1], context, anchors) + _name_bonus(places[o[0]], key, kind),
        )
        return places[place_id], similarity


def _name_bonus(place: Place, key: str, kind: PlaceType | None) -> float:
    """A place called by its own name beats one that merely lists it among old or foreign
    names ("Islamabad", once a name of Chittagong; "Mexico", also Mexico City); "Rostov
    region" is the province, not a town of that name."""
    own = PRIMARY_NAME if fold(place.name) == key else 0.0
    return own + (KIND_MATCH if kind is not None and kind == place.place_type else 0.0)


def _own(span: Span) -> Span:
    """'Mexico's' is Mexico: as a longer spelling it would be a fuzzy match for another place."""
    return span[:-1] if len(span) > 1 and span[-1].lower_ in POSSESSIVES else span


def _strip(span: Span) -> tuple[Span, PlaceType | None]:
    """'the Euphrates River' -> 'Euphrates River'; 'Homs province' -> 'Homs' as admin1;
    'Kathua district' -> 'Kathua' of no particular kind."""
    kind: PlaceType | None = None
    span = _own(span)
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


def _near(place: Place, anchors: Sequence[tuple[float, float]]) -> bool:
    return any(haversine_km(place.lat, place.lon, lat, lon) <= NEAR_KM for lat, lon in anchors)


def _score(
    place: Place, similarity: float, context: Counter[str], anchors: Sequence[tuple[float, float]] = ()
) -> float:
    top = max(context.values(), default=0)
    share = context[place.country_code] / top if top else 0.0
    # Countries are named far more often than their namesake towns; a city beats its province.
    kind_bonus = {"country": 1.0, "city": 0.6}.get(place.place_type, 0.0)
    exact_bonus = 1.5 if similarity == 1.0 else 0.0
    size = 0.25 * math.log10(place.population + 1)
    # Places a story names together lie together: Pokrovsk near Dnipro, not the one near Saratov.
    near_bonus = NEAR_BONUS.get(place.place_type, 0.0) if _near(place, anchors) else 0.0
    return 3.0 * share + 2.0 * similarity + exact_bonus + size + kind_bonus + near_bonus


def _is_name_token(token_text: str) -> bool:
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


def _scan(words: Words, taken: list[bool]) -> list[tuple[int, int]]:
    """Capitalised word runs (token ranges, longest first) that no curated entity covers."""
    ranges: list[tuple[int, int]] = []
    names = [_is_name_token(w) for w in words.words]
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


def _country_context(words: Words, index: GeoIndex) -> Counter[str]:
    """How often each country is named in the story, directly or by demonym."""
    context: Counter[str] = Counter(index.demonyms[w] for w in words.words if w in index.demonyms)
    # Country names whatever NER made of them ("Mali" is a PERSON to the small model).
    for start, end in _scan(words, [False] * len(words.words)):
        for place_id in index.by_fold.get(fold(words.span_text(start, end)), ()):
            if index.places[place_id].place_type == "country":
                context[index.places[place_id].country_code] += 1
    return context


def _is_dateline(span: Span) -> bool:
    """'BAMAKO (Reuters) -', 'ODESA, Ukraine (AP) -': the first words of a story."""
    doc = span.doc
    at_start = span.start == 0 or doc[span.start - 1].is_space
    return at_start and span.end < len(doc) and doc[span.end].text in {"(", ",", "-", "\u2014", "\u2013"}


def _after_place_word(span: Span) -> bool:
    """'the town of Macomia', 'the province of Homs'."""
    doc = span.doc
    return (
        span.start >= 2
        and doc[span.start - 1].lower_ == "of"
        and doc[span.start - 2].lower_ in CITY_WORDS | ADMIN1_WORDS | DISTRICT_WORDS
    )


def _accept_scanned(
    place: Place, similarity: float, span: Span, context: Counter[str], labelled: bool
) -> bool:
    """A gazetteer hit NER did not call a place: only when the story's geography backs it."""
    if span.text in CONNECTORS or (len(span) == 1 and span[0].is_stop):
        return False
    in_context = context[place.country_code] > 0
    if place.curated or place.place_type == "country":
        return similarity == 1.0 or in_context
    if _after_place_word(span):
        return similarity == 1.0 or in_context
    # GeoNames keeps a seat of local government of unknown size (population 0) however small:
    # "Mallam Fatori", "Musa Khel Bazar" are worth a story set in their country.
    unknown_seat = place.population == 0 and in_context
    if similarity < 1.0 or (place.population < SMALL_PLACE and not unknown_seat):
        return False
    if _is_dateline(span):
        return True
    if in_context:
        return True
    # Out of the story's countries only a big city NER saw as a name, mid-sentence: a lone
    # capitalised word ("Reading the statement", "Mobile networks") is no evidence.
    return place.population >= 100_000 and labelled and not _starts_sentence(span)


def _starts_sentence(span: Span) -> bool:
    """The pipeline runs without a parser, so look at the previous token ourselves."""
    before = span.doc[span.start - 1] if span.start else None
    return before is None or before.is_space or before.text in SENTENCE_ENDS


def _ner_places(
    ents: Sequence[Span], gazetteer: Gazetteer, context: Counter[str], taken: list[bool]
) -> list[Found]:
    """NER's own place mentions, resolved; a fuzzy spelling only within the story's countries."""
    found: list[Found] = []
    for ent in ents:
        if ent.label_ not in PLACE_LABELS or ent.ent_id_ or ent.text in gazetteer.index.demonyms:
            continue
        span, kind = _strip(ent)
        if not _is_name_token(span[0].text):  # "the east bank" is no place name
            continue
        best = gazetteer.best(_own(ent).text, context) or gazetteer.best(span.text, context, kind=kind)
        if best is None:
            continue
        place, similarity = best
        if similarity == 1.0 or context[place.country_code] > 0 or _is_dateline(span):
            found.append((ent, place, similarity, kind))
            for k in range(ent.start, ent.end):
                taken[k] = True
    return found


def _scanned_places(
    doc: Doc,
    ents: Sequence[Span],
    words: Words,
    gazetteer: Gazetteer,
    context: Counter[str],
    taken: list[bool],
) -> list[Found]:
    found: list[Found] = []
    ents_by_token = {k: ent for ent in ents for k in range(ent.start, ent.end)}
    for start, end in _scan(words, taken):
        text = words.span_text(start, end)
        if any(taken[start:end]) or text in gazetteer.index.demonyms:
            continue
        if not gazetteer.candidates(fold(text)):
            continue
        overlapping = {ents_by_token[k] for k in range(start, end) if k in ents_by_token}
        # A date or number swallowing a place ("Timbuktu on Monday") gives way; a name only
        # when the gazetteer hit is exactly that name.
        names = {e for e in overlapping if e.label_ not in SOFT_LABELS}
        if names and not (
            len(names) == 1
            and (ent := next(iter(names))).label_ in REPLACEABLE
            and (ent.start, ent.end) == (start, end)
        ):
            continue
        span = doc[start:end]
        best = gazetteer.best(text, context)
        # NER saw a name there, of whatever kind (not a number or a date).
        labelled = any(e.label_ not in NUMERIC_LABELS for e in overlapping)
        if best is None or not _accept_scanned(best[0], best[1], span, context, labelled):
            continue
        _, kind = _strip(span)
        found.append((span, best[0], best[1], kind))
        context[best[0].country_code] += 1  # "Zaporizhzhia" makes "Enerhodar" Ukrainian
        for k in range(start, end):
            taken[k] = True
    return found


def resolve_places(doc: Doc, gazetteer: Gazetteer) -> list[Resolved]:
    """Every place mention in doc, resolved; NER's non-place labels lose to a resolved place."""
    index = gazetteer.index
    words = Words.of(doc)
    context = _country_context(words, index)
    ents = doc.ents  # built anew on every access
    taken = [False] * len(doc)
    for ent in ents:
        if ent.ent_id_:  # curated people and organisations are settled
            taken[ent.start : ent.end] = [True] * len(ent)
    found = _ner_places(ents, gazetteer, context, taken)
    # What NER placed tells which country the story is about; then the scan, then a re-ranking.
    context.update(place.country_code for _, place, _, _ in found)
    scanned = _scanned_places(doc, ents, words, gazetteer, context, taken)
    if scanned:  # a later "Bamako" vouches for an earlier "Kayes": scan once more
        scanned += _scanned_places(doc, ents, words, gazetteer, context, taken)
    found += scanned
    resolved = []
    for span, first, _, kind in found:
        # Judge a name by the other places only: its own first guesses would vote for themselves.
        own = [place for mention, place, _, _ in found if mention.text == span.text]
        others = context - Counter(place.country_code for place in own)
        anchors = [
            (other.lat, other.lon)
            for mention, other, _, _ in found
            if other.place_type in ("city", "site") and mention.text != span.text
        ]
        # The whole name when it is one ("MEXICO CITY"), else without its kind word ("Homs province").
        whole = gazetteer.best(_own(span).text, others, anchors, kind)
        if whole is None or whole[1] < 1.0:
            whole = gazetteer.best(_strip(span)[0].text, others, anchors, kind) or whole
        best = whole
        place = best[0] if best and (best[1] == 1.0 or others[best[0].country_code]) else first
        resolved.append(_resolution(span, place, kind, index))
    return sorted(resolved, key=lambda r: r.start)


def _resolution(span: Span, place: Place, kind: PlaceType | None, index: GeoIndex) -> Resolved:
    place_type: PlaceType = place.place_type
    lat, lon = place.lat, place.lon
    if kind == "admin1" and place.place_type == "city" and place.admin1_code is not None:
        place_type = "admin1"
        lat, lon = index.admin1_centres.get((place.country_code, place.admin1_code), (lat, lon))
    return Resolved(
        start=span.start_char,
        end=span.end_char,
        text=span.text,
        place=place,
        place_type=place_type,
        lat=lat,
        lon=lon,
        admin1=index.admin1_name(place),
        country=index.countries.get(place.country_code),
    )
