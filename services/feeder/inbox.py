"""When a file in a watched folder is ready to publish.

The convention for writers (README, "Watched folders"): write to a name the feeder skips (a
hidden `.name`, or `name.tmp` / `.part` / `.partial`) and rename it into place when done;
the rename is atomic, so the feeder sees the whole file or nothing. For writers that cannot
rename, a file is published only once its size and modification time have stayed the same
for the settle time, observed across scans (not inferred from an old mtime, which a writer
pausing mid-file also leaves behind).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from pathlib import Path

from schemas.articles import RawArticle
from services.feeder.checkpoint import Checkpoint
from services.feeder.errors import path_name, printable
from services.feeder.limits import Limits
from services.feeder.reader import Rejected, list_files, read_listed

log = logging.getLogger("wirestream")
FILE_CHUNK = 500  # a restart in the middle of a big JSONL file repeats at most this many
Publish = Callable[[Sequence[RawArticle | Rejected]], Awaitable[None]]


class Settler:
    """Remembers when each file's current version was first seen; forgets files that left."""

    def __init__(self, settle_seconds: float, clock: Callable[[], float] = time.time) -> None:
        self.settle_seconds = settle_seconds
        self.clock = clock
        self.first_seen: dict[Path, tuple[str, float]] = {}

    def ready(self, files: Iterable[Path]) -> list[tuple[Path, str]]:
        """(file, version) of the files whose version has been stable for the settle time."""
        now = self.clock()
        seen: dict[Path, tuple[str, float]] = {}
        ready = []
        for path in files:
            try:
                version, mtime = Checkpoint.version(path), path.lstat().st_mtime
            except OSError:
                continue  # gone since it was listed
            previous = self.first_seen.get(path)
            since = previous[1] if previous is not None and previous[0] == version else now
            seen[path] = (version, since)
            stable = now - since >= self.settle_seconds and now - mtime >= self.settle_seconds
            if stable or self.settle_seconds == 0:
                ready.append((path, version))
        self.first_seen = seen
        return ready


class Inbox:
    """Watched folders -> articles and dead letters, with progress kept in the checkpoint.

    `publish` sends items and waits for the broker; it raises only when Kafka itself
    fails, which ends the scan early (the next scan resumes from the checkpoint). Anything
    else that goes wrong for one file is that file's dead letter and checkpoint entry.
    """

    def __init__(
        self, folders: list[Path], settler: Settler, checkpoint: Checkpoint, limits: Limits, publish: Publish
    ) -> None:
        self.folders, self.settler, self.checkpoint = folders, settler, checkpoint
        self.limits, self.publish = limits, publish

    async def _publish_file(self, path: Path, version: str, items: list[RawArticle | Rejected]) -> None:
        done = self.checkpoint.published(path, version)
        for start in range(done, len(items), FILE_CHUNK):
            await self.publish(items[start : start + FILE_CHUNK])
            self.checkpoint.progress(path, version, min(start + FILE_CHUNK, len(items)))
        self.checkpoint.mark(path, version)
        log.info("stage=feeder file=%s published %d message(s)", path_name(path), len(items) - done)

    async def scan(self) -> None:
        """Publish every settled file not yet published; never raises (a Faust timer that
        raises crashes the worker)."""
        try:
            ready = dict(self.settler.ready(list_files(self.folders)))
            new = {path: v for path, v in ready.items() if self.checkpoint.is_new_version(path, v)}
            for path, items in read_listed(new, self.limits):
                if path not in new:  # a broken meta.json: reported each time it is loaded
                    await self.publish(items)
                    continue
                await self._publish_file(path, new[path], items)
        except Exception as exc:  # Kafka unavailable or the state folder unwritable
            log.warning(
                "stage=feeder scan stopped, retrying next scan: %s: %s",
                type(exc).__name__,
                printable(str(exc)),
            )
