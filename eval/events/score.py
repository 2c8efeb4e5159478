"""Score event extraction on labelled articles (eval/events/articles/*.yaml by default).

Runs the real pipeline functions (spaCy entities from services.entities, then
services.events.extract) on every article and compares the incidents with the gold:

- a predicted event matches a gold incident when one of its evidence sentences contains
  the gold `cue`; predictions matching an `optional` cue are neither right nor wrong;
- incident precision and recall over all articles;
- for matched incidents, the share with the right date (same day), right place (same
  name, same admin1, or within 50 km), right actors (actor1 in the gold's actor1 list,
  and actor2 in its actor2 list when the gold names one) and fatalities within the gold
  [low, high] range. Place and admin1 names compare after dropping accents, case and
  punctuation, with a similarity of at least SAME_NAME for transliterations.

Usage: `make eval-events` (or `python eval/events/score.py [-v] [--articles DIR]`);
`make eval-events-heldout` scores eval/events/heldout/, which no rule was tuned on.
"""

from __future__ import annotations

import argparse
import sys
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from schemas.articles import Article, UniqueArticle  # noqa: E402
from schemas.events import Event  # noqa: E402
from services.common.geo import haversine_km  # noqa: E402
from services.common.settings import Settings  # noqa: E402
from services.entities.ner import enrich, load_pipeline  # noqa: E402
from services.events.extract import extract_events  # noqa: E402

ARTICLES = Path(__file__).parent / "articles"
PLACE_KM = 50.0
SAME_NAME = 0.85
TARGET = 0.85


@dataclass
class Tally:
    gold: int = 0
    predicted: int = 0
    matched: int = 0
    right: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys(("date", "place", "actors", "fatalities"), 0)
    )
    problems: list[str] = field(default_factory=list)


def load_gold(folder: Path) -> list[dict[str, Any]]:
    return [item for path in sorted(folder.glob("*.yaml")) for item in yaml.safe_load(path.read_text())]


def article_of(item: dict[str, Any]) -> UniqueArticle:
    published = datetime.combine(item["published"], time(12, 0), tzinfo=UTC)
    article = Article(
        article_id=item["id"],
        source=f"eval/events/{item['id']}",
        agency=item["agency"],
        headline=item["headline"],
        paragraphs=[p.strip() for p in item["text"].split("\n\n") if p.strip()],
        published=published,
        published_from="metadata",
        ingested=published,
    )
    return UniqueArticle(fingerprint=item["id"], article=article)


def _plain(name: str) -> str:
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return "".join(ch for ch in text if ch.isalnum())


def _same_name(a: str, b: str) -> bool:
    """Transliterations differ by a letter or two: Shabele/Shabelle, Taez/Taiz."""
    return SequenceMatcher(None, _plain(a), _plain(b)).ratio() >= SAME_NAME


def place_right(event: Event, gold: dict[str, Any]) -> bool:
    where = event.location
    if where is None:
        return False
    if _same_name(where.name, gold["place"]) or _same_name(where.name, gold["admin1"]):
        return True
    if where.admin1 and _same_name(where.admin1, gold["admin1"]):
        return True
    return (
        where.lat is not None
        and where.lon is not None
        and haversine_km(where.lat, where.lon, gold["lat"], gold["lon"]) <= PLACE_KM
    )


def actors_right(event: Event, gold: dict[str, Any]) -> bool:
    if event.actor1 not in gold["actor1"]:
        return False
    return not gold["actor2"] or bool({event.actor2, *event.assoc_actors} & set(gold["actor2"]))


def fatalities_right(event: Event, gold: dict[str, Any]) -> bool:
    low, high = gold["fatalities"]
    return low <= (event.fatalities.best or 0) <= high


def _cited(event: Event, cue: str) -> bool:
    return any(cue.lower() in e.sentence.lower() for e in event.evidence)


def _describe(event: Event) -> str:
    place = event.location.name if event.location else None
    return (
        f"{event.date} {event.event_type}/{event.sub_type} {event.actor1} vs {event.actor2} "
        f"@ {place} killed={event.fatalities.best}"
    )


def score(item: dict[str, Any], events: list[Event], tally: Tally) -> None:
    unmatched = list(events)
    tally.predicted += len(unmatched)
    for gold in item["incidents"]:
        tally.gold += 1
        event = next((e for e in unmatched if _cited(e, gold["cue"])), None)
        if event is None:
            tally.problems.append(f"{item['id']}: missed '{gold['cue']}'")
            continue
        unmatched.remove(event)
        tally.matched += 1
        checks = {
            "date": event.date == gold["date"],
            "place": place_right(event, gold),
            "actors": actors_right(event, gold),
            "fatalities": fatalities_right(event, gold),
        }
        for name, ok in checks.items():
            tally.right[name] += ok
        wrong = [name for name, ok in checks.items() if not ok]
        if wrong:
            tally.problems.append(f"{item['id']}: wrong {', '.join(wrong)}: got {_describe(event)}")
    optional = [e for e in unmatched if any(_cited(e, cue) for cue in item.get("optional", []))]
    tally.predicted -= len(optional)
    tally.problems += [f"{item['id']}: spurious {_describe(e)}" for e in unmatched if e not in optional]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="list every case it gets wrong")
    parser.add_argument("--articles", type=Path, default=ARTICLES, help="folder of labelled *.yaml")
    args = parser.parse_args()
    gold = load_gold(args.articles)
    if not gold:
        parser.error(f"no labelled articles in {args.articles}")
    settings = Settings()
    enriched = enrich(load_pipeline(settings.spacy_model), [article_of(i) for i in gold], batch_size=32)
    tally = Tally()
    for item, article in zip(gold, enriched, strict=True):
        score(item, extract_events(article), tally)
    # Precision counts a prediction right when it matched a gold incident.
    precision = tally.matched / tally.predicted if tally.predicted else 0.0
    recall = tally.matched / tally.gold if tally.gold else 0.0
    print(f"articles {len(gold)}  gold incidents {tally.gold}  predicted {tally.predicted}", end="  ")
    print(f"matched {tally.matched}")
    print(f"incident precision {precision:.2f}  recall {recall:.2f}   (target >= {TARGET})")
    for name, right in tally.right.items():
        share = right / tally.matched if tally.matched else 0.0
        print(f"  matched with right {name:<10} {share:.2f}  ({right}/{tally.matched})")
    if args.verbose:
        print("\nstill wrong:")
        print("\n".join(f"  {p}" for p in tally.problems))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
