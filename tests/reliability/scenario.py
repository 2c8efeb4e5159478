"""One fault scenario: start the stages on the private stack, feed a corpus with a fault
injected half way, wait for the pipeline to settle, and report what Elasticsearch holds."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
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
from tests.integration.harness import StageProcess, fresh_overrides, is_ready, read_topic, wait_for
from tests.reliability.offsets import InFlight, Offsets, consumed, ids_seen_twice
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
    in_flight: list[InFlight] = field(default_factory=list)  # per kill: what the process had not acknowledged
    seen_twice: dict[str, int] = field(default_factory=dict)  # per contract topic: ids on it more than once
    seconds: float = 0.0  # from the first story fed to the pipeline drained


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
        self.offsets = Offsets(self.settings)
        self.in_flight: list[InFlight] = []
        self.stages = {name: StageProcess(name, self.overrides, tmp_path) for name in STAGES}
        self.es: Elasticsearch = es_client(self.settings)
        for process in self.stages.values():  # the fault must hit a running pipeline
            wait_for(partial(is_ready, process), STARTUP_SECONDS, f"{process.stage} ready", [process])

    def drop(self, number: int, line: str) -> None:
        """One story as a file in the watched folder, complete when it appears (rename)."""
        partial_file = self.log_dir / f"{number:04d}.part"
        partial_file.write_text(line + "\n", encoding="utf-8")
        partial_file.rename(self.inbox / f"{number:04d}.jsonl")

    def restart(self, stage: str, sig: int) -> None:
        self.stages[stage].stop(sig)
        self.stages[stage] = StageProcess(stage, self.overrides, self.log_dir)

    def kill_mid_work(self, stage: str, within: float = 120) -> None:
        """SIGKILL `stage` while it has work it has not acknowledged, record the proof,
        and start it again. Its group must be behind the log end when the kill comes."""
        if stage == "feeder":
            return self._kill_feeder_mid_work(within)
        process = self.stages[stage]
        topics = self.offsets.inputs[stage]
        wait_for(lambda: any(self.offsets.behind(stage).values()), within, f"{stage} with work in flight")
        ends = self.offsets.ends(topics)
        seen = consumed(process.port)
        process.stop(signal.SIGKILL)
        committed = self.offsets.committed(stage)  # exact: a dead process commits nothing more
        self.in_flight.append(
            InFlight(
                stage,
                behind=self.offsets.behind(stage, ends),
                consumed_unacked={
                    t: seen.get(t, 0) - sum(o for tp, o in committed.items() if tp.topic == t) for t in topics
                },
                prefix=f"{self.settings.topic_prefix}.",
            )
        )
        self.stages[stage] = StageProcess(stage, self.overrides, self.log_dir)

    def _unpublished_files(self) -> dict[str, int]:
        """Files in the watched folder the feeder's checkpoint does not mark as published."""
        path = self.settings.state_dir / "feeder-checkpoint.json"
        done = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
        files = list(self.inbox.glob("*.jsonl"))
        return {"inbox": sum(1 for f in files if not isinstance(done.get(str(f)), str))}

    def _kill_feeder_mid_work(self, within: float) -> None:
        wait_for(
            lambda: self._unpublished_files()["inbox"] > 0, within, "a file the feeder has not published"
        )
        before = self._unpublished_files()
        self.stages["feeder"].stop(signal.SIGKILL)
        after = self._unpublished_files()  # exact: a dead feeder checkpoints nothing more
        unpublished = {"inbox": min(before["inbox"], after["inbox"])}
        self.in_flight.append(InFlight("feeder", unpublished, behind_means="files not published"))
        self.stages["feeder"] = StageProcess("feeder", self.overrides, self.log_dir)

    def kill_broker_mid_work(self, within: float = 120) -> None:
        """SIGKILL the broker while some stage's group is behind its log end."""
        stages = list(self.offsets.inputs)
        wait_for(
            lambda: any(any(self.offsets.behind(s).values()) for s in stages),
            within,
            "a stage with work in flight",
        )
        behind = {f"{s}:{t}": n for s in stages for t, n in self.offsets.behind(s).items()}
        self.stack.kill_kafka()
        self.offsets.reset()
        self.in_flight.append(InFlight("kafka", behind=behind, prefix=f"{self.settings.topic_prefix}."))

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
        self.offsets.close()


def load_corpus(path: Path) -> list[RawArticle]:
    """The corpus as the feeder reads it (one article per JSON line)."""
    articles = [item for item in read_paths([path]) if isinstance(item, RawArticle)]
    assert len(articles) == len(path.read_text(encoding="utf-8").splitlines())
    return articles


STARTUP_SECONDS = 240.0  # five workers loading spaCy and GeoNames on two busy cores
SETTLE_FLOOR_SECONDS = 240.0
SETTLE_FACTOR = 4.0  # a faulty run may take this many times the fault-free run, plus the floor


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
    files dropped into the feeder's watched folder. The fault is injected once the first
    half is on Kafka, while the second half is still being fed; the run ends when every
    group has committed everything it reads (a positive signal, not a quiet spell)."""
    run = Run(stack, tmp_path)
    try:
        producer = reliable_producer(run.settings)
        half = len(corpus) // 2
        half_fed = threading.Event()
        failures: list[BaseException] = []

        def feed() -> None:
            try:
                for number, raw in enumerate(corpus):
                    if number == half:
                        producer.flush()
                        half_fed.set()
                    if files is None:
                        send(producer, run.settings, raw)
                    else:
                        run.drop(number, files[number])
                    time.sleep(pace_seconds)
                producer.flush()
            except BaseException as error:  # raised again in the test's thread
                failures.append(error)
                half_fed.set()

        started = time.monotonic()
        feeding = threading.Thread(target=feed, name="feed", daemon=True)
        feeding.start()
        half_fed.wait()
        if not failures:
            fault(run)
        feeding.join()
        producer.close()
        if failures:
            raise failures[0]
        processes = list(run.stages.values())
        wait_for(
            lambda: run.count("articles") >= expected_articles,
            settle_seconds,
            f"{expected_articles} articles in Elasticsearch",
            processes,
        )
        # Events trail their articles by a stage: done when every group committed everything.
        wait_for(
            run.offsets.drained, settle_seconds, "every group's committed offsets at the log end", processes
        )
        seconds = time.monotonic() - started
        articles = run.settings.index("articles")
        run.es.indices.refresh(index=articles)
        run.es.options(ignore_status=404).indices.refresh(index=run.settings.index("events"))
        hits = run.es.search(index=articles, size=10_000, version=True, source=False)
        events = (
            run.es.options(ignore_status=404)
            .search(index=run.settings.index("events"), size=10_000, source_includes=["article_ids"])
            .get("hits", {})
            .get("hits", [])
        )
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
            in_flight=run.in_flight,
            seen_twice=ids_seen_twice(run.settings),
            seconds=seconds,
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
            f"events {outcome.event_count}\tmax version {outcome.max_article_version}\t"
            f"ids twice {sum(outcome.seen_twice.values())} {outcome.seen_twice}\t"
            f"{outcome.seconds:.0f} s\t"
            f"in flight at the kill: {'; '.join(map(str, outcome.in_flight)) or '-'}\n"
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
        # Scaled by what the fault-free run measured on this machine, now: a loaded
        # machine gets longer, a quiet one keeps the floor (only a failing run waits it out).
        settle = max(SETTLE_FLOOR_SECONDS, SETTLE_FACTOR * self.baseline.seconds)
        return run_scenario(
            self.stack, tmp_path, self.corpus, len(self.expected_ids), fault, pace_seconds, settle, files
        )
