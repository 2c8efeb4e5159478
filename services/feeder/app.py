"""Feeder topology (continuous mode): watched folders and polled feeds -> wire.raw (and
wire.deadletter).

Progress through a file is saved after each acknowledged chunk, and a feed entry after its
own acknowledgement, so a crash re-publishes at most what was in flight (dedup and stable
ids absorb that repeat); a restart never skips anything.

Whatever fails for one file or one feed entry (reading, parsing, building, sending) is that
item's dead letter and its checkpoint entry: the worker never stops on an input, and a
restarted worker does not meet the same input again. Only Kafka itself failing (the dead
letter cannot be sent either) ends a scan early; the next scan resumes where it stopped.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from schemas.articles import RawArticle
from schemas.deadletter import DeadLetter
from services.common.settings import get_settings
from services.common.stage import Stage
from services.feeder.article import refused
from services.feeder.checkpoint import Checkpoint, FeedCheckpoint
from services.feeder.inbox import Inbox, Settler
from services.feeder.limits import Limits
from services.feeder.polling import Budget, FeedPoller
from services.feeder.reader import Rejected

settings = get_settings()
stage = Stage("feeder", settings)
app = stage.app
limits = Limits.from_settings(settings)
checkpoint = Checkpoint(settings.state_dir / "feeder-checkpoint.json")
logging.getLogger("httpx").setLevel(logging.WARNING)  # one INFO line per poll drowns the log


def _message(item: RawArticle | Rejected) -> RawArticle | DeadLetter:
    return item.dead_letter(settings.deadletter_max_payload) if isinstance(item, Rejected) else item


async def publish(items: Sequence[RawArticle | Rejected]) -> None:
    """Send all, then wait for every acknowledgement (the producer batches them); an article
    the broker refuses becomes its dead letter. Raises only when a dead letter cannot be
    sent (Kafka itself is failing, not one input)."""
    pending = []
    for item in items:
        try:
            pending.append((item, await stage.publish(_message(item))))
        except Exception as exc:
            if isinstance(item, Rejected):
                raise
            await publish([refused(item, exc)])
    for item, delivery in pending:
        try:
            await delivery
        except Exception as exc:
            if isinstance(item, Rejected):
                raise
            await publish([refused(item, exc)])


inbox = Inbox(settings.feeder_watch, Settler(settings.feeder_settle_seconds), checkpoint, limits, publish)


feeds = FeedPoller(
    FeedCheckpoint(settings.state_dir / "feeder-feeds.json"), publish, Budget.from_settings(settings), limits
)


async def poll_feeds() -> None:
    """One loop per feed, so a slow feed never delays the others."""
    await feeds.run_all(settings.feeder_feeds, settings.feeder_feed_interval_seconds)


# Registered by call rather than decorator: Faust's decorator is untyped and would erase
# the function's type for mypy.
app.timer(interval=settings.feeder_poll_seconds)(inbox.scan)
app.task(poll_feeds)
