"""Where the entities stage's CPU goes per batch: decode, spaCy, entity building, encode.

    python -m bench.profile_entities --articles 500

Runs the stage's own per-batch work (what `services/entities/app.py` does between
Kafka and Kafka) under cProfile and prints the biggest cumulative entries.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import time

from bench.corpus import generate
from schemas.articles import UniqueArticle
from services.common.codec import decode, encode
from services.common.settings import Settings
from services.entities.ner import enrich, load_pipeline
from services.feeder.article import build_article


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=500)
    args = parser.parse_args()
    settings = Settings()
    nlp = load_pipeline(settings.spacy_model)
    payloads = [
        encode(UniqueArticle(fingerprint=raw.fingerprint, article=raw.article))
        for raw in (
            build_article(f"bench:{n}", fields, fields["paragraphs"])
            for n, fields in enumerate(generate(args.articles))
        )
    ]
    size = settings.entities_batch_size

    def work() -> None:
        for start in range(0, len(payloads), size):
            batch = [decode(p, UniqueArticle) for p in payloads[start : start + size]]
            for enriched in enrich(nlp, batch, size):
                encode(enriched)

    started = time.perf_counter()
    with cProfile.Profile() as profile:
        work()
    print(f"{len(payloads)} articles in {time.perf_counter() - started:.1f} s under cProfile")
    pstats.Stats(profile).sort_stats("cumulative").print_stats(25)


if __name__ == "__main__":
    main()
