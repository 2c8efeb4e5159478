"""One-shot mode: publish a backlog of files with a progress bar and a summary."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from services.common.kafka import reliable_producer, send
from services.common.settings import Settings
from services.feeder.reader import Rejected, list_files, read_files


@dataclass
class Summary:
    read: int = 0
    published: int = 0
    rejected: Counter[str] = field(default_factory=Counter)

    def __str__(self) -> str:
        lines = [f"read {self.read}, published {self.published}, rejected {sum(self.rejected.values())}"]
        lines += [f"  rejected {count}: {reason}" for reason, count in self.rejected.most_common()]
        return "\n".join(lines)


def publish_backlog(paths: Iterable[Path], settings: Settings, progress: bool = True) -> Summary:
    summary = Summary()
    producer = reliable_producer(settings)
    futures = []
    try:
        files = list_files(paths)
        for _, items in tqdm(read_files(files), total=len(files), unit="file", disable=not progress):
            for item in items:
                summary.read += 1
                if isinstance(item, Rejected):
                    summary.rejected[item.error.reason] += 1
                    message = item.dead_letter(settings.deadletter_max_payload)
                    futures.append(send(producer, settings, message))
                else:
                    summary.published += 1
                    futures.append(send(producer, settings, item))
        producer.flush()
        for future in futures:
            future.get(timeout=60)  # raises if any record was not acknowledged
    finally:
        producer.close()
    return summary
