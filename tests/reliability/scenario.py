"""One fault scenario: start the stages on the private stack, feed a corpus with a fault
injected half way, wait for the pipeline to settle, and report what Elasticsearch holds."""

from __future__ import annotations

import json
import os
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from elasticsearch import Elasticsearch

from schemas.articles import RawArticle
from schemas.topics import DUPLICATES
from services.common.es import es_client
from services.common.kafka import create_topics, reliable_producer, send
from services.common.settings import Settings
from services.feeder.reader import read_paths
from tests.conftest import ROOT
from tests.integration.harness import StageProcess, fresh_overrides, read_topic, wait_for
from tests.reliability.private_stack import PrivateStack

STAGES = ("feeder", "dedup", "entities", "events", "indexer")
FULL = os.environ.get("WIRESTREAM_RELIABILITY") == "full"  # else the fast subset


@dataclass
class Outcome:
    fed: int
    article_ids: set[str]
    event_count: int
    event_articles: set[str]  # every article some event was assembled from
    max_article_version: int
    duplicates_found: int  # distinct copies dedup reported
    redelivered: int  # stories dedup saw again under their own id (replayed after a crash)
    deadletters: list[dict[str, Any]] = field(default_factory=list)


class Run:
    """The running pipeline of one scenario; faults act on it."""

    def __init__(self, stack: PrivateStack, tmp_path: Path) -> None:
        self.stack = stack
        self.log_dir = tmp_path
        self.inbox = tmp_path / "inbox"  # the feeder's watched folder
        self.inbox.mkdir()
        self.overrides = fresh_overrides(
            tmp_path / "state",
            kafka_bootstrap=stack.kafka_bootstrap,
            es_url=stack.es_url,
            feeder_watch=[self.inbox],
            feeder_poll_seconds=0.5,
            feeder_settle_seconds=0.2,
        )
        self.settings = Settings(**self.overrides)
        create_topics(self.settings)
        self.stages = {name: StageProcess(name, self.overrides, tmp_path) for name in STAGES}
        self.es: Elasticsearch = es_client(self.settings)
        for process in self.stages.values():  # the fault must hit a running pipeline
            wait_for(partial(_healthy, process), 180, f"{process.stage} healthy", [process])

    def drop(self, number: int, line: str) -> None:
        """One story as a file in the watched folder, complete when it appears (rename)."""
        partial_file = self.log_dir / f"{number:04d}.part"
        partial_file.write_text(line + "\n", encoding="utf-8")
        partial_file.rename(self.inbox / f"{number:04d}.jsonl")

    def restart(self, stage: str, sig: int) -> None:
        self.stages[stage].stop(sig)
        self.stages[stage] = StageProcess(stage, self.overrides, self.log_dir)

    def count(self, alias: str) -> int:
        name = self.settings.index(alias)
        try:
            self.es.indices.refresh(index=name)
            return int(self.es.count(index=name)["count"])
        except Exception:  # not created yet, or Elasticsearch down during a fault
            return 0

    def close(self) -> None:
        for process in self.stages.values():
            process.stop()
        self.es.close()


def _healthy(process: StageProcess) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{process.port}/health/", timeout=2):
            return True
    except OSError:
        return False


def _wait_until_stable(run: Run, alias: str, polls: int = 5, every: float = 3.0) -> None:
    """Until the count has not moved for `polls` reads, over longer than a Kafka session
    timeout: a restarted stage may wait that long for its partitions."""
    counts: list[int] = []
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and (
        len(counts) < polls or len(set(counts[-polls:])) > 1 or counts[-1] == 0
    ):
        counts.append(run.count(alias))
        time.sleep(every)


def load_corpus(path: Path) -> list[RawArticle]:
    """The corpus as the feeder reads it (one article per JSON line)."""
    articles = [item for item in read_paths([path]) if isinstance(item, RawArticle)]
    assert len(articles) == len(path.read_text(encoding="utf-8").splitlines())
    return articles


def run_scenario(
    stack: PrivateStack,
    tmp_path: Path,
    corpus: list[RawArticle],
    expected_articles: int,
    fault: Callable[[Run], None] = lambda run: None,
    pace_seconds: float = 0.05,
    settle_seconds: float = 240,
    files: list[str] | None = None,
) -> Outcome:
    """Feeds `corpus` straight onto the raw topic, or, given `files` (its JSON lines), as
    files dropped into the feeder's watched folder."""
    run = Run(stack, tmp_path)
    try:
        producer = reliable_producer(run.settings)
        half = len(corpus) // 2
        for number, raw in enumerate(corpus):
            if number == half:
                producer.flush()
                fault(run)
            if files is None:
                send(producer, run.settings, raw)
            else:
                run.drop(number, files[number])
            time.sleep(pace_seconds)
        producer.flush()
        producer.close()
        wait_for(
            lambda: run.count("articles") >= expected_articles,
            settle_seconds,
            f"{expected_articles} articles in Elasticsearch",
            list(run.stages.values()),
        )
        _wait_until_stable(run, "events")  # events trail their articles by one stage
        articles = run.settings.index("articles")
        hits = run.es.search(index=articles, size=10_000, version=True, source=False)
        events = run.es.search(
            index=run.settings.index("events"), size=10_000, source_includes=["article_ids"]
        )["hits"]["hits"]
        deadletters = run.es.options(ignore_status=404).search(
            index=run.settings.index("deadletter"), size=1000
        )
        notices = [json.loads(n.value) for n in read_topic(run.settings, run.settings.topic(DUPLICATES))]
        # A notice naming itself is a story Kafka delivered again, not a copy.
        replays = {n["article_id"] for n in notices if n["article_id"] == n["original_id"]}
        return Outcome(
            duplicates_found=len({n["article_id"] for n in notices} - replays),
            redelivered=len(replays),
            fed=len(corpus),
            article_ids={h["_id"] for h in hits["hits"]["hits"]},
            event_count=len(events),
            event_articles={a for h in events for a in h["_source"]["article_ids"]},
            max_article_version=max((h["_version"] for h in hits["hits"]["hits"]), default=0),
            deadletters=[h["_source"] for h in deadletters.get("hits", {}).get("hits", [])],
        )
    finally:
        run.close()


RESULTS = ROOT / ".stack" / "reliability" / "outcomes.tsv"


def report(scenario: str, outcome: Outcome) -> None:
    """One line per scenario run, for the README's table (make reliability prints them)."""
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    with RESULTS.open("a", encoding="utf-8") as out:
        out.write(
            f"{time.strftime('%Y-%m-%d %H:%M')}\t{scenario}\tfed {outcome.fed}\t"
            f"indexed {len(outcome.article_ids)}\tduplicates {outcome.duplicates_found}\t"
            f"redelivered {outcome.redelivered}\t"
            f"events {outcome.event_count}\tmax version {outcome.max_article_version}\n"
        )


@dataclass(frozen=True)
class Suite:
    """What every scenario shares: the private stack, the corpus, and the fault-free result."""

    stack: PrivateStack
    corpus_file: Path  # one story per JSON line
    corpus: list[RawArticle]  # as the feeder reads them
    expected_ids: set[str]  # the unique articles the offline pipeline finds in the corpus
    baseline: Outcome

    def run(
        self,
        tmp_path: Path,
        fault: Callable[[Run], None],
        pace_seconds: float = 0.05,
        through_feeder: bool = False,
    ) -> Outcome:
        files = self.corpus_file.read_text(encoding="utf-8").splitlines() if through_feeder else None
        return run_scenario(
            self.stack, tmp_path, self.corpus, len(self.expected_ids), fault, pace_seconds, files=files
        )
