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
from services.entities.evidence import Admin1, Evidence, collect, named_admin1s
from services.entities.geonames import GeoIndex, Place, fold, skeleton
from services.entities.lexical import is_common, is_rare

CITY_WORDS = frozenset({"city", "town", "village"})
ADMIN1_WORDS = frozenset({"province", "governorate", "state", "region", "oblast", "department"})
# A district is mostly named after its main town ("the Kathua district"): that town is a
# closer guess than the centre of the province around it.
DISTRICT_WORDS = frozenset({"district"})
CONNECTORS = frozenset(
    {"al", "el", "ez", "as", "ar", "ad", "de", "del", "la", "le", "-", "da", "do", "dos", "das"}
)
PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
AREA_WORDS = frozenset({"port", "outskirts", "suburbs", "county", "parish", "mayor"})  # "the port of X"
# Labels a gazetteer hit may replace when the whole span is a known place in the story's country.
REPLACEABLE = frozenset({"PERSON", "ORG", "NORP"})
# Labels the small model hands out to place names by mistake ("Macomia in" WORK_OF_ART).
NUMERIC_LABELS = frozenset({"DATE", "TIME", "CARDINAL", "ORDINAL", "QUANTITY", "PERCENT", "MONEY"})
SOFT_LABELS = NUMERIC_LABELS | {"PRODUCT", "WORK_OF_ART", "EVENT", "LAW", "LANGUAGE"}
DATE_LABELS = frozenset({"DATE", "TIME"})
MAX_TOKENS = 6  # 'PORT - AU - PRINCE'
MIN_SIMILARITY = 0.75
EXACT_CHALLENGE = 0.9
POSSESSIVES = frozenset({"'s", "\u2019s"})
SENTENCE_ENDS = frozenset({".", "!", "?", ":", ";", '"', "\u201c", "\u201d", "-", "\u2014"})
NEAR_KM = 300.0
SMALL_PLACE = 1000  # below this, a bare gazetteer hit needs the curated list or NER to vouch for it
# A town outside every country the story names is kept only when it is this big and NER saw a
# place there ("Berlin" in a story from Connecticut is Berlin, Connecticut; "Kherson" stays).
FOREIGN_TOWN_POPULATION = 250_000
COUNTRY_NAMED_TIMES = 1  # a country name NER called a person ("Mali") is the country
MIN_VOTING_NAMES = 2  # a story's country is voted by at least this many of its place names
# ... and this big when its name is an ordinary word ("Metro", "South", "North Park").
FOREIGN_COMMON_WORD_POPULATION = 1_000_000
# "in/near/outside X": the words before a name that make it a place, whatever NER called it.
PLACE_PREPOSITIONS = frozenset({"in", "near", "outside", "around", "across", "into", "nearby"})
# Tokens a span may swallow at its edges: quotes, and headline capitals ("SHOOTING AT MALL").
EDGE_WORDS = frozenset({"AT", "IN", "ON", "OF", "NEAR", "TO", "FROM", "AND", "THE"})
# ... and a heading's title-case preposition ("At Hove : Sussex 363"), never "The" ("The Hague").
LEADING_WORDS = frozenset({"At", "In", "On", "Near", "From"})
ATTACK_WORDS = frozenset(
    {"attack", "attacks", "assault", "offensive", "raid", "strike", "strikes", "advance"}
)
ROUTE_WORDS = frozenset({"road", "highway", "route", "flights", "flight", "way", "border"})
FUNCTION_WORDS = PLACE_PREPOSITIONS | {"at", "on", "of", "from", "to", "the", "and", "a", "an", "for", "as"}
DASHES = frozenset({"-", "\u2014", "\u2013", "--"})
QUOTES = frozenset({'"', "'", "\u201c", "\u201d", "\u2018", "\u2019", "``", "''"})


@dataclass(frozen=True)
class RankWeights:
    """How a candidate place is scored against the article's evidence (higher wins)."""

    country_share: float = 3.0  # share of the story's country mentions that name its country
    similarity: float = 2.0  # spelling similarity, 0.75-1
    exact_spelling: float = 1.5
    population_per_decade: float = 0.25  # per power of ten inhabitants
    country_kind: float = 1.0  # countries are named far more often than their namesake towns
    city_kind: float = 0.6  # a city beats its province
    near_town: float = 1.0  # within NEAR_KM of the story's other towns
    near_admin1: float = 0.5  # a province's centre is a rough point
    primary_name: float = 0.5  # called by its own name, not an alternate: a tie-break
    kind_match: float = 1.0  # "Homs province": a province outranks a namesake town
    # inside a state or province the story names ("Jacksonville" + "Florida"): worth three
    # decades of population, so a bare "Denver" stays the big one when another state is named
    named_admin1: float = 0.75


WEIGHTS = RankWeights()


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

    def __init__(self, index: GeoIndex, weights: RankWeights = WEIGHTS) -> None:
        self.index = index
        self.weights = weights
        self._memo: dict[str, tuple[tuple[int, float], ...]] = {}
        self.admin1_places: dict[Admin1, Place] = {
            (p.country_code, p.admin1_code): p
            for p in index.places
            if p.place_type == "admin1" and p.admin1_code is not None
        }

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
        admin1s: frozenset[Admin1] | set[Admin1] = frozenset(),
        qualifier: tuple[str, str | None] | None = None,
    ) -> tuple[Place, float] | None:
        key = fold(text)
        options = self.candidates(key)
        if any(similarity == 1.0 for _, similarity in options):
            # An exact spelling is only challenged by a near-identical one ("Maadan"/"Ma'dan").
            options = tuple(o for o in options if o[1] >= EXACT_CHALLENGE)
        places = self.index.places
        if qualifier is not None:
            # "Richmond, Ind.": only a Richmond in Indiana, when there is one.
            country, admin1 = qualifier
            in_country = tuple(o for o in options if places[o[0]].country_code == country)
            inside = tuple(o for o in in_country if admin1 is None or places[o[0]].admin1_code == admin1)
            options = inside or in_country or options
        if not options:
            return None
        w = self.weights

        def score(option: tuple[int, float]) -> float:
            place = places[option[0]]
            named = w.named_admin1 if (place.country_code, place.admin1_code or "") in admin1s else 0.0
            return _score(place, option[1], context, anchors, w) + _name_bonus(place, key, kind, w) + named

        place_id, similarity = max(options, key=score)
        return places[place_id], similarity


def _name_bonus(place: Place, key: str, kind: PlaceType | None, w: RankWeights = WEIGHTS) -> float:
    """A place called by its own name beats one that merely lists it among old or foreign
    names ("Islamabad", once a name of Chittagong; "Mexico", also Mexico City); "Rostov
    region" is the province, not a town of that name."""
    own = w.primary_name if fold(place.name) == key else 0.0
    return own + (w.kind_match if kind is not None and kind == place.place_type else 0.0)


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
    place: Place,
    similarity: float,
    context: Counter[str],
    anchors: Sequence[tuple[float, float]] = (),
    w: RankWeights = WEIGHTS,
) -> float:
    top = max(context.values(), default=0)
    share = context[place.country_code] / top if top else 0.0
    kind_bonus = {"country": w.country_kind, "city": w.city_kind}.get(place.place_type, 0.0)
    exact_bonus = w.exact_spelling if similarity == 1.0 else 0.0
    size = w.population_per_decade * math.log10(place.population + 1)
    # Places a story names together lie together: Pokrovsk near Dnipro, not the one near Saratov.
    near = {"city": w.near_town, "site": w.near_town, "admin2": w.near_town, "admin1": w.near_admin1}
    near_bonus = near.get(place.place_type, 0.0) if _near(place, anchors) else 0.0
    return w.country_share * share + w.similarity * similarity + exact_bonus + size + kind_bonus + near_bonus


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


def _inside_name(words: Words, start: int, end: int) -> bool:
    """Part of a longer capitalised name: "Davenport" of "Lindsay Davenport", "Rostock" of
    "Hansa Rostock", "Peking" of "Peking Protocol" are not places by themselves."""

    def joined(i: int, j: int) -> bool:  # adjacent tokens with only a space between
        return words.text[words.ends[i] : words.starts[j]] == " "

    def name(i: int) -> bool:  # "In" of a title-case headline ("Two Shot In Mayadeen") is no name
        return _is_name_token(words.words[i]) and words.words[i].lower() not in FUNCTION_WORDS

    before = start > 0 and name(start - 1) and joined(start - 1, start)
    after = end < len(words.words) and name(end) and joined(end - 1, end)
    return before or after


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


def _after_place_word(span: Span) -> bool:
    """'the town of Macomia', 'the province of Homs', 'the port of Hodeidah'."""
    doc = span.doc
    return (
        span.start >= 2
        and doc[span.start - 1].lower_ == "of"
        and doc[span.start - 2].lower_ in CITY_WORDS | ADMIN1_WORDS | DISTRICT_WORDS | AREA_WORDS
    )


def _place_syntax(span: Span, evidence: Evidence) -> bool:
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
    inside = after == "in" and span.end + 1 < len(doc) and _is_name_token(doc[span.end + 1].text)
    return (
        routed
        or inside
        or before in PLACE_PREPOSITIONS
        or after in ADMIN1_WORDS | CITY_WORDS | DISTRICT_WORDS  # "Guerrero state", "Homs province"
        or evidence.qualifier(span.end_char) is not None
        or _is_dateline(span)
        or _after_place_word(span)
    )


def _trim(span: Span) -> Span | None:
    """Without the quotes and headline capitals a span swallowed at its edges ("AT MALL")."""
    start, end = span.start, span.end
    doc = span.doc
    edge = QUOTES | EDGE_WORDS | DASHES
    while start < end and (doc[start].text in edge | LEADING_WORDS or doc[start].is_punct):
        start += 1
    while end > start and (doc[end - 1].text in edge or doc[end - 1].is_punct):
        end -= 1
    return doc[start:end] if end > start else None


def _accept_scanned(
    place: Place,
    similarity: float,
    span: Span,
    context: Counter[str],
    labelled: bool,
    evidence: Evidence,
) -> bool:
    """A gazetteer hit NER did not call a place: only when the story's geography backs it."""
    if span.text in CONNECTORS or (len(span) == 1 and span[0].is_stop):
        return False
    # "Thursday", "June", "Metro", "Minister", "Canadian": ordinary words need place syntax.
    if is_common([t.text for t in span]) and not _place_syntax(span, evidence):
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
    if _is_dateline(span) or in_context:
        return True
    if _place_syntax(span, evidence) and place.population >= SMALL_PLACE:
        return True  # "near Enerhodar": the sentence says place, the gazetteer says which
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
        trimmed = _trim(ent)
        if trimmed is None or any(taken[trimmed.start : trimmed.end]):
            continue
        ent = trimmed
        span, kind = _strip(ent)
        if not _is_name_token(span[0].text):  # "the east bank" is no place name
            continue
        best = gazetteer.best(_own(ent).text, context) or gazetteer.best(span.text, context, kind=kind)
        if best is None:
            continue
        place, similarity = best
        if similarity < 1.0 and is_common([t.text for t in span]):
            continue  # "Romanian" is no misspelt "Romania"
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
    evidence: Evidence,
) -> list[Found]:
    found: list[Found] = []
    pending: list[Found] = []
    ents_by_token = {k: ent for ent in ents for k in range(ent.start, ent.end)}
    for start, end in _scan(words, taken):
        text = words.span_text(start, end)
        if any(taken[start:end]) or text in gazetteer.index.demonyms or _inside_name(words, start, end):
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
        if names and not (
            named is not None and named.label_ in REPLACEABLE and (named.start, named.end) == (start, end)
        ):
            continue
        common = is_common(words.words[start:end])
        rare = is_rare(words.words[start:end])
        # "in August", "on Thursday": a frequent word NER read as a date is one.
        if common and any(e.label_ in DATE_LABELS for e in overlapping):
            continue
        best = gazetteer.best(text, context)
        # NER saw a name there, of whatever kind (not a number or a date).
        labelled = any(e.label_ not in NUMERIC_LABELS for e in overlapping)
        if best is None or not _accept_scanned(best[0], best[1], span, context, labelled, evidence):
            continue
        _, kind = _strip(span)
        if (
            named is not None
            and named.label_ in ("PERSON", "ORG")
            and not _place_syntax(span, evidence)
            and not _outweighs_name(best[0], best[1], rare, context, named.label_)
        ):
            if named.label_ == "PERSON" and rare and best[1] == 1.0 and best[0].place_type != "country":
                pending.append((span, best[0], best[1], kind))  # may agree with another
            continue
        found.append((span, best[0], best[1], kind))
        context[best[0].country_code] += 1  # "Zaporizhzhia" makes "Enerhodar" Ukrainian
        for k in range(start, end):
            taken[k] = True
    # Rare names NER called people that are towns of one country: places ("Sennar", "Gezira").
    agreeing = Counter(place.country_code for _, place, _, _ in pending)
    for span, place, similarity, kind in pending:
        agrees = agreeing[place.country_code] >= MIN_VOTING_NAMES or context[place.country_code] > 0
        if agrees and not any(taken[span.start : span.end]):
            found.append((span, place, similarity, kind))
            context[place.country_code] += 1
            taken[span.start : span.end] = [True] * len(span)
    return found


def resolve_places(doc: Doc, gazetteer: Gazetteer) -> list[Resolved]:
    """Every place mention in doc, resolved against the article's evidence; NER's non-place
    labels lose to a resolved place only where the sentence says it is one."""
    index = gazetteer.index
    words = Words.of(doc)
    context = _country_context(words, index)
    ents = doc.ents  # built anew on every access
    evidence = collect(words.text, index, context)
    written = named_admin1s(index, [e.text for e in ents if e.label_ in PLACE_LABELS])
    for country, _ in written - evidence.admin1s:
        evidence.countries[country] += 1
    evidence.admin1s |= written
    # States and provinces vouch for their country: "Ohio" makes the story American.
    context.update(country for country, _ in evidence.admin1s)
    taken = [False] * len(doc)
    for ent in ents:
        if ent.ent_id_:  # curated people and organisations are settled
            taken[ent.start : ent.end] = [True] * len(ent)
    resolved = _abbreviated(doc, gazetteer, evidence, taken)
    found = _ner_places(ents, gazetteer, context, taken)
    ner_spans = {(span.start, span.end) for span, _, _, _ in found}
    if not evidence.countries:
        _vote_country(found, gazetteer, evidence, context)
    _unambiguous_admin1s(found, gazetteer, evidence)
    # What NER placed tells which country the story is about; then the scan, then a re-ranking.
    context.update(place.country_code for _, place, _, _ in found)
    scanned = _scanned_places(doc, ents, words, gazetteer, context, taken, evidence)
    if scanned:  # a later "Bamako" vouches for an earlier "Kayes": scan once more
        scanned += _scanned_places(doc, ents, words, gazetteer, context, taken, evidence)
    found += scanned
    chosen: list[tuple[Span, Place, PlaceType | None, bool]] = []
    for span, first, _, kind in found:
        # Judge a name by the other places only: its own first guesses would vote for themselves.
        name = fold(span.text)  # "BERLIN" in the dateline and "Berlin" later are one name
        own = [place for mention, place, _, _ in found if fold(mention.text) == name]
        others = context - Counter(place.country_code for place in own)
        anchors = [
            (other.lat, other.lon)
            for mention, other, _, _ in found
            if other.place_type in ("city", "site") and fold(mention.text) != name
        ]
        qualifier = evidence.qualifier(span.end_char)
        # The whole name when it is one ("MEXICO CITY"), else without its kind word ("Homs province").
        whole = gazetteer.best(_own(span).text, others, anchors, kind, evidence.admin1s, qualifier)
        if whole is None or whole[1] < 1.0:
            bare = gazetteer.best(_strip(span)[0].text, others, anchors, kind, evidence.admin1s, qualifier)
            whole = bare or whole
        best = whole
        place = best[0] if best and (best[1] == 1.0 or others[best[0].country_code]) else first
        # "Quincy, Washington": the name after the comma is the state itself.
        qualifying = evidence.qualifying.get(span.start_char)
        if qualifying is not None and qualifying[1] is not None:
            place = gazetteer.admin1_places.get((qualifying[0], qualifying[1]), place)
        # NER or the sentence ("in X", a dateline) says it is a place
        labelled = (span.start, span.end) in ner_spans or _place_syntax(span, evidence)
        bordering = index.neighbours.get(place.country_code, frozenset())
        if not _evidenced(place, span, evidence, others, labelled, bordering):
            continue
        chosen.append((span, place, kind, qualifier is not None or qualifying is not None))
    # One sense per story: "LEBANON, Tenn." settles every later "Lebanon".
    settled = {fold(span.text): place for span, place, _, qualified in chosen if qualified}
    for span, place, kind, _ in chosen:
        resolved.append(_resolution(span, settled.get(fold(span.text), place), kind, index))
    return sorted(resolved, key=lambda r: r.start)


def _unambiguous_admin1s(found: list[Found], gazetteer: Gazetteer, evidence: Evidence) -> None:
    """A town or county that exists in one state only of the story's countries says which
    state the story is in ("Goodhue County" is in Minnesota): namesakes elsewhere rank lower."""
    places = gazetteer.index.places
    for span, first, similarity, _ in found:
        if similarity < 1.0 or first.place_type in ("country", "admin1"):
            continue
        states = {
            (places[i].country_code, places[i].admin1_code or "")
            for i, sim in gazetteer.candidates(fold(span.text))
            if sim == 1.0 and evidence.countries[places[i].country_code]
        }
        if len(states) == 1 and "" not in next(iter(states)):
            evidence.admin1s.add(next(iter(states)))


def _vote_country(
    found: list[Found], gazetteer: Gazetteer, evidence: Evidence, context: Counter[str]
) -> None:
    """A story that names no country or state is set where most of its place names exist:
    "Fresno", "Modesto" and "Visalia" all exist in one country, not in three. The country
    that has a town of every name, or of strictly more names than any other, counts as named."""
    places = gazetteer.index.places
    names = {fold(span.text) for span, _, similarity, _ in found if similarity == 1.0}
    coverage: Counter[str] = Counter()
    size: Counter[str] = Counter()  # ties go to the country whose namesakes are bigger
    for name in names:
        biggest: dict[str, int] = {}
        for i, sim in gazetteer.candidates(name):
            if sim == 1.0:
                place = places[i]
                biggest[place.country_code] = max(biggest.get(place.country_code, 0), place.population)
        coverage.update(biggest.keys())
        size.update({country: math.log10(population + 1) for country, population in biggest.items()})
    ranked = sorted(coverage, key=lambda country: (coverage[country], size[country]), reverse=True)[:2]
    if not ranked or coverage[ranked[0]] < MIN_VOTING_NAMES:
        return
    top = ranked[0]
    if len(ranked) == 1 or (coverage[top], size[top]) > (coverage[ranked[1]], size[ranked[1]]):
        evidence.countries[top] += 1
        context[top] += coverage[top]


def _abbreviated(doc: Doc, gazetteer: Gazetteer, evidence: Evidence, taken: list[bool]) -> list[Resolved]:
    """ "Fla.", "Ont.", "Kansas City, MO": the state or province itself, never a foreign town."""
    resolved = []
    for mention in evidence.abbreviated:
        span = doc.char_span(mention.start, mention.end, alignment_mode="expand")
        place = gazetteer.admin1_places.get(mention.admin1)
        if span is None or place is None or any(taken[span.start : span.end]):
            continue
        taken[span.start : span.end] = [True] * len(span)
        resolution = _resolution(span, place, None, gazetteer.index)
        # The abbreviation's own characters: "W.Va." may end inside a token.
        resolved.append(
            Resolved(
                start=mention.start,
                end=mention.end,
                text=doc.text[mention.start : mention.end],
                place=place,
                place_type=resolution.place_type,
                lat=resolution.lat,
                lon=resolution.lon,
                admin1=resolution.admin1,
                country=resolution.country,
            )
        )
    return resolved


def _evidenced(
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


def _outweighs_name(place: Place, similarity: float, rare: bool, context: Counter[str], label: str) -> bool:
    """Without place syntax a person or an organisation stays one, unless the story's geography
    says otherwise: a rare word that is exactly a town of a country the story is about
    ("Mayadeen" read as a surname), or a country the story names more than once ("Mali")."""
    if similarity < 1.0:
        return False
    if place.place_type == "country":
        return context[place.country_code] >= COUNTRY_NAMED_TIMES
    # Organisations have rare names of their own ("Xinhua"): only a person's gives way.
    return label == "PERSON" and rare and context[place.country_code] > 0


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
