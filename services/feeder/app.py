"""Feeder topology (continuous mode): watched folders -> wire.raw (and wire.deadletter).

A file is marked done only after Kafka acknowledged everything read from it, so a crash
re-publishes at most the file in flight (dedup and stable ids absorb that repeat).
"""

from __future__ import annotations

from services.common.settings import get_settings
from services.common.stage import Stage, log
from services.feeder.checkpoint import Checkpoint
from services.feeder.reader import Rejected, list_files, read_files

settings = get_settings()
stage = Stage("feeder", settings)
app = stage.app
checkpoint = Checkpoint(settings.state_dir / "feeder-checkpoint.json")


async def scan_watched_folders() -> None:
    new_files = [f for f in list_files(settings.feeder_watch) if checkpoint.is_new(f)]
    for path, items in read_files(new_files):
        version = Checkpoint.version(path)
        deliveries = []
        for item in items:
            message = (
                item.dead_letter(settings.deadletter_max_payload) if isinstance(item, Rejected) else item
            )
            deliveries.append(await stage.publish(message))
        for delivery in deliveries:
            await delivery  # wait for the broker's acknowledgement
        checkpoint.mark(path, version)
        log.info("stage=feeder file=%s published %d message(s)", path, len(deliveries))


# Registered by call rather than decorator: Faust's decorator is untyped and would erase
# the function's type for mypy.
app.timer(interval=settings.feeder_poll_seconds)(scan_watched_folders)
