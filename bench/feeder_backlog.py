"""One-shot backlog rate: generated wire stories -> `publish_backlog` -> the local Kafka.

    python -m bench.feeder_backlog [--articles 10000] [--format jsonl|txt]

Writes the backlog to a temporary folder (one JSONL file, or one .txt file per story with a
meta.json sidecar), then measures (1) parsing alone and (2) the whole one-shot load with
every record acknowledged by the broker (idempotent producer, acks=all, gzip), on fresh
topics that are deleted afterwards. Prints articles per second for both.
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
import uuid
from pathlib import Path

from kafka.admin import KafkaAdminClient

from schemas.topics import ALL_TOPICS, RAW
from services.common.kafka import create_topics, kafka_python_config
from services.common.settings import Settings
from services.feeder.backlog import publish_backlog
from services.feeder.reader import read_paths
from tests.integration.harness import messages_on

PLACES = ["BEIRUT", "KABUL", "LAGOS", "BAGHDAD", "DAMASCUS", "NAIROBI", "MOGADISHU", "SANAA", "TRIPOLI"]
AGENCIES = ["AP", "AFP", "Reuters"]
ACTORS = ["government forces", "militants", "protesters", "police", "an armed group", "the army"]
VERBS = ["clashed with", "attacked", "surrounded", "negotiated with", "fired on", "detained members of"]


def story(number: int, rng: random.Random) -> dict[str, object]:
    place, agency = rng.choice(PLACES), rng.choice(AGENCIES)
    paragraphs = [
        f"{place} — {rng.choice(ACTORS).capitalize()} {rng.choice(VERBS)} {rng.choice(ACTORS)} on "
        f"day {number}, killing {rng.randint(1, 60)} people, officials said."
    ]
    paragraphs += [
        f"Witness {rng.randint(1, 10**6)} said {rng.choice(ACTORS)} {rng.choice(VERBS)} "
        f"{rng.choice(ACTORS)} near the market for {rng.randint(2, 9)} hours before the fighting stopped."
        for _ in range(rng.randint(4, 10))
    ]
    return {
        "headline": f"Story {number}: clashes in {place.title()}",
        "paragraphs": paragraphs,
        "agency": agency,
        "outlet": f"Outlet {number % 50}",
        "url": f"https://example.com/story/{number}",
        "published": f"2024-{1 + number % 12:02d}-{1 + number % 28:02d}T08:00:00Z",
        "byline": f"By Reporter {number % 300}",
    }


def write_backlog(folder: Path, count: int, kind: str) -> None:
    rng = random.Random(42)
    stories = [story(n, rng) for n in range(count)]
    if kind == "jsonl":
        with (folder / "backlog.jsonl").open("w", encoding="utf-8") as out:
            out.writelines(json.dumps(s) + "\n" for s in stories)
        return
    meta = {}
    for n, s in enumerate(stories):
        name = f"{n:06d}.txt"
        (folder / name).write_text("\n\n".join(s.pop("paragraphs")) + "\n", encoding="utf-8")  # type: ignore[arg-type]
        meta[name] = s
    (folder / "meta.json").write_text(json.dumps(meta), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--format", choices=["jsonl", "txt"], default="jsonl")
    args = parser.parse_args()
    settings = Settings(topic_prefix=f"bench{uuid.uuid4().hex[:8]}")
    create_topics(settings)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            write_backlog(folder, args.articles, args.format)
            size = sum(f.stat().st_size for f in folder.iterdir())
            started = time.perf_counter()
            parsed = sum(1 for _ in read_paths([folder]))
            parse_seconds = time.perf_counter() - started
            started = time.perf_counter()
            summary = publish_backlog([folder], settings, progress=False)
            publish_seconds = time.perf_counter() - started
        on_topic = messages_on(settings, settings.topic(RAW))
    finally:
        admin = KafkaAdminClient(**kafka_python_config(settings))
        admin.delete_topics([settings.topic(spec) for spec in ALL_TOPICS])
        admin.close()
    assert summary.published == args.articles == on_topic, (summary, on_topic)
    print(f"backlog: {args.articles} articles as {args.format}, {size / 1e6:.1f} MB")
    print(f"parse only:          {parsed / parse_seconds:8.0f} articles/s ({parse_seconds:.1f} s)")
    print(
        f"one-shot to Kafka:   {summary.published / publish_seconds:8.0f} articles/s "
        f"({publish_seconds:.1f} s)"
    )
    print(f"records on {settings.topic(RAW)}: {on_topic}")


if __name__ == "__main__":
    main()
