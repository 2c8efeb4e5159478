"""Casualty counts from grammar: a casualty predicate, the victims it governs, and their number.

spaCy's dependency parse attaches counts to victims and victims to predicates, so

- "34 soldiers and 12 militants were killed" is 46 (conjoined victims add up), while
  "130 people, including 67 children" is 130 (a subset hangs off a preposition, not a conjunction);
- "a gunman killed two and wounded five" keeps killed and injured on their own predicates;
- "Bob Smith, 22, was pronounced dead at 9:40 p.m." is one killed: the age is an apposition and the
  clock time a prepositional object, and neither is a victim;
- a single victim ("a teenager was shot and killed") counts one.

Victims who were shot or stabbed are *harmed*: injured unless the same text says they died (GVA and
ACLED both count an injured person who died as killed), which `fatalities` settles per incident.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace

from spacy.tokens import Span, Token

from schemas.events import FigureKind
from services.events.actors import Mention
from services.events.lexicon import Lexicon
from services.events.numbers import MULTIPLIERS, count_value

WH_WORDS = frozenset({"who", "that", "whom", "which"})
SUBJECTS = frozenset({"nsubj", "nsubjpass"})
NOBODY = frozenset({"nobody", "none", "noone"})
PRONOUNS_OF_ONE = frozenset({"he", "she", "him", "her", "himself", "herself"})


@dataclass(frozen=True)
class Toll:
    kind: FigureKind
    value: int
    side: str | None
    harm: bool = False  # shot or stabbed: injured unless the incident's text says they died
    clause: int = 0  # the parser's sentence within the text read: counts add up only inside one


@dataclass(frozen=True)
class _Victim:
    noun: Token
    kind: FigureKind
    harm: bool
    count: int | None = None  # when the predicate itself carries the number ("the toll rose to four")
    subset: bool = False  # "three people were shot, one fatally": the one is among the three
    predicate: int = -1  # token index of the word that made it a victim


def _is_fatal(predicate: Token, lex: Lexicon) -> bool:
    """ "fatally shot", "shot dead", "stabbed to death"."""
    for child in predicate.children:
        if child.lower_ in lex.grammar.fatal_modifiers and child.dep_ in ("advmod", "oprd", "acomp", "xcomp"):
            return True
        if child.dep_ == "prep" and child.lower_ == "to" and any(g.lower_ == "death" for g in child.children):
            return True
    return False


def _kind(token: Token, lex: Lexicon) -> tuple[FigureKind, bool] | None:
    """What a casualty word counts: killed, injured, or harmed (shot, stabbed)."""
    g = lex.grammar
    lower, lemma = token.lower_, token.lemma_.lower()
    if token.pos_ in ("VERB", "AUX") or token.tag_.startswith("VB"):
        if lemma in g.kill_lemmas:
            return "killed", False
        if lemma in g.injury_lemmas:
            return "injured", False
        if lemma in g.harm_lemmas:
            return ("killed", False) if _is_fatal(token, lex) else ("injured", True)
    if lower in g.dead_words:
        return "killed", False
    if lower in g.injured_words:
        return "injured", False
    return None


def _conjuncts(token: Token, lex: Lexicon) -> list[Token]:
    """The victim and those joined to it ("34 soldiers and 12 militants"), but not a reporter the
    parser joined to the victims ("killed eight civilians ..., two witnesses said")."""
    return [token, *(c for c in token.conjuncts if c.lemma_.lower() not in lex.grammar.reporter_nouns)]


def _subjects(predicate: Token) -> list[Token]:
    return [c for c in predicate.children if c.dep_ in SUBJECTS]


def _objects(predicate: Token) -> list[Token]:
    return [c for c in predicate.children if c.dep_ == "dobj"]


def _verb_victims(predicate: Token, lex: Lexicon) -> list[Token]:
    """Who a casualty verb happened to: the passive subject, the object, the subject of
    "die", the noun a participle modifies ("two people killed in the attack"); a verb joined
    to another ("was shot and killed") shares its subject or object."""
    if predicate.dep_ in ("acl", "amod") and predicate.tag_ == "VBN":
        return [predicate.head]
    complement = predicate.dep_ in ("advcl", "xcomp", "oprd", "ccomp") and not _subjects(predicate)
    if predicate.tag_ == "VBN" and complement and (objects := _objects(predicate.head)):
        return objects  # "the shooting left five people injured"
    passive = [c for c in predicate.children if c.dep_ == "nsubjpass"]
    if passive:
        return passive
    objects = _objects(predicate)
    if objects:
        return objects
    subjects = [c for c in predicate.children if c.dep_ == "nsubj"]
    if subjects and predicate.lemma_.lower() in lex.grammar.intransitive_lemmas:
        return subjects
    # "2 killed, 3 hurt" in a headline, "three others wounded": a counted subject and no object
    # is the victims of a reduced passive.
    counted = [s for s in subjects if _stated_count(s, lex) is not None and s.lower_ not in PRONOUNS_OF_ONE]
    if counted and not _active(predicate, lex):
        return counted
    if _telegraphic_passive(predicate, lex):
        # "17-year-old girl shot in head", "A boy fatally shot on Monday was identified": a
        # headline's or a reduced clause's passive, with no auxiliary; "shot at police" is not.
        return [s for s in subjects if s.tag_ in ("NN", "NNS", "NNP") and s.lower_ not in PRONOUNS_OF_ONE]
    own = [c for c in predicate.children if c.dep_ == "nummod" and count_value(c, lex.numbers) is not None]
    if own:
        return own  # "2 killed, 3 hurt": the joined verb's own count
    if predicate.dep_ == "conj" and not subjects:
        return (
            _verb_victims(predicate.head, lex)
            if _kind(predicate.head, lex) is None
            else (_subjects(predicate.head) + _objects(predicate.head))
        )
    return []


def _active(predicate: Token, lex: Lexicon) -> bool:
    """The subject did it: an object, an auxiliary, "shot at police", or a joined verb with an
    object ("two men shot and wounded a clerk")."""
    return any(
        c.dep_ in ("aux", "auxpass", "prt", "dobj", "dative")
        or (c.dep_ in ("prep", "advmod") and c.lower_ in lex.grammar.aimed_preps)
        or (c.dep_ == "conj" and bool(_objects(c)))
        for c in predicate.children
    )


def _telegraphic_passive(predicate: Token, lex: Lexicon) -> bool:
    return (
        predicate.lemma_.lower() in lex.grammar.harm_lemmas
        and predicate.tag_ in ("VBD", "VBN")
        and not _active(predicate, lex)
    )


def _adjective_victims(word: Token) -> list[Token]:
    """ "is dead", "was found dead", "left one man dead", "two dead", "the wounded man"."""
    if any(c.dep_ == "nummod" for c in word.children):
        return [word]  # "three dead": the word stands for the victims
    own = _subjects(word)
    if own:
        return own  # "an attack that left at least 12 people dead": "people" is the subject of "dead"
    if word.dep_ == "amod":
        return [word.head]
    if word.dep_ in ("acomp", "oprd", "xcomp", "ccomp", "advcl"):
        head = word.head
        return _objects(head) or _subjects(head)
    return []


def _life_victims(token: Token, lex: Lexicon) -> list[_Victim]:
    """ "lost their lives", "claimed the lives of 12 soldiers"."""
    verb = token.head
    if token.dep_ != "dobj" or verb.lemma_.lower() not in lex.grammar.life_verbs:
        return []
    of = [
        g
        for c in token.children
        if c.dep_ == "prep" and c.lower_ == "of"
        for g in c.children
        if g.dep_ == "pobj"
    ]
    return [_Victim(n, "killed", False) for n in of or [s for s in verb.children if s.dep_ == "nsubj"]]


def _toll_victims(token: Token, lex: Lexicon) -> list[_Victim]:
    """ "the death toll rose to four", "a death toll of five", "the toll stands at 12"."""
    places = [token, token.head] if token.dep_ in SUBJECTS else [token]
    for where in places:
        for prep in where.children:
            if prep.dep_ in ("prep", "attr", "dobj") and prep is not token:
                candidates = [prep, *prep.children] if prep.dep_ != "prep" else list(prep.children)
                for candidate in candidates:
                    value = count_value(candidate, lex.numbers)
                    if value is not None:
                        return [_Victim(candidate, "killed", False, value)]
    return []


def _death_noun_victims(token: Token, lex: Lexicon) -> list[_Victim]:
    """ "two deaths", "the deaths of three men", "the bodies of two men"."""
    if any(c.dep_ == "nummod" for c in token.children):
        return [_Victim(token, "killed", False)]
    of = [
        g
        for c in token.children
        if c.dep_ == "prep" and c.lower_ == "of"
        for g in c.children
        if g.dep_ == "pobj"
    ]
    return [_Victim(n, "killed", False) for n in of]


def _victims(sentence: Span, lex: Lexicon) -> Iterator[_Victim]:
    for token in sentence:
        for victim in _victims_of(token, lex):
            yield replace(victim, predicate=token.i)


def _wounded(token: Token, lex: Lexicon) -> list[Token]:
    """ "He suffered a gunshot wound", "a man with gunshot wounds": who bears the wound."""
    head = token.head
    if token.dep_ == "dobj" and head.lemma_.lower() in lex.grammar.wound_verbs:
        return [c for c in head.children if c.dep_ == "nsubj"]
    if token.dep_ == "pobj" and head.lower_ == "with" and head.head.pos_ in ("NOUN", "PROPN"):
        return [head.head]
    return []


def _struck(token: Token, lex: Lexicon) -> list[Token]:
    """ "A boy was hit by a stray bullet", "a woman struck by gunfire": who the shot struck."""
    by = [
        g
        for c in token.children
        if c.dep_ == "agent"
        for g in c.children
        if g.dep_ == "pobj" and g.lemma_.lower() in lex.grammar.projectile_nouns
    ]
    if not by:
        return []
    if token.dep_ in ("acl", "amod"):
        return [token.head]
    return [c for c in token.children if c.dep_ == "nsubjpass"]


def _sent_to_hospital(token: Token, lex: Lexicon) -> list[Token]:
    """ "The gunfire sent four people to the hospital": who was sent."""
    to = [c for c in token.children if c.dep_ in ("prep", "dative") and c.lower_ == "to"]
    if not any(g.lemma_.lower() in lex.grammar.hospital_nouns for c in to for g in c.children):
        return []
    return _objects(token)


def _victims_of(token: Token, lex: Lexicon) -> Iterator[_Victim]:
    g = lex.grammar
    lemma = token.lemma_.lower()
    if token.pos_ == "VERB" and lemma in g.hospital_verbs:
        yield from (_Victim(n, "injured", True) for n in _sent_to_hospital(token, lex))
        return
    if token.pos_ == "NOUN" and lemma in g.wound_nouns:
        yield from (_Victim(n, "injured", True) for n in _wounded(token, lex))
        return
    if token.tag_ == "VBN" and lemma in g.strike_lemmas:
        yield from (_Victim(n, "injured", True) for n in _struck(token, lex))
        return
    if lemma == "life":
        yield from _life_victims(token, lex)
        return
    if lemma in g.toll_nouns:
        yield from _toll_victims(token, lex)
        return
    if token.pos_ == "NOUN" and lemma in g.death_nouns:
        yield from _death_noun_victims(token, lex)
        return
    if token.tag_ in ("NN", "NNS") and token.lower_ in g.harm_forms:
        # "6 shot at downtown bar": the parser makes the headline's participle a noun.
        counted = [c for c in token.children if c.dep_ in ("nummod", "nsubj") and count_value(c, lex.numbers)]
        yield from (_Victim(c, "injured", True) for c in counted)
        return
    kind = _kind(token, lex)
    if kind is None or any(c.dep_ == "neg" for c in token.children):  # "was not hurt"
        return
    if token.tag_.startswith("VB") and token.lower_ not in g.dead_words:
        nouns = _verb_victims(token, lex)
        if kind[1]:
            # "Three people were shot, one fatally": the fatal ones are killed.
            for child in token.children:
                if count_value(child, lex.numbers) is not None and any(
                    c.lower_ in g.fatal_modifiers for c in child.children
                ):
                    yield _Victim(child, "killed", False, subset=True)
    elif token.dep_ in ("oprd", "acomp", "advmod") and _kind(token.head, lex) is not None:
        return  # "shot dead": the verb already counts them
    else:
        nouns = _adjective_victims(token)
    for noun in nouns:
        if noun.lower_ in WH_WORDS:  # "the man who was killed"
            noun = token.head if token.dep_ == "relcl" else noun.head
        yield _Victim(noun, *kind)


def _stated_count(noun: Token, lex: Lexicon) -> int | None:
    """A number the text gives for a victim noun: the noun itself ("four were killed", "one of
    them") or its numeric modifier ("34 soldiers"); "a dozen", "both" count too."""
    value = count_value(noun, lex.numbers)
    if value is not None:
        return value
    numbers = [c for c in noun.children if c.dep_ in ("nummod", "quantmod", "compound")]
    values = [v for c in numbers if (v := count_value(c, lex.numbers)) is not None]
    if values:
        # "two dozen soldiers" may hang both words on the noun: 2 x 12.
        multiplied = any(c.lower_ in MULTIPLIERS for c in numbers) and len(values) > 1
        return values[0] * values[1] if multiplied else values[0]
    for child in noun.children:
        if child.dep_ in ("det", "predet") and child.lower_ in lex.numbers.determiner_counts:
            return lex.numbers.determiner_counts[child.lower_]
    return None


def _count(
    noun: Token, lex: Lexicon, people: list[tuple[int, int]], other: list[tuple[int, int]]
) -> int | None:
    """How many people a victim noun stands for, or None when it is not people or not counted
    ("people were killed", "two vehicles were hit", "Baghdad was struck")."""
    start, end = noun.idx, noun.idx + len(noun.text)
    if lex.grammar.not_victims.match(noun.text) or any(s < end and start < e for s, e in other):
        return None
    previous = noun.doc[noun.i - 1].lower_ if noun.i > 0 else ""
    if noun.lower_ in NOBODY or previous == "no" or any(c.lower_ == "no" for c in noun.children):
        return None  # "no one was killed", "no soldiers were hurt"
    stated = _stated_count(noun, lex)
    if stated is not None:
        return stated
    if noun.lower_ in PRONOUNS_OF_ONE:
        return 1
    if noun.tag_ == "NNP":  # a name that the entities stage did not call a place or an organisation
        return 1
    if noun.tag_ == "NN" or (noun.tag_ == "JJ" and noun.lower_ == "old"):  # "a man", "a 17-year-old"
        return 1
    return None


def _side(noun: Token, found: Iterable[Mention]) -> str | None:
    start, end = noun.left_edge.idx, noun.idx + len(noun.text)
    return next((m.name for m in found if m.start < end and start < m.end), None)


def tolls(
    sentence: Span,
    found: list[Mention],
    lex: Lexicon,
    people: list[tuple[int, int]] = [],  # noqa: B006 - read only
    other: list[tuple[int, int]] = [],  # noqa: B006 - read only
) -> list[Toll]:
    """Every counted victim group of a parsed sentence, once per victim noun and kind; a
    victim both harmed and killed ("was shot and later died") is killed only, and so is one a
    pronoun names again ("died after he shot himself"). `people` and
    `other` are character spans (in the sentence) of person names and of other names."""
    seen: dict[tuple[int, FigureKind], _Victim] = {}
    for victim in _victims(sentence, lex):
        for noun in _conjuncts(victim.noun, lex):
            key = (noun.i, victim.kind)
            if key not in seen or (seen[key].harm and not victim.harm):
                count = victim.count if noun is victim.noun else None
                seen[key] = replace(victim, noun=noun, count=count)
    killed = {i for i, kind in seen if kind == "killed"}
    dead_in = {_sentence_index(sentence.doc[i]) for i in killed}
    counted: list[tuple[_Victim, Toll]] = []
    for (i, kind), victim in sorted(seen.items()):
        if victim.harm and i in killed:
            continue
        if victim.harm and victim.noun.tag_ == "PRP" and _sentence_index(victim.noun) in dead_in:
            continue  # "the boy died after a friend shot him": the dead boy, told again
        value = victim.count if victim.count is not None else _count(victim.noun, lex, people, other)
        if value is not None:
            clause = _sentence_index(victim.noun)
            counted.append((victim, Toll(kind, value, _side(victim.noun, found), victim.harm, clause)))
    counted = _without_repeats(counted, lex)
    died = Counter[int]()
    for victim, toll in counted:
        if victim.subset:
            died[toll.clause] += toll.value
    return [replace(t, value=max(0, t.value - died[t.clause])) if t.harm else t for _, t in counted]


def _without_repeats(counted: list[tuple[_Victim, Toll]], lex: Lexicon) -> list[tuple[_Victim, Toll]]:
    """The same count told again by another predicate of one sentence is a repeat (page
    furniture that runs a headline into the lede: "Blasts kill 30 ... At least 30 fighters were
    killed"), not more victims."""
    kept: dict[tuple[int, FigureKind, int, bool], int] = {}
    result = []
    for victim, toll in counted:
        if victim.count is None and _stated_count(victim.noun, lex) is None:
            result.append((victim, toll))  # "a man ...; another man ...": one each, never a repeat
            continue
        key = (toll.clause, toll.kind, toll.value, toll.harm)
        if kept.setdefault(key, victim.predicate) != victim.predicate:
            continue
        result.append((victim, toll))
    return result


def _sentence_index(token: Token) -> int:
    """Which of the parser's sentences the token is in: a run-on "sentence" of page furniture
    repeating a headline three times is three sentences to the parser, and its counts do not add up."""
    start = token.sent.start
    return sum(1 for s in token.doc.sents if s.start < start)
