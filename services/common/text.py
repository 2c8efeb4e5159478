"""Text normalisation shared by the feeder (fingerprints) and dedup (repeat detection)."""

from __future__ import annotations

import hashlib
import re
import unicodedata

_PUNCT_MAP = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "—": "-", "–": "-"})
_NON_WORD = re.compile(r"[^\w\s]")
_SPACE = re.compile(r"\s+")


def clip(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters, an ellipsis marking the cut (log lines,
    error reasons, keyword fields)."""
    return text if len(text) <= limit else f"{text[: limit - 1]}…"


def normalise(text: str) -> str:
    """Lower case, NFKC, one kind of quote and dash, no punctuation, single spaces.

    Syndicated copies differ in exactly these details, so they must not change a hash.
    """
    text = unicodedata.normalize("NFKC", text).translate(_PUNCT_MAP).lower()
    return _SPACE.sub(" ", _NON_WORD.sub(" ", text)).strip()


def fingerprint(paragraphs: list[str]) -> str:
    return hashlib.sha1(normalise(" ".join(paragraphs)).encode("utf-8")).hexdigest()


def tokens(text: str) -> set[str]:
    return set(normalise(text).split())


def jaccard(a: set[str], b: set[str]) -> float:
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


_SENTENCE_BREAK = re.compile(r"(?<=[.!?])[\"”’]?\s+(?=[\"“‘]?[A-Z0-9])")
_ABBREVIATION = re.compile(r"\b(?:[A-Z][a-z]{0,3}|[A-Z](?:\.[A-Z])*)\.$")
_ABBREVIATION_TAIL = 40  # characters before a break that can hold an abbreviation
# "shot at 8:45 p.m. Friday", "at 10 a.m. Sept. 3": a clock time's "p.m." runs on into its day.
_CLOCK = re.compile(r"\b[ap]\.m\.$", re.IGNORECASE)
_DAY_AFTER_CLOCK = re.compile(
    r"[\"“‘]?(?:Mon|Tues?|Wed(?:nes)?|Thu(?:rs?)?|Fri|Sat(?:ur)?|Sun)(?:day)?\b"
    r"|(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)[a-z]*\b\.?\s*\d"
)


def split_sentences(paragraph: str) -> list[str]:
    """Sentences of a paragraph; a break after "Col." or "U.S.", or after a clock time's "p.m."
    followed by its day ("8 p.m. Friday"), is not a sentence end."""
    sentences: list[str] = []
    start = 0
    for match in _SENTENCE_BREAK.finditer(paragraph):
        # Only the words before the break can make it an abbreviation: looking at a bounded
        # tail keeps a paragraph of many "U.S." breaks linear instead of quadratic.
        tail = paragraph[max(start, match.start() - _ABBREVIATION_TAIL) : match.start()].rstrip()
        if _ABBREVIATION.search(tail.rstrip('"”’')):
            continue
        if _CLOCK.search(tail) and _DAY_AFTER_CLOCK.match(paragraph, match.end()):
            continue
        sentences.append(paragraph[start : match.end()].strip())
        start = match.end()
    if tail := paragraph[start:].strip():
        sentences.append(tail)
    return sentences
