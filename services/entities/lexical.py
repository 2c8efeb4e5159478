"""Is a capitalised word an ordinary English word? Asked of gazetteer-only place hits.

wordfreq (a maintained frequency list over many English sources) answers it: "Thursday",
"June", "Metro", "Reading", "Minister", "Canadian" are frequent words, while most place names
only a gazetteer knows are rare ones. A frequent word needs place syntax to be a place
("in Reading", "Reading, Pa.").
"""

from __future__ import annotations

from functools import lru_cache

from wordfreq import zipf_frequency

# Zipf scale: 3 is about once per million words; weekdays, months and titles are above 4.5.
COMMON_WORD_ZIPF = 3.6
# A name NER called a person is a town only when it is rarer than this ("Kherson" 2.1, while
# surnames that are also towns, "Griffith" or "Castro", are above 3.5).
RARE_NAME_ZIPF = 3.0


@lru_cache(maxsize=65_536)
def zipf(word: str) -> float:
    return float(zipf_frequency(word.lower(), "en"))


def is_rare(words: list[str]) -> bool:
    """Every word of the run is rarer than a common surname."""
    return not is_common(words, RARE_NAME_ZIPF)


def is_common(words: list[str], threshold: float = COMMON_WORD_ZIPF) -> bool:
    """Every word of the run is a frequent English word (punctuation and connectors aside)."""
    scored = [w for w in words if any(ch.isalpha() for ch in w)]
    return bool(scored) and all(zipf(w) >= threshold for w in scored)
