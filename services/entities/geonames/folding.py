"""Spelling-insensitive keys for place names: accents, apostrophes, hyphens, spaces and Arabic
articles folded away, and a consonant skeleton for transliteration variants."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Arabic definite articles as separate words ("Deir al Zour", "Dayr az Zawr").
ARTICLES = frozenset({"al", "el", "ar", "as", "ash", "ad", "az", "ez", "at", "an", "ul", "es", "ed", "er"})
# ... and glued, assimilated to the next consonant ("Ezzor", "Arraqqah").
_GLUED_ARTICLE = re.compile(r"^[ae]([dnrstz])(?=\1\w{2})")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_APOSTROPHES = re.compile(r"['`\u2018\u2019\u02bb\u02bc\u02be\u02bf]")
_VOWELS = re.compile(r"[aeiouyw]")
_REPEATS = re.compile(r"(.)\1+")


@lru_cache(maxsize=262_144)
def fold(name: str) -> str:
    """Spelling-insensitive key: no accents, apostrophes, hyphens, spaces or Arabic articles."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    words = _NON_ALNUM.sub(" ", _APOSTROPHES.sub("", ascii_name)).split()
    if len(words) > 1:
        words = [w for w in words if w not in ARTICLES] or words
    words = [_GLUED_ARTICLE.sub("", w) for w in words]
    joined = "".join(words)
    # "Raqqah" = "Raqqa": a final h after a vowel is transliteration noise.
    return joined[:-1] if len(joined) > 3 and joined.endswith("h") and joined[-2] in "aeiou" else joined


def skeleton(folded: str) -> str:
    """Consonant skeleton of a folded name: Mayadeen = Mayadin = Meyadin, Zour = Zor = Zawr."""
    if not folded:
        return folded
    rest = _VOWELS.sub("", folded[1:].replace("q", "k").replace("ph", "f"))
    return _REPEATS.sub(r"\1", folded[0] + rest)
