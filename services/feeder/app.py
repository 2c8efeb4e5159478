"""Feeder topology (continuous mode): watched folders and polled feeds -> wire.raw (and
wire.deadletter).

Progress through a file is saved after each acknowledged chunk, and a feed entry after its
own acknowledgement, so a crash re-publishes at most what was in flight (dedup and stable
ids absorb that repeat); a restart never skips anything.
"""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path

import httpx

from schemas.articles import RawArticle
from schemas.deadletter import DeadLetter
from services.common.settings import get_settings
from services.common.stage import Stage, log
from services.feeder.checkpoint import Checkpoint, FeedCheckpoint
from services.feeder.errors import FeederError
from services.feeder.formats.feeds import parse_feed_entries
from services.feeder.polling import fetch_feed
from services.feeder.reader import Rejected, list_files, read_files

settings = get_settings()
stage = Stage("feeder", settings)
app = stage.app
checkpoint = Checkpoint(settings.state_dir / "feeder-checkpoint.json")
feed_checkpoint = FeedCheckpoint(settings.state_dir / "feeder-feeds.json")
FILE_CHUNK = 500  # a restart in the middle of a big JSONL file repeats at most this many
failing_feeds: set[str] = set()  # one dead letter per outage, not one per poll
logging.getLogger("httpx").setLevel(logging.WARNING)  # one INFO line per poll drowns the log


def _message(item: RawArticle | Rejected) -> RawArticle | DeadLetter:
    return item.dead_letter(settings.deadletter_max_payload) if isinstance(item, Rejected) else item


async def publish(item: RawArticle | Rejected) -> None:
    """Send and wait for the broker's acknowledgement."""
    delivery = await stage.publish(_message(item))
    await delivery


def _ready(path: Path, settled_before: float) -> bool:
    """Hidden files and files changed in the last moments may still be being written."""
    try:
        return not path.name.startswith(".") and path.stat().st_mtime < settled_before
    except OSError:
        return False  # gone since it was listed


async def scan_watched_folders() -> None:
    settled_before = time.time() - settings.feeder_settle_seconds
    new_files = [
        f for f in list_files(settings.feeder_watch) if _ready(f, settled_before) and checkpoint.is_new(f)
    ]
    # Versions taken before reading: a file rewritten meanwhile is read again, never skipped.
    versions = {f: Checkpoint.version(f) for f in new_files}
    for path, items in read_files(new_files):
        if path not in versions:  # a broken meta.json: reported each time it is loaded
            for item in items:
                await publish(item)
            continue
        version = versions[path]
        done = checkpoint.published(path, version)
        for start in range(done, len(items), FILE_CHUNK):
            chunk = items[start : start + FILE_CHUNK]
            # Send the chunk, then wait: the producer batches it; progress is saved per chunk.
            deliveries = [await stage.publish(_message(item)) for item in chunk]
            for delivery in deliveries:
                await delivery
            checkpoint.progress(path, version, start + len(chunk))
        checkpoint.mark(path, version)
        log.info("stage=feeder file=%s published %d message(s)", path, len(items) - done)


async def poll_feed(client: httpx.AsyncClient, url: str) -> None:
    state = feed_checkpoint.get(url)
    try:
        fetched = await fetch_feed(client, url, state)
        entries = list(parse_feed_entries(url, fetched.body)) if fetched else []
    except FeederError as exc:
        log.warning("stage=feeder feed error: %s", exc)
        if url not in failing_feeds:
            failing_feeds.add(url)
            await publish(Rejected(exc, b""))
        return
    failing_feeds.discard(url)
    if fetched is None:
        return  # 304 Not Modified
    seen = set(state.seen)
    for key, item in entries:
        if key not in seen:
            await publish(item)
            seen.add(key)
            # Old validators until the whole document is done: a restart refetches it.
            feed_checkpoint.record(url, state.etag, state.modified, seen)
    # Entries that left the feed will not come back; forgetting them bounds the checkpoint.
    feed_checkpoint.record(url, fetched.etag, fetched.modified, {key for key, _ in entries})
    log.info("stage=feeder feed=%s %d entries, %d new", url, len(entries), len(seen - state.seen))


async def poll_feeds() -> None:
    timeout = httpx.Timeout(settings.feeder_feed_timeout_seconds)
    async with httpx.AsyncClient(timeout=timeout, follow_redirects=True) as client:
        # Concurrently: a feed that times out must not hold back the others.
        await asyncio.gather(*(poll_feed(client, url) for url in settings.feeder_feeds))


# Registered by call rather than decorator: Faust's decorator is untyped and would erase
# the function's type for mypy.
app.timer(interval=settings.feeder_poll_seconds)(scan_watched_folders)
app.timer(interval=settings.feeder_feed_interval_seconds)(poll_feeds)
