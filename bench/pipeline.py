"""The whole pipeline against its limits, side by side in one run (`make bench`).

    python -m bench.pipeline --articles 5000

Measures, on one generated corpus (bench/corpus.py) and this machine:
  ceiling   spaCy `nlp.pipe` alone: the model (minus the components the stage excludes) at the
            stage's batch size, no Kafka, no Elasticsearch; then the stage's full spaCy pipeline
            (model + curated entity ruler + place resolver), to separate model from our components
  script    one process: read, NER, bulk index, as a user might write it instead
  pipeline  all five stages (one process each) at full speed: feeder's first publish to the
            last article searchable; then at half that rate, latency publish -> searchable;
            then at full speed with the entities stage at a higher CPU priority (as a dedicated
            core would give it), and with two entities replicas
  entities  the entities stage alone with 1 and with 2 replicas (wire.unique -> wire.enriched)
and writes the table to bench/results.md.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import spacy
from elasticsearch import Elasticsearch, helpers
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from prometheus_client.parser import text_string_to_metric_families
from spacy.language import Language

from bench.corpus import generate, write_jsonl
from schemas.articles import RawArticle, UniqueArticle
from schemas.topics import ENRICHED
from services.common.es import es_client
from services.common.kafka import create_topics, kafka_python_config, reliable_producer, send
from services.common.settings import Settings
from services.entities.ner import UNUSED_COMPONENTS, enrich, load_pipeline
from services.feeder.backlog import publish_backlog
from services.feeder.reader import read_file
from services.indexer.documents import article_action
from services.indexer.mappings import ensure_indices
from tests.integration.harness import StageProcess, fresh_overrides

RESULTS = Path(__file__).resolve().parent / "results.md"
RUN_DIR = Path(__file__).resolve().parent.parent / ".stack" / "run"  # deploy/stack.sh's pid files
SERVERS = ["kafka", "elasticsearch"]
# What a dedicated core (a Kubernetes CPU request) would give the bottleneck, on a shared machine.
FAVOURED_NICE = -10
STAGES = ["feeder", "dedup", "entities", "events", "indexer"]
WARMUP = 24  # articles that load spaCy and create indices before the clock starts
POLL_SECONDS = 0.2  # resolution of "searchable"
INDEX_PREFIXES: list[str] = []  # of this run, deleted at the end


@dataclass
class Row:
    name: str
    articles: int
    seconds: float
    cpu: float | None = None  # CPU seconds of our processes (not Kafka's or Elasticsearch's)
    latencies: list[float] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.articles / self.seconds


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def raw_articles(path: Path) -> list[RawArticle]:
    return [item for item in read_file(path) if isinstance(item, RawArticle)]


def bench_settings(state_dir: Path) -> tuple[Settings, dict[str, Any]]:
    """Fresh topics, groups and indices; otherwise the production defaults (8 partitions ...)."""
    defaults = Settings()
    overrides = fresh_overrides(
        state_dir, topic_partitions=defaults.topic_partitions, batch_seconds=defaults.batch_seconds
    )
    overrides["topic_prefix"] = "bench" + overrides["topic_prefix"]
    overrides["index_prefix"] = "bench" + overrides["index_prefix"]
    settings = Settings(**overrides)
    create_topics(settings)
    INDEX_PREFIXES.append(settings.index_prefix)
    return settings, overrides


# --- ceiling and plain script -------------------------------------------------------------


def nlp_pipe(name: str, nlp: Language, articles: list[RawArticle], settings: Settings) -> Row:
    bodies = [raw.article.body for raw in articles]
    list(nlp.pipe(bodies[:WARMUP], batch_size=settings.entities_batch_size))
    started, cpu = time.perf_counter(), time.process_time()
    for _ in nlp.pipe(bodies, batch_size=settings.entities_batch_size):
        pass
    seconds = time.perf_counter() - started
    return Row(name, len(bodies), seconds, time.process_time() - cpu)


def plain_script(nlp: Language, path: Path, settings: Settings, es: Elasticsearch) -> Row:
    """Read the file, NER in batches, bulk index, refresh: one process, no Kafka."""
    ensure_indices(es, settings)
    index = settings.index("articles")
    started, cpu = time.perf_counter(), time.process_time()
    unique = [UniqueArticle(fingerprint=raw.fingerprint, article=raw.article) for raw in raw_articles(path)]
    enriched = enrich(nlp, unique, settings.entities_batch_size)
    helpers.bulk(es, (article_action(index, e) for e in enriched), chunk_size=settings.bulk_size)
    es.indices.refresh(index=index)
    seconds = time.perf_counter() - started
    return Row("plain script: read, NER, bulk index", len(enriched), seconds, time.process_time() - cpu)


# --- the running pipeline -------------------------------------------------------------------


class Searchable(threading.Thread):
    """Polls the articles alias and notes when each article id first became searchable."""

    def __init__(self, es: Elasticsearch, alias: str) -> None:
        super().__init__(daemon=True)
        self.es, self.alias = es, alias
        self.seen: dict[str, tuple[float, float]] = {}  # id -> (ingested, searchable) epoch seconds
        self.stopping = threading.Event()

    def run(self) -> None:
        newest = 0.0
        while not self.stopping.wait(POLL_SECONDS):
            if not self.es.indices.exists_alias(name=self.alias):
                continue
            # `indexed` is stamped before the bulk write; look back so slow refreshes are not missed.
            since = datetime.fromtimestamp(max(0.0, newest - 10), UTC).isoformat()
            hits = self.es.search(
                index=self.alias,
                query={"range": {"indexed": {"gte": since}}},
                source_includes=["ingested", "indexed"],
                size=10_000,
            )["hits"]["hits"]
            now = time.time()
            for hit in hits:
                if hit["_id"] not in self.seen:
                    ingested = datetime.fromisoformat(hit["_source"]["ingested"]).timestamp()
                    self.seen[hit["_id"]] = (ingested, now)
                newest = max(newest, datetime.fromisoformat(hit["_source"]["indexed"]).timestamp())

    def snapshot(self) -> dict[str, tuple[float, float]]:
        return self.seen.copy()  # one C call: safe while the thread adds entries

    def wait_for(self, count: int, timeout: float, processes: Sequence[StageProcess]) -> float:
        deadline = time.monotonic() + timeout
        while len(self.seen) < count:
            dead = [p.stage for p in processes if p.process.poll() is not None]
            if dead or time.monotonic() > deadline:
                raise RuntimeError(f"{len(self.seen)}/{count} searchable; dead stages: {dead}")
            time.sleep(POLL_SECONDS / 2)
        return max(searchable for _, searchable in self.seen.values())


def scrape(process: StageProcess) -> dict[str, float]:
    """Metric totals of one stage (summed over labels)."""
    with urllib.request.urlopen(f"http://127.0.0.1:{process.port}/metrics", timeout=5) as response:
        text = response.read().decode()
    totals: dict[str, float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            totals[sample.name] = totals.get(sample.name, 0.0) + sample.value
    return totals


def ready(processes: Sequence[StageProcess], timeout: float = 120) -> None:
    """Every consuming stage replica owns partitions (so no rebalance during the run)."""
    deadline = time.monotonic() + timeout
    pending = [p for p in processes if p.stage != "feeder"]
    while pending:
        if time.monotonic() > deadline:
            raise RuntimeError(f"not ready: {[p.stage for p in pending]}")
        with suppress(OSError):  # web server not up yet
            pending = [p for p in pending if scrape(p).get("wirestream_assigned_partitions", 0) == 0]
        time.sleep(0.5)


@contextmanager
def stages(names: list[str], overrides: dict[str, Any], log_dir: Path) -> Iterator[list[StageProcess]]:
    log_dir.mkdir(parents=True, exist_ok=True)
    processes = [StageProcess(name, overrides, log_dir) for name in names]
    try:
        ready(processes)
        yield processes
    finally:
        for process in processes:
            process.stop()


def publish_steadily(settings: Settings, articles: list[RawArticle], rate: float) -> None:
    """Publish at `rate` articles/s, stamping `ingested` with the moment of sending."""
    producer = reliable_producer(settings)
    started = time.monotonic()
    for number, raw in enumerate(articles):
        delay = started + number / rate - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        article = raw.article.model_copy(update={"ingested": datetime.now(UTC)})
        send(producer, settings, raw.model_copy(update={"article": article}))
    producer.flush()
    producer.close()


def pipeline(
    corpus: Path,
    log_dir: Path,
    es: Elasticsearch,
    entities: int = 1,
    steady: Sequence[RawArticle] = (),
    favour_entities: bool = False,
) -> tuple[Row, Row | None, str]:
    """Full speed with `entities` replicas of the entities stage (one of every other stage);
    then, if `steady` articles are given, latency at half the full-speed rate. With
    `favour_entities`, the entities stage runs at a higher CPU priority than everything else."""
    settings, overrides = bench_settings(log_dir / "state")
    total = len(raw_articles(corpus))
    watcher = Searchable(es, settings.index("articles"))
    with stages([*STAGES, *["entities"] * (entities - 1)], overrides, log_dir) as processes:
        watcher.start()
        warmup = write_jsonl(log_dir / "warmup.jsonl", generate(WARMUP, seed=99))
        publish_backlog([warmup], settings, progress=False)
        watcher.wait_for(WARMUP, 300, processes)
        warm = set(watcher.snapshot())
        if favour_entities:  # after the warm-up, so spaCy's worker thread exists
            for process in processes:
                if process.stage == "entities":
                    renice(process.process.pid, FAVOURED_NICE)
        before, servers_before = scrape_all(processes), server_cpu()

        publish_backlog([corpus], settings, progress=False)  # the feeder's backlog mode
        finished = watcher.wait_for(WARMUP + total, 1800, processes)
        seen = watcher.snapshot()
        ids = set(seen) - warm
        # From the first article's `ingested` (stamped as the feeder reads it, just before publishing).
        after, servers_after = scrape_all(processes), server_cpu()
        replicas = "1 replica per stage" if entities == 1 else f"{entities} entities replicas"
        if favour_entities:
            replicas += f", entities at nice {FAVOURED_NICE}"
        full = Row(
            f"pipeline, {replicas}, full speed",
            total,
            finished - min(seen[i][0] for i in ids),
            cpu_of(processes, before, after),
        )
        servers = {name: servers_after[name] - servers_before[name] for name in SERVERS}
        profile = where_the_time_goes(processes, before, after, servers)

        half = None
        if steady:
            rate = full.rate / 2
            publish_steadily(settings, list(steady), rate)
            watcher.wait_for(WARMUP + total + len(steady), 600, processes)
            seen = watcher.snapshot()
            times = [seen[i] for i in set(seen) - ids - warm]
            half = Row(
                f"pipeline at {rate:.1f} articles/s (half of full speed)",
                len(times),
                max(s for _, s in times) - min(i for i, _ in times),
                latencies=[searchable - ingested for ingested, searchable in times],
            )
        watcher.stopping.set()
    return full, half, profile


def renice(pid: int, nice: int) -> None:
    """Every thread of the process: Linux keeps a nice value per thread."""
    for task in Path(f"/proc/{pid}/task").iterdir():
        os.setpriority(os.PRIO_PROCESS, int(task.name), nice)


def server_cpu() -> dict[str, float]:
    """CPU seconds so far of each local server's process group (deploy/stack.sh's pid files)."""
    ticks = os.sysconf("SC_CLK_TCK")
    totals = dict.fromkeys(SERVERS, 0.0)
    groups = {int((RUN_DIR / f"{name}.pid").read_text()): name for name in SERVERS}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with suppress(OSError):
            # Fields after the parenthesised command: state ppid pgrp ... utime(12) stime(13).
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if (name := groups.get(int(fields[2]))) is not None:
                totals[name] += (int(fields[11]) + int(fields[12])) / ticks
    return totals


Scrapes = dict[int, dict[str, float]]  # process id -> metric totals


def scrape_all(processes: Sequence[StageProcess]) -> Scrapes:
    return {id(p): scrape(p) for p in processes}


def spent(name: str, process: StageProcess, before: Scrapes, after: Scrapes) -> float:
    return after[id(process)].get(name, 0.0) - before[id(process)].get(name, 0.0)


def cpu_of(processes: Sequence[StageProcess], before: Scrapes, after: Scrapes) -> float:
    return sum(spent("process_cpu_seconds_total", p, before, after) for p in processes)


def where_the_time_goes(
    processes: Sequence[StageProcess], before: Scrapes, after: Scrapes, servers: dict[str, float]
) -> str:
    """CPU seconds per process and in-stage processing seconds during a full-speed run."""
    lines = [
        "| Process | CPU seconds | seconds in stage code (processing histogram) |",
        "|---|---|---|",
    ]
    for p in processes:
        cpu = spent("process_cpu_seconds_total", p, before, after)
        busy = spent("wirestream_processing_seconds_sum", p, before, after)
        lines.append(f"| {p.stage} stage | {cpu:.1f} | {busy:.1f} |")
    lines += [f"| {name} server | {cpu:.1f} | |" for name, cpu in servers.items()]
    return "\n".join(lines)


def end_offsets(settings: Settings, topic: str) -> int:
    consumer = KafkaConsumer(**kafka_python_config(settings))
    try:
        partitions = [TopicPartition(topic, p) for p in range(settings.topic_partitions)]
        return sum(consumer.end_offsets(partitions).values())
    finally:
        consumer.close()


def publish_unique(producer: KafkaProducer, settings: Settings, articles: Sequence[RawArticle]) -> None:
    """Articles as dedup would pass them on: the entities stage's input, without dedup."""
    for raw in articles:
        send(producer, settings, UniqueArticle(fingerprint=raw.fingerprint, article=raw.article))
    producer.flush()


def entities_replicas(articles: list[RawArticle], replicas: int, log_dir: Path) -> Row:
    """wire.unique -> wire.enriched with `replicas` entities processes; the rest is not running."""
    settings, overrides = bench_settings(log_dir / "state")
    enriched = settings.topic(ENRICHED)
    producer = reliable_producer(settings)

    def enriched_count(count: int, timeout: float) -> float:
        deadline = time.monotonic() + timeout
        while end_offsets(settings, enriched) < count:
            if time.monotonic() > deadline:
                raise RuntimeError(f"entities x{replicas}: fewer than {count} enriched")
            time.sleep(POLL_SECONDS)
        return time.monotonic()

    with stages(["entities"] * replicas, overrides, log_dir) as processes:
        publish_unique(
            producer, settings, articles[:WARMUP]
        )  # every replica loads spaCy before the clock starts
        enriched_count(WARMUP, 300)
        time.sleep(2)
        before, started = scrape_all(processes), time.monotonic()
        publish_unique(producer, settings, articles[WARMUP:])
        finished = enriched_count(len(articles), 1800)
        cpu = cpu_of(processes, before, scrape_all(processes))
    producer.close()
    name = f"entities stage alone, {replicas} replica(s)"
    return Row(name, len(articles) - WARMUP, finished - started, cpu)


# --- report -----------------------------------------------------------------------------------


def table(rows: list[Row], ceiling_rate: float) -> str:
    lines = [
        "| Measurement | Articles | Seconds | Articles/s | Share of ceiling | CPU ms/article "
        "| p50 s | p95 s | p99 s |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        latency = (
            " | ".join(f"{percentile(row.latencies, q):.2f}" for q in (50, 95, 99))
            if row.latencies
            else "| |"
        )
        share = "" if row.latencies else f"{row.rate / ceiling_rate:.2f}"  # rate-limited: no share
        cpu = "" if row.cpu is None else f"{1000 * row.cpu / row.articles:.0f}"
        lines.append(
            f"| {row.name} | {row.articles} | {row.seconds:.1f} | {row.rate:.1f} | {share} | {cpu} "
            f"| {latency} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--steady", type=int, default=0, help="articles at half rate (default: a fifth)")
    args = parser.parse_args()
    load_before = os.getloadavg()
    started = datetime.now(UTC)
    work = Path(tempfile.mkdtemp(prefix="wirestream-bench-"))
    corpus = write_jsonl(work / "corpus.jsonl", generate(args.articles))
    articles = raw_articles(corpus)
    steady = raw_articles(
        write_jsonl(work / "steady.jsonl", generate(args.steady or args.articles // 5, seed=9))
    )
    settings, _ = bench_settings(work / "script-state")
    es = es_client(settings)
    try:
        # The ceiling is the model alone, with the components the stage excludes excluded.
        model = spacy.load(settings.spacy_model, exclude=list(UNUSED_COMPONENTS))
        base = nlp_pipe("spaCy nlp.pipe, the model alone (ceiling)", model, articles, settings)
        print(f"ceiling: {base.rate:.1f} articles/s", flush=True)
        nlp = load_pipeline(settings.spacy_model)
        stage_nlp = nlp_pipe(
            "spaCy nlp.pipe, the stage's pipeline (+ ruler, places)", nlp, articles, settings
        )
        print(f"stage pipeline: {stage_nlp.rate:.1f} articles/s", flush=True)
        script = plain_script(nlp, corpus, settings, es)
        print(f"plain script: {script.rate:.1f} articles/s", flush=True)
        full, half, cpu = pipeline(corpus, work / "pipeline", es, steady=steady)
        assert half is not None
        print(f"pipeline: {full.rate:.1f} articles/s; half rate p99 {percentile(half.latencies, 99):.2f} s")
        scaled, _, scaled_cpu = pipeline(corpus, work / "pipeline2", es, entities=2)
        print(f"pipeline, 2 entities replicas: {scaled.rate:.1f} articles/s", flush=True)
        try:
            favoured, _, favoured_cpu = pipeline(corpus, work / "pipeline3", es, favour_entities=True)
            rows = [base, stage_nlp, script, full, half, favoured, scaled]
            print(f"pipeline, entities favoured: {favoured.rate:.1f} articles/s", flush=True)
        except PermissionError:  # raising a priority needs root or CAP_SYS_NICE
            favoured_cpu = "not measured: raising a priority needs root or CAP_SYS_NICE"
            rows = [base, stage_nlp, script, full, half, scaled]
        one = entities_replicas(articles, 1, work / "entities1")
        two = entities_replicas(articles, 2, work / "entities2")
    finally:
        for prefix in INDEX_PREFIXES:
            es.options(ignore_status=404).indices.delete(index=f"{prefix}*")
        es.close()
        shutil.rmtree(work, ignore_errors=True)
    mean_chars = statistics.mean(len(a.article.body) for a in articles)
    load_after = os.getloadavg()
    report = "\n".join(
        [
            f"Run {started:%Y-%m-%d %H:%M} UTC on {os.cpu_count()} cores; load average (1/5/15 min) "
            f"{'/'.join(f'{x:.1f}' for x in load_before)} before, "
            f"{'/'.join(f'{x:.1f}' for x in load_after)} after. Corpus: {len(articles)} generated "
            f"articles (bench/corpus.py, {mean_chars:.0f} characters on average); model "
            f"{settings.spacy_model}, batch size {settings.entities_batch_size}, "
            f"{settings.topic_partitions} partitions. Command: `make bench` "
            f"(`python -m bench.pipeline --articles {args.articles}`).",
            "",
            table([*rows, one, two], base.rate),
            "",
            "Where the time went during the full-speed pipeline run, 1 replica per stage (stages "
            "from their /metrics, servers from /proc):",
            "",
            cpu,
            "",
            f"The same with the entities stage at nice {FAVOURED_NICE} (everything else at 0):",
            "",
            favoured_cpu,
            "",
            "The same with 2 entities replicas:",
            "",
            scaled_cpu,
            "",
        ]
    )
    RESULTS.write_text(report)
    print(report)


if __name__ == "__main__":
    main()
