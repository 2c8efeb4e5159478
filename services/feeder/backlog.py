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

from tqdm import tqdm

from schemas.articles import RawArticle
from services.common.kafka import reliable_producer, send
from services.common.settings import Settings
from services.feeder.errors import FeederError
from services.feeder.formats.feeds import parse_feed
from services.feeder.polling import fetch_feed_once
from services.feeder.reader import Rejected, list_files, read_files


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


def _read_urls(urls: list[str], timeout: float) -> Iterator[list[RawArticle | Rejected]]:
    for url in urls:
        try:
            yield list(parse_feed(url, fetch_feed_once(url, timeout)))
        except FeederError as exc:
            yield [Rejected(exc, b"")]


def publish_backlog(paths: Iterable[Path | str], settings: Settings, progress: bool = True) -> Summary:
    """`paths`: files, folders, and http(s) URLs of RSS/Atom feeds."""
    summary = Summary()
    producer = reliable_producer(settings)
    futures = []
    sources = list(paths)
    urls = [str(s) for s in sources if str(s).startswith(("http://", "https://"))]
    files = list_files(Path(s) for s in sources if str(s) not in urls)
    batches = chain(_read_urls(urls, settings.feeder_feed_timeout_seconds), (i for _, i in read_files(files)))
    try:
        with _stop_on_sigterm() as stop:
            for items in tqdm(batches, total=len(urls) + len(files), unit="source", disable=not progress):
                for item in items:
                    if stop.is_set():
                        break
                    summary.read += 1
                    if isinstance(item, Rejected):
                        summary.rejected[item.error.reason] += 1
                        futures.append(
                            send(producer, settings, item.dead_letter(settings.deadletter_max_payload))
                        )
                    else:
                        summary.published += 1
                        futures.append(send(producer, settings, item))
                if stop.is_set():
                    summary.interrupted = True
                    break
            producer.flush()
            for future in futures:
                future.get(timeout=60)  # raises if any record was not acknowledged
    finally:
        producer.close()
    return summary
