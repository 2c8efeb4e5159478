"""Dedup speed and memory, through the pure logic (no Kafka):

    python -m bench.dedup [--remember 100000]

1. decisions per second over the labelled benchmark stream (about 70% copies);
2. memory per 100,000 remembered stories (process RSS growth while remembering
   distinct wire-length stories), and the time a restarted stage needs to rebuild its
   LSH index from the remembered entries.
"""

from __future__ import annotations

import argparse
import time
from datetime import timedelta
from pathlib import Path

from eval.dedup.benchmark import EPOCH, Generator
from schemas.articles import Article, RawArticle
from services.common.settings import Settings
from services.common.text import fingerprint
from services.dedup.logic import deduplicate, remember
from services.dedup.memory import DedupParams, Memory


def rss_bytes() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def distinct_stories(count: int, seed: int = 5) -> list[RawArticle]:
    """Wire-length stories that share stock leads and sentences the way a desk's do.

    No shared background paragraph: a window of 100,000 stories spans far more topics
    than the six families here, and one paragraph common to a sixth of memory would make
    every query meet thousands of candidates that no real desk produces.
    """
    gen = Generator(seed)
    rng = gen.rng
    families = gen.data["families"]
    details = [d for family in families for d in family["details"]]
    stories = []
    for number in range(count):
        family = rng.choice(families)
        slots = {
            "place": rng.choice(family["places"]),
            "target": rng.choice(family["targets"]),
            "day": rng.choice(gen.data["days"]),
            "killed": rng.randint(2, 90),
            "wounded": rng.randint(2, 90),
        }
        body = [
            rng.choice(family["leads"]).format(**slots),
            gen._witness(slots["place"]),
            *(d.format(**slots) for d in rng.sample(details, 10)),
            gen._witness(slots["place"]),
            f"(Desk story {number})",
        ]
        article = Article(
            article_id=f"story-{number}",
            source="bench",
            paragraphs=body,
            published=EPOCH + timedelta(seconds=number),
            published_from="metadata",
            ingested=EPOCH + timedelta(seconds=number),
        )
        stories.append(RawArticle(fingerprint=fingerprint(body), article=article))
    return stories


def _rate(count: int, start: float, cpu: float) -> str:
    """Wall and CPU rates: the machine is shared, so wall time alone says little."""
    wall, used = time.perf_counter() - start, time.process_time() - cpu
    return f"{count} articles, {count / wall:.0f}/s wall, {count / used:.0f}/s per busy CPU"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--remember", type=int, default=100_000, help="distinct stories to remember")
    args = parser.parse_args()
    params = DedupParams.from_settings(Settings())
    # A window longer than the run, so every story stays remembered.
    params = DedupParams(**{**params.__dict__, "window": timedelta(days=3650)})

    stream = [item.raw for seed in range(10) for item in Generator(seed).stream(8, 4)]
    memory = Memory({}, params)
    start, cpu = time.perf_counter(), time.process_time()
    for raw in stream:
        remember(deduplicate(raw, memory), memory)
    print(f"decide+remember, labelled stream: {_rate(len(stream), start, cpu)}")

    stories = distinct_stories(args.remember)
    words = sum(len(s.article.body.split()) for s in stories) / len(stories)
    store: dict[str, str] = {}
    memory = Memory(store, params)
    before = rss_bytes()
    start, cpu = time.perf_counter(), time.process_time()
    for raw in stories:
        remember(deduplicate(raw, memory), memory)
    rate = _rate(len(stories), start, cpu)
    grown = rss_bytes() - before
    per_100k = grown / len(memory) * 100_000
    print(f"remembered {len(memory)} of {len(stories)} distinct stories ({words:.0f} words each): {rate}")
    print(f"memory: RSS grew {grown / 2**20:.0f} MiB = {per_100k / 2**20:.0f} MiB per 100,000 remembered")
    start = time.perf_counter()
    Memory(store, params)
    print(f"restart: index rebuilt from {len(store)} entries in {time.perf_counter() - start:.1f} s")
    print(f"entry size in the changelog: {sum(map(len, store.values())) / len(store):.0f} bytes on average")


if __name__ == "__main__":
    main()
