"""Where a running entities replica spends its time, sampled by py-spy (`make profile-entities`).

    python -m bench.profile_entities --articles 2500 --seconds 40

Starts one entities stage on fresh topics of the local Kafka, gives it a backlog, samples the
live process (every thread, idle included) and prints, per thread, the share of samples in
each part of the work: the model, the curated entity ruler, the place resolver, building
entities, pydantic, Faust/aiokafka, and waiting; then the mean batch the stage took.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

from bench.corpus import generate, write_jsonl
from bench.pipeline import bench_settings, publish_unique, raw_articles, scrape, stages
from services.common.kafka import reliable_producer

# First match from the innermost frame outwards names the part (file path fragments).
PARTS = [
    ("place resolver", ("services/entities/places.py", "services/entities/geonames.py")),
    ("entity ruler", ("spacy/pipeline/entityruler.py", "spacy/pipeline/span_ruler.py")),
    ("building entities", ("services/entities/ner.py",)),
    ("spaCy model", ("thinc/", "spacy/")),
    ("pydantic (decode/encode)", ("pydantic/", "services/common/codec.py")),
    ("Faust/aiokafka", ("faust/", "aiokafka/", "mode/")),
]
WAITING = ("selectors.py", "threading.py", "concurrent/futures/thread.py", "queue.py")


def part_of(frames: list[str]) -> str:
    if any(marker in frames[-1] for marker in WAITING):
        return "waiting (idle)"
    for frame in reversed(frames):
        for name, markers in PARTS:
            if any(marker in frame for marker in markers):
                return name
    return "other"


def summarise(raw: Path) -> str:
    """py-spy's raw (collapsed) output: `thread;frame;...;frame count` per line."""
    per_thread: dict[str, Counter[str]] = defaultdict(Counter)
    for line in raw.read_text().splitlines():
        stack, count = line.rsplit(" ", 1)
        thread, *frames = stack.split(";")
        per_thread[thread.split("): ", 1)[-1].strip('"')][part_of(frames or [""])] += int(count)
    lines = []
    for thread, parts in sorted(per_thread.items(), key=lambda item: -item[1]["waiting (idle)"]):
        total = sum(parts.values())
        shares = ", ".join(f"{name} {count / total:.0%}" for name, count in parts.most_common())
        lines.append(f"{thread} ({total} samples): {shares}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=2500)
    parser.add_argument("--seconds", type=int, default=40, help="sampling time (keep it below the backlog)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="wirestream-profile-"))
    articles = raw_articles(write_jsonl(work / "corpus.jsonl", generate(args.articles)))
    settings, overrides = bench_settings(work / "state")
    producer = reliable_producer(settings)
    with stages(["entities"], overrides, work) as (replica,):
        publish_unique(producer, settings, articles)
        time.sleep(5)  # past spaCy's first batch
        samples = work / "py-spy.txt"
        subprocess.run(
            [
                str(Path(sys.executable).with_name("py-spy")),
                *("record", "--pid", str(replica.process.pid), "--duration", str(args.seconds)),
                *("--threads", "--idle", "--format", "raw", "--rate", "100", "--output", str(samples)),
            ],
            check=True,
        )
        metrics = scrape(replica)
    producer.close()
    print(summarise(samples))
    # spaCy is faster per article on fuller batches: the batches the stage actually took.
    batches = metrics["wirestream_batch_size_sum"] / metrics["wirestream_batch_size_count"]
    print(f"mean batch: {batches:.1f} articles (batch size {settings.entities_batch_size})")


if __name__ == "__main__":
    main()
