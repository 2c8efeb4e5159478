"""`python -m eval.dedup [--seed N ...]`: precision and recall of dedup decisions."""

from __future__ import annotations

import argparse
import sys

from eval.dedup.benchmark import Generator, Score, score
from services.common.settings import Settings
from services.dedup.memory import DedupParams

TARGET = 0.97


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--incidents", type=int, default=8, help="different incidents per family")
    parser.add_argument("--copies", type=int, default=4, help="syndicated copies per story")
    args = parser.parse_args()
    params = DedupParams.from_settings(Settings())
    worst = 1.0
    pooled = Score()
    for seed in args.seeds:
        items = Generator(seed).stream(args.incidents, args.copies)
        result = score(items, params)
        worst = min(worst, result.precision, result.recall)
        pooled.true_positives += result.true_positives
        pooled.false_positives += result.false_positives
        pooled.false_negatives += result.false_negatives
        print(
            f"seed {seed}: {len(items)} articles, {result.true_positives + result.false_negatives} "
            f"duplicates, precision {result.precision:.4f}, recall {result.recall:.4f} "
            f"(tp {result.true_positives} fp {result.false_positives} "
            f"fn {result.false_negatives} tn {result.true_negatives})"
        )
        for what, count in result.misses.most_common():
            print(f"    {count} x {what}")
    print(f"all streams: precision {pooled.precision:.4f}, recall {pooled.recall:.4f}")
    print(f"worst of precision and recall: {worst:.4f} (target {TARGET})")
    return 0 if worst >= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
