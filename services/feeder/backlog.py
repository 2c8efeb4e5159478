"""One-shot mode: publish a backlog of files with a progress bar and a summary.

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
from pathlib import Path
from types import FrameType

from tqdm import tqdm

from services.common.kafka import reliable_producer, send
from services.common.settings import Settings
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


def publish_backlog(paths: Iterable[Path], settings: Settings, progress: bool = True) -> Summary:
    summary = Summary()
    producer = reliable_producer(settings)
    futures = []
    try:
        with _stop_on_sigterm() as stop:
            files = list_files(paths)
            for _, items in tqdm(read_files(files), total=len(files), unit="file", disable=not progress):
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
