"""The extractor's word lists (data/lexicon.json), loaded once."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

LEXICON_FILE = Path(__file__).parent / "data" / "lexicon.json"


def _words(words: list[str]) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(map(re.escape, words)) + r")\b", re.IGNORECASE)


@dataclass(frozen=True)
class Lexicon:
    actors: frozenset[str]
    sources: frozenset[str]
    kill: re.Pattern[str]
    injury: re.Pattern[str]
    incident: re.Pattern[str]
    remote_violence: re.Pattern[str]
    running_total: re.Pattern[str]
    reporting: re.Pattern[str]


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    data = json.loads(LEXICON_FILE.read_text(encoding="utf-8"))
    return Lexicon(
        actors=frozenset(data["actors"]),
        sources=frozenset(data["sources"]),
        kill=_words(data["kill_words"]),
        injury=_words(data["injury_words"]),
        incident=_words(data["incident_words"]),
        remote_violence=_words(data["remote_violence_words"]),
        running_total=re.compile("|".join(data["running_total_patterns"]), re.IGNORECASE),
        reporting=_words(data["reporting_verbs"]),
    )
