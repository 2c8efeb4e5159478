"""Order independence of assembly on real reports: python -m eval.events.shuffled OUT.jsonl [--orders 3]

Reads an offline run's output (`wirestream process ... --out OUT.jsonl`), re-extracts each
article's reports from its enriched message, assembles them in the original order and in
`--orders` shuffled orders, and prints whether the final events (as sets of article ids, what
the compacted wire.events holds) are identical.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

from schemas.articles import EnrichedArticle
from schemas.events import Event
from services.events.assembly import assemble_all
from services.events.extract import extract_events


def final_events(reports: list[Event]) -> list[list[tuple[str, int, str]]]:
    """Each final event as the reports it holds (its evidence), whatever its id."""
    return sorted(
        sorted((x.article_id, x.start or 0, x.sentence) for x in e.evidence) for e in assemble_all(reports)
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--orders", type=int, default=3)
    args = parser.parse_args()
    reports: list[Event] = []
    with args.out.open(encoding="utf-8") as lines:
        for line in lines:
            message = json.loads(line)
            if message["topic"].endswith("enriched"):
                reports += extract_events(EnrichedArticle.model_validate(message["value"]))
    expected = final_events(reports)
    merged = sum(1 for event in expected if len({a for a, _, _ in event}) > 1)
    print(f"{len(reports)} reports -> {len(expected)} events, {merged} of them from several articles")
    same = True
    for seed in range(args.orders):
        shuffled = reports[:]
        random.Random(seed).shuffle(shuffled)
        found = final_events(shuffled)
        print(f"order {seed + 1}: {'identical' if found == expected else 'DIFFERENT'}")
        same &= found == expected
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
