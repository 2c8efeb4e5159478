"""Entities stage throughput: enrich() next to nlp.pipe alone, same texts, same batch size.

    python -m bench.entities [--articles 500] [--batch-size 64]

Texts are bench.corpus stories (templated wire copy with seed paragraphs) plus the
labelled paragraphs of eval/entities, cycled to --articles. Three timings on the same texts:
`model` is nlp.pipe over the bare spaCy model as the stage loads it (tok2vec + ner),
`pipeline` adds the curated entity ruler and the GeoNames place resolver, `enrich` is the
stage's pure function (pipeline + Entity objects + EnrichedArticle models). The gazetteer
index is loaded once before timing (its load time is printed separately).
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import spacy

from bench.corpus import generate
from schemas.articles import Article, UniqueArticle
from services.common.settings import Settings
from services.entities.ner import UNUSED_COMPONENTS, enrich, load_pipeline

EVAL_FILE = Path(__file__).resolve().parent.parent / "eval" / "entities" / "gold.jsonl"


def texts(count: int) -> list[list[str]]:
    """Paragraph lists: corpus stories and labelled paragraphs, cycled to `count`."""
    stories = [a["paragraphs"] for a in generate(max(1, count // 2))]
    paragraphs = [[json.loads(line)["text"]] for line in EVAL_FILE.read_text(encoding="utf-8").splitlines()]
    pool = stories + paragraphs
    return [pool[i % len(pool)] for i in range(count)]


def timed(run: Callable[[], object]) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=500)
    parser.add_argument("--batch-size", type=int, default=Settings().entities_batch_size)
    args = parser.parse_args()
    settings = Settings()
    now = datetime.now(UTC)
    uniques = [
        UniqueArticle(
            fingerprint=f"bench{i}",
            article=Article(
                article_id=f"bench{i}",
                source="bench",
                paragraphs=paragraphs,
                published=now,
                published_from="ingested",
                ingested=now,
            ),
        )
        for i, paragraphs in enumerate(texts(args.articles))
    ]
    bodies = [u.article.body for u in uniques]
    words = sum(len(b.split()) for b in bodies)

    model = spacy.load(settings.spacy_model, exclude=list(UNUSED_COMPONENTS))
    load = time.perf_counter()
    full = load_pipeline(settings.spacy_model)
    load_seconds = time.perf_counter() - load
    warm = bodies[: args.batch_size]
    list(model.pipe(warm, batch_size=args.batch_size))
    list(full.pipe(warm, batch_size=args.batch_size))

    runs = {
        "model (nlp.pipe, tok2vec+ner)": lambda: list(model.pipe(bodies, batch_size=args.batch_size)),
        "pipeline (nlp.pipe + ruler + places)": lambda: list(full.pipe(bodies, batch_size=args.batch_size)),
        "enrich()": lambda: enrich(full, uniques, args.batch_size),
    }
    print(
        f"{len(bodies)} articles, {words} words, batch size {args.batch_size}, "
        f"model {settings.spacy_model}; pipeline load incl. gazetteer {load_seconds:.1f} s"
    )
    print("| what | seconds | words/s | articles/s | vs model |")
    print("|---|---:|---:|---:|---:|")
    base = 0.0
    for name, run in runs.items():
        seconds = timed(run)
        base = base or seconds
        print(
            f"| {name} | {seconds:.2f} | {words / seconds:,.0f} | {len(bodies) / seconds:,.1f} "
            f"| {base / seconds:.2f} |"
        )


if __name__ == "__main__":
    main()
