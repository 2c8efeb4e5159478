"""One-shot mode: publish a backlog of files, folders and feed URLs with a progress bar and
a summary.

SIGTERM stops reading at the next article; everything already read is still flushed and
acknowledged before the process exits, so an interrupted load loses nothing it read.
"""

from __future__ import annotations

import signal
import threading
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from types import FrameType

from kafka import KafkaProducer
from kafka.errors import KafkaError
from kafka.producer.future import FutureRecordMetadata
from tqdm import tqdm

from schemas.articles import RawArticle
from services.common.kafka import reliable_producer, send
from services.common.settings import Settings
from services.feeder.article import refused
from services.feeder.errors import as_feeder_error
from services.feeder.formats.feeds import parse_feed
from services.feeder.limits import Limits
from services.feeder.polling import Budget, fetch_feed_once
from services.feeder.reader import Rejected, list_files, read_listed


@dataclass
class Summary:
    read: int = 0
    published: int = 0
    rejected: Counter[str] = field(default_factory=Counter)
    interrupted: bool = False

    def __str__(self) -> str:
        lines = [f"read {self.read}, published {self.published}, rejected {sum(self.rejected.values())}"]
        lines += [f"  rejected {count}: {reason}" for reason, count in self.rejected.most_common()]
        if self.interrupted:
            lines.append("interrupted by SIGTERM: everything read was published")
        return "\n".join(lines)


@contextmanager
def _stop_on_sigterm() -> Iterator[threading.Event]:
    stop = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield stop  # signal handlers can only be installed from the main thread
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield stop
    finally:
        signal.signal(signal.SIGTERM, previous)


def _read_urls(urls: list[str], budget: Budget) -> Iterator[list[RawArticle | Rejected]]:
    for url in urls:
        try:
            yield list(parse_feed(url, fetch_feed_once(url, budget)))
        except Exception as exc:  # one feed's failure is its dead letter, not the batch's end
            yield [Rejected(as_feeder_error(url, exc), b"")]


class _Sender:
    """Sends articles and dead letters; an article Kafka refuses becomes its dead letter."""

    def __init__(self, producer: KafkaProducer, settings: Settings, summary: Summary) -> None:
        self.producer, self.settings, self.summary = producer, settings, summary
        self.pending: list[tuple[RawArticle | Rejected, FutureRecordMetadata]] = []

    def reject(self, item: Rejected) -> None:
        self.summary.rejected[item.error.reason] += 1
        dead = item.dead_letter(self.settings.deadletter_max_payload)
        self.pending.append((item, send(self.producer, self.settings, dead)))

    def article(self, item: RawArticle) -> None:
        try:
            future = send(self.producer, self.settings, item)
        except KafkaError as exc:  # e.g. over the producer's request size, raised at once
            self.reject(refused(item, exc))
            return
        self.summary.published += 1
        self.pending.append((item, future))

    def wait(self) -> None:
        """Wait for every acknowledgement; an article refused by the broker is dead-lettered.
        Raises when a dead letter itself is refused (Kafka is failing, not one input)."""
        self.producer.flush()
        while self.pending:
            pending, self.pending = self.pending, []
            for item, future in pending:
                try:
                    future.get(timeout=60)
                except KafkaError as exc:
                    if isinstance(item, Rejected):
                        raise
                    self.summary.published -= 1
                    self.reject(refused(item, exc))
            self.producer.flush()


def publish_backlog(paths: Iterable[Path | str], settings: Settings, progress: bool = True) -> Summary:
    """`paths`: files, folders, and http(s) URLs of RSS/Atom feeds."""
    summary = Summary()
    producer = reliable_producer(settings)
    sender = _Sender(producer, settings, summary)
    limits = Limits.from_settings(settings)
    sources = list(paths)
    urls = [str(s) for s in sources if str(s).startswith(("http://", "https://"))]
    files = list_files(Path(s) for s in sources if str(s) not in urls)
    batches = chain(
        _read_urls(urls, Budget.from_settings(settings)), (i for _, i in read_listed(files, limits))
    )
    try:
        with _stop_on_sigterm() as stop:
            for items in tqdm(batches, total=len(urls) + len(files), unit="source", disable=not progress):
                for item in items:
                    if stop.is_set():
                        break
                    summary.read += 1
                    if isinstance(item, Rejected):
                        sender.reject(item)
                    else:
                        sender.article(item)
                if stop.is_set():
                    summary.interrupted = True
                    break
            sender.wait()
    finally:
        producer.close()
    return summary
