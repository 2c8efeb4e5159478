"""Re-run only the events stage over an offline run: python -m eval.events.replay IN.jsonl OUT.jsonl

Reads an offline run's output (`wirestream process ... --out IN.jsonl`), copies every message
but the events, and writes the events the current extractor and assembly make from its
enriched messages, in the order offline mode would (each article's events right after its
enriched message, tombstones after the event that retired them). Score OUT.jsonl with the dev
scorer as usual: the spaCy NER run, the slow part, is not repeated while tuning the events
stage (the entities in IN.jsonl are those of the run that wrote it).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from schemas.articles import EnrichedArticle
from schemas.topics import ENRICHED, EVENTS
from services.common.settings import get_settings
from services.events.assembly import Assembler
from services.events.extract import extract_events
from services.offline import Retired, as_record


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="an offline run's output")
    parser.add_argument("out", type=Path)
    args = parser.parse_args()
    settings = get_settings()
    events, enriched = settings.topic(EVENTS), settings.topic(ENRICHED)
    assembler = Assembler()
    count = 0
    with args.source.open(encoding="utf-8") as lines, args.out.open("w", encoding="utf-8") as out:
        for line in lines:
            message = json.loads(line)
            if message["topic"] == events:
                continue
            out.write(line)
            if message["topic"] != enriched:
                continue
            for report in extract_events(EnrichedArticle.model_validate(message["value"])):
                assembled = assembler.add(report)
                records = [assembled.event, *(Retired(i) for i in assembled.retired)]
                for record in records:
                    out.write(json.dumps(as_record(record, settings), ensure_ascii=False) + "\n")
                count += 1
    print(f"{count} reports assembled into {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
