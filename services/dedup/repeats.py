"""Repeated sentences inside one story, found in linear time.

Wire copy repeats a background sentence inside a later paragraph, sometimes with a word
changed. Comparing every sentence with every earlier one is quadratic (a 10,000-sentence
story blocked dedup for 75 s). Instead each sentence's word set gets hashed keys for
itself and for every set one word smaller (the XOR of its word hashes, and that XOR with
one word taken out, so each key costs O(1)). Two word sets that differ by one word added,
dropped or swapped share a key; a shared key names one earlier sentence, which is then
verified on the words (Jaccard at least `threshold`). Each sentence verifies at most
`max_verified` earlier ones, so the work is linear in the story's words whatever it holds.

A sentence whose words differ from an earlier one's by two or more words is not found
this way, even when the Jaccard similarity of a long sentence would pass: the price of
linear time, and the repeats wire copy makes are verbatim or one-word edits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import reduce
from operator import xor

from services.common.text import jaccard, split_sentences, tokens


@dataclass(frozen=True)
class RepeatRule:
    threshold: float = 0.8  # word Jaccard above which a sentence repeats an earlier one
    min_words: int = 6  # shorter sentences ("He said so.") may honestly recur
    max_verified: int = 4  # earlier sentences compared per sentence, at most


@dataclass
class Work:
    """What one call did, counted (tests check linearity on it, not on a clock)."""

    words: int = 0
    keys: int = 0
    comparisons: int = 0
    sentences: int = 0


@dataclass
class _Seen:
    sentences: list[set[str]] = field(default_factory=list)
    first_with_key: dict[int, int] = field(default_factory=dict)


def drop_repeated_sentences(
    paragraphs: list[str], rule: RepeatRule | None = None, work: Work | None = None
) -> list[str]:
    """Keep the first of sentences that say the same thing with at most a word changed.

    Dropping whole paragraphs would lose the new sentences around a repeat, so sentences
    go one by one; a paragraph left empty goes.
    """
    rule = rule or RepeatRule()
    work = work if work is not None else Work()
    seen = _Seen()
    kept_paragraphs: list[str] = []
    for paragraph in paragraphs:
        sentences = split_sentences(paragraph)
        kept = [s for s in sentences if not _repeats(s, seen, rule, work)]
        if len(kept) == len(sentences):
            kept_paragraphs.append(paragraph)
        elif kept:
            kept_paragraphs.append(" ".join(kept))
    return kept_paragraphs


def _repeats(sentence: str, seen: _Seen, rule: RepeatRule, work: Work) -> bool:
    """Whether the sentence repeats an earlier one; if not, it is remembered."""
    words = tokens(sentence)
    work.sentences += 1
    work.words += len(words)
    if len(words) < rule.min_words:
        return False
    hashes = [hash(word) for word in words]  # per-process salt is fine: nothing is stored
    whole = reduce(xor, hashes, 0)
    keys = [whole, *(whole ^ h for h in hashes)]
    work.keys += len(keys)
    verified: set[int] = set()
    for key in keys:
        earlier = seen.first_with_key.get(key)
        if earlier is None or earlier in verified:
            continue
        if len(verified) == rule.max_verified:
            break
        verified.add(earlier)
        work.comparisons += 1
        if jaccard(words, seen.sentences[earlier]) >= rule.threshold:
            return True
    index = len(seen.sentences)
    seen.sentences.append(words)
    for key in keys:
        seen.first_with_key.setdefault(key, index)
    return False
