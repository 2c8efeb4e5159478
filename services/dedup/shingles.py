"""What dedup compares: word shingles of the normalised body, and the numbers a story states."""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from services.common.text import normalise

Shingles = npt.NDArray[np.uint32]

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


def shingles(paragraphs: list[str], size: int) -> Shingles:
    """Sorted, distinct 32-bit hashes of every `size`-word window of the normalised body.

    CRC-32 is stable across processes (unlike `hash`), so stored sets stay comparable
    after a restart; its collisions are far too rare to move a Jaccard estimate.
    """
    words = normalise(" ".join(paragraphs)).split()
    grams = [" ".join(words[i : i + size]) for i in range(max(1, len(words) - size + 1))]
    return np.unique(np.fromiter((zlib.crc32(g.encode()) for g in grams), dtype=np.uint32))


@dataclass(frozen=True)
class Overlap:
    jaccard: float
    containment: float  # shared shingles over the shingles of the shorter text


def overlap(a: Shingles, b: Shingles) -> Overlap:
    if not len(a) or not len(b):
        return Overlap(0.0, 0.0)
    shared = len(np.intersect1d(a, b, assume_unique=True))
    return Overlap(shared / (len(a) + len(b) - shared), shared / min(len(a), len(b)))


def numbers(text: str) -> frozenset[str]:
    """Figures a text states, as digits or number words ("12", "twelve")."""
    words = normalise(text).split()
    return frozenset(w for w in words if _DIGITS.fullmatch(w) or w in _NUMBER_WORDS)
