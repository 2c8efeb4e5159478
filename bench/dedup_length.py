"""Dedup time per story against story length, up to the size limit (pure logic, no Kafka):

    python -m bench.dedup_length [--remembered 1000]

Each row is one generated story of about the given size: sentences of 12-25 words drawn
from a 3,000-word vocabulary, a fifth of them repeated later in the story (verbatim or with
one word changed, the case repeated-sentence removal exists for), in paragraphs of three
sentences. It is decided against a memory already holding `--remembered` wire-length
stories, then remembered. `prepare` is the linear part the stream runs in a thread;
`decide` and `remember` run on the event loop. The 1,000 kB row is over the default
`story_max_chars` (900,000), so it runs with the limit raised for the benchmark; the
last row is the same story refused under the configured limit, before any work.
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import timedelta

from bench.dedup import distinct_stories
from eval.dedup.benchmark import EPOCH
from schemas.articles import Article, RawArticle, UniqueArticle
from services.common.settings import Settings
from services.common.text import fingerprint
from services.dedup.logic import StoryTooLong, decide, prepare, remember
from services.dedup.memory import DedupParams, Memory
from services.dedup.repeats import Work, drop_repeated_sentences

SIZES = (10_000, 100_000, 300_000, 600_000, 900_000, 1_000_000)
# The probe: ~580 kB in ~10,000 short sentences (75 s before repeats were hashed).
SHORT_SENTENCES = (578_000, (5, 12))


def long_story(chars: int, seed: int = 3, length: tuple[int, int] = (12, 25)) -> list[str]:
    rng = random.Random(seed)
    vocabulary = [f"w{rng.getrandbits(40):x}"[: rng.randint(3, 10)] for _ in range(3000)]
    sentences: list[str] = []
    size = 0
    while size < chars:
        if sentences and rng.random() < 0.2:
            sentence = rng.choice(sentences)
            if rng.random() < 0.5:
                words = sentence.rstrip(".").split()
                words[rng.randrange(len(words))] = rng.choice(vocabulary)
                sentence = " ".join(words) + "."
        else:
            sentence = (
                " ".join(rng.choice(vocabulary) for _ in range(rng.randint(*length))).capitalize() + "."
            )
        sentences.append(sentence)
        size += len(sentence) + 1
    return [" ".join(sentences[i : i + 3]) for i in range(0, len(sentences), 3)]


def raw_of(paragraphs: list[str], number: int) -> RawArticle:
    article = Article(
        article_id=f"long-{number}",
        source="bench",
        paragraphs=paragraphs,
        published=EPOCH,
        published_from="metadata",
        ingested=EPOCH,
    )
    return RawArticle(fingerprint=fingerprint(paragraphs), article=article)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--remembered", type=int, default=1000)
    args = parser.parse_args()
    params = DedupParams.from_settings(Settings())
    limit = params.max_story_chars
    params = DedupParams(**{**params.__dict__, "window": timedelta(days=3650), "max_story_chars": 1_100_000})
    memory = Memory({}, params, clock=lambda: EPOCH.timestamp())
    for raw in distinct_stories(args.remembered):
        remember(decide(prepare(raw, memory), memory), memory)
    print(f"memory holds {len(memory)} stories; configured limit {limit:,} characters")
    print("| story | sentences | repeats dropped | prepare (thread) | decide + remember (loop) | total |")
    print("|---|---|---|---|---|---|")
    rows = [(chars, (12, 25)) for chars in SIZES] + [SHORT_SENTENCES]
    for number, (chars, length) in enumerate(rows):
        paragraphs = long_story(chars, seed=number, length=length)
        raw = raw_of(paragraphs, number)
        work = Work()
        drop_repeated_sentences(paragraphs, work=work)  # counted apart, for the sentence column
        start = time.perf_counter()
        prepared = prepare(raw, memory)
        middle = time.perf_counter()
        result = decide(prepared, memory)
        remember(result, memory)
        end = time.perf_counter()
        dropped = result.removed_sentences if isinstance(result, UniqueArticle) else 0
        print(
            f"| {sum(map(len, paragraphs)) / 1000:,.0f} kB | {work.sentences:,} | {dropped:,} | "
            f"{middle - start:.2f} s | {end - middle:.3f} s | {end - start:.2f} s |"
        )
    over = raw_of(long_story(1_000_000, seed=len(SIZES) - 1), 99)
    configured = Memory({}, DedupParams.from_settings(Settings()))
    start = time.perf_counter()
    try:
        prepare(over, configured)
    except StoryTooLong as exc:
        took = time.perf_counter() - start
        size = sum(map(len, over.article.paragraphs)) / 1000
        print(f"| {size:,.0f} kB | refused: {exc} | | | | {took:.3f} s |")


if __name__ == "__main__":
    main()
