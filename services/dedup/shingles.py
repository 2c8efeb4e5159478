"""What dedup compares: word shingles of a story's own prose, its opening, and its figures.

Every function here is linear in the length of the story: one pass of hashing, no
comparison of one part of a story with another.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from services.common.text import normalise

Shingles = npt.NDArray[np.uint32]
Opening = npt.NDArray[np.uint16]  # 16 bits a window: a lead meets at most ~130 of them

# Number words wire copy uses for counts; not "one" ("one of the deadliest"), and
# "dozens" carries no figure.
_NUMBER_WORDS = frozenset(
    [
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
        "twenty",
        "thirty",
        "forty",
        "fifty",
        "sixty",
        "seventy",
        "eighty",
        "ninety",
        "hundred",
        "thousand",
    ]
)
_DIGITS = re.compile(r"\d+")
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"  # "Jul.", "July", "Sept"
# Dates and clock times are when a copy was filed, not what it reports: an outlet that
# stamps "Jul. 7, 5:59 PM" or "Updated 4/9/2007" on a copy has not changed its figures.
_DATES_AND_TIMES = re.compile(
    rf"""
    \b\d{{1,2}}\s*:\s*\d{{2}}(?:\s*[ap]\.?\s*m\b\.?)?            # 5:59, 5: 59 pm, 07:07AM
    | \b\d{{1,2}}\s*[ap]\.\s*m\b\.?|\b\d{{1,2}}\s*[ap]m\b         # 6 p.m., 6pm
    | \b\d{{1,4}}\s*[/.-]\s*\d{{1,2}}\s*[/.-]\s*\d{{2,4}}\b      # 4/9/2007, 2019-06-01
    | \b{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?\b(?:\s*,?\s*\d{{4}}\b)?   # July 8, 2012
    | \b\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH}(?:\s*,?\s*\d{{4}}\b)?     # 8 July 2012
    | \b(?:1[89]|20)\d{{2}}\b                                    # a year on its own
    """,
    re.IGNORECASE | re.VERBOSE,
)
# Double quotation marks only: a single quote is also an apostrophe ("didn't").
_QUOTE_MARK = re.compile(r"[\"“”„«»]")
MOSTLY_QUOTED = 0.25  # below this share of own prose, a story's quotes are its substance


def words(paragraphs: list[str]) -> list[str]:
    return normalise(" ".join(paragraphs)).split()


def hash_shingles(words: list[str], size: int) -> Shingles:
    """Every `size`-word window's 32-bit hash, in text order (repeats kept).

    CRC-32 is stable across processes (unlike `hash`), so stored sets stay comparable
    after a restart; its collisions are far too rare to move a containment figure.
    """
    count = max(1, len(words) - size + 1) if words else 0
    grams = (" ".join(words[i : i + size]).encode() for i in range(count))
    return np.fromiter((zlib.crc32(g) for g in grams), dtype=np.uint32, count=count)


def unquoted(paragraph: str) -> str:
    """The paragraph without what it puts in double quotes.

    A quote opened and not closed runs to the end of the paragraph, as wire style
    continues a long quote into the next paragraph with a fresh opening mark.
    """
    return " ".join(_QUOTE_MARK.split(paragraph)[0::2])


def substance(paragraphs: list[str]) -> list[str]:
    """The story's own prose: what two copies of one story share and two stories that
    quote one statement, press release or spokesman do not.

    A story that is mostly quotes (an interview, a statement run whole, or a stray
    opening mark) keeps its quotes: they are all it has.
    """
    prose = [unquoted(p) for p in paragraphs]
    own, total = sum(len(p.split()) for p in prose), sum(len(p.split()) for p in paragraphs)
    return prose if own >= MOSTLY_QUOTED * total else paragraphs


def shingles(paragraphs: list[str], size: int) -> Shingles:
    """Sorted, distinct hashes of the `size`-word windows of the story's substance."""
    return np.unique(hash_shingles(words(substance(paragraphs)), size))


def opening(paragraphs: list[str], size: int, lead_min_words: int, length: int) -> Opening:
    """Hashes of the first `length` words' windows, from the first paragraph of at least
    `lead_min_words` words (so a dateline, byline or timestamp line does not count), in
    text order: the lead a cut copy keeps.

    Only the low 16 bits are kept (half the memory): a lead window then matches one of the
    other opening's ~130 windows by accident with a chance of 0.2%, which moves the share
    of a lead kept by about as much."""
    start = next((i for i, p in enumerate(paragraphs) if len(p.split()) >= lead_min_words), 0)
    found: list[str] = []
    for paragraph in paragraphs[start:]:
        found.extend(normalise(paragraph).split())
        if len(found) >= length:
            break
    return (hash_shingles(found[:length], size) & 0xFFFF).astype(np.uint16)


FULL = 2**32  # the bound of a shingle set kept whole: every 32-bit hash is below it


def sample(found: Shingles, limit: int) -> tuple[Shingles, int]:
    """At most `limit` shingles of a sorted set, and the bound below which it is complete.

    The smallest hashes are a uniform sample that any other set can be cut to the same
    way (keep what is below the bound), so containment measured on both cuts estimates
    the containment of the whole sets. A very long story stays a bounded entry.
    """
    if len(found) <= limit:
        return found, FULL
    return found[:limit], int(found[limit])


@dataclass(frozen=True)
class Overlap:
    jaccard: float
    containment: float  # shared shingles over the shingles of the shorter text
    covered: float  # shared shingles over the shingles of the longer text


def overlap(a: Shingles, b: Shingles, bound: int = FULL) -> Overlap:
    """Overlap of two sorted sets, both cut below `bound` (one of them may be a sample)."""
    a = a[: int(np.searchsorted(a, bound))]
    b = b[: int(np.searchsorted(b, bound))]
    if not len(a) or not len(b):
        return Overlap(0.0, 0.0, 0.0)
    shared = len(np.intersect1d(a, b, assume_unique=True))
    return Overlap(
        shared / (len(a) + len(b) - shared), shared / min(len(a), len(b)), shared / max(len(a), len(b))
    )


def lead_kept(lead: Opening, other_opening: Opening) -> float:
    """Share of one story's lead windows found in another's opening."""
    if not len(lead):
        return 0.0
    return float(np.isin(lead, other_opening).mean())


def numbers(text: str) -> frozenset[str]:
    """Figures a text states, as digits or number words ("12", "twelve"); not the dates
    and clock times it is stamped or filed with."""
    words = normalise(_DATES_AND_TIMES.sub(" ", text)).split()
    return frozenset(w for w in words if _DIGITS.fullmatch(w) or w in _NUMBER_WORDS)
