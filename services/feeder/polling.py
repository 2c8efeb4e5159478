"""Fetching feed URLs within a budget, and polling each feed on its own schedule.

A fetch is streamed: the bytes as sent and the bytes after decompression are both capped,
and the whole request (connection, headers, every trickled byte) has a total-time cap, so a
2 GB answer, a gzip bomb or a feed sending one byte a second each end as one `FeederError`
naming the URL, with a bounded amount of memory held meanwhile. Each feed is polled by its
own loop: a slow feed never delays another one.
"""

from __future__ import annotations

import asyncio
import logging
import zlib
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import httpx

from schemas.articles import RawArticle
from services.common.codec import encode
from services.common.settings import Settings
from services.feeder.article import Rejected
from services.feeder.checkpoint import FeedCheckpoint, FeedState
from services.feeder.errors import FeederError, as_feeder_error, printable
from services.feeder.formats.feeds import parse_feed_entries
from services.feeder.limits import Limits, check_story

log = logging.getLogger("wirestream")
# Only what we can decode incrementally with a cap; br/zstd would need their own streaming caps.
ACCEPT_ENCODING = "gzip, deflate"


@dataclass(frozen=True)
class Fetched:
    body: bytes
    etag: str | None
    modified: str | None


@dataclass(frozen=True)
class Budget:
    max_bytes: int  # as sent, and again after decompression
    total_seconds: float  # the whole request
    read_seconds: float  # connecting, or waiting for the next bytes

    @classmethod
    def from_settings(cls, settings: Settings) -> Budget:
        return cls(
            settings.feeder_feed_max_bytes,
            settings.feeder_feed_total_seconds,
            settings.feeder_feed_timeout_seconds,
        )


def conditional_headers(state: FeedState) -> dict[str, str]:
    headers = {"If-None-Match": state.etag} if state.etag else {}
    if state.modified:
        headers["If-Modified-Since"] = state.modified
    return headers


@contextmanager
def _errors(url: str) -> Iterator[None]:
    try:
        yield
    except httpx.TimeoutException as exc:
        raise FeederError(url, f"timed out ({type(exc).__name__})") from exc
    except httpx.HTTPError as exc:
        raise FeederError(url, f"request failed: {type(exc).__name__}: {exc}") from exc


class CappedBody:
    """Collects a response body as sent, decompressing it (gzip, deflate) with both sizes
    capped: never more than `max_bytes` plus one chunk is held or inflated."""

    def __init__(self, url: str, encoding: str | None, max_bytes: int) -> None:
        self.url, self.max_bytes = url, max_bytes
        self.sent = 0
        self.parts: list[bytes] = []
        self.size = 0
        encoding = (encoding or "identity").strip().lower()
        if encoding in ("gzip", "x-gzip"):
            self.wbits: int | None = 16 + zlib.MAX_WBITS
        elif encoding == "deflate":
            self.wbits = zlib.MAX_WBITS
        elif encoding == "identity":
            self.wbits = None
        else:
            raise FeederError(url, f"unsupported Content-Encoding {encoding!r}")
        self.inflater = zlib.decompressobj(self.wbits) if self.wbits is not None else None

    def _keep(self, data: bytes) -> None:
        self.size += len(data)
        if self.size > self.max_bytes:
            raise FeederError(self.url, f"larger than {self.max_bytes} bytes after decompression")
        self.parts.append(data)

    def feed(self, chunk: bytes) -> None:
        self.sent += len(chunk)
        if self.sent > self.max_bytes:
            raise FeederError(self.url, f"larger than {self.max_bytes} bytes as sent")
        if self.inflater is None or self.wbits is None:
            self._keep(chunk)
            return
        try:
            while chunk:
                # At most one byte over the room left: enough to know the cap is broken.
                self._keep(self.inflater.decompress(chunk, self.max_bytes - self.size + 1))
                chunk = self.inflater.unconsumed_tail
                if self.inflater.eof and (chunk := chunk or self.inflater.unused_data):
                    self.inflater = zlib.decompressobj(self.wbits)  # a further gzip member
        except zlib.error as exc:
            raise FeederError(self.url, f"corrupt compressed body: {exc}") from exc

    def body(self) -> bytes:
        return b"".join(self.parts)


def _check_status(url: str, response: httpx.Response) -> bool:
    """False when the feed has not changed since the validators we sent (304)."""
    if response.status_code == 304:
        return False
    if response.status_code != 200:
        raise FeederError(url, f"HTTP {response.status_code} {response.reason_phrase}".strip())
    return True


async def fetch_feed(client: httpx.AsyncClient, url: str, state: FeedState, budget: Budget) -> Fetched | None:
    """The feed document, None when unchanged; FeederError for anything over the budget."""
    headers = {**conditional_headers(state), "Accept-Encoding": ACCEPT_ENCODING}
    timeout = httpx.Timeout(budget.read_seconds)
    try:
        async with asyncio.timeout(budget.total_seconds):
            with _errors(url):
                async with client.stream("GET", url, headers=headers, timeout=timeout) as response:
                    if not _check_status(url, response):
                        return None
                    body = CappedBody(url, response.headers.get("content-encoding"), budget.max_bytes)
                    async for chunk in response.aiter_raw():
                        body.feed(chunk)
    except TimeoutError as exc:
        raise FeederError(url, f"took longer than {budget.total_seconds:g} s in total") from exc
    return Fetched(body.body(), response.headers.get("etag"), response.headers.get("last-modified"))


def fetch_feed_once(url: str, budget: Budget) -> bytes:
    """One unconditional fetch (backlog mode), with the same budget."""

    async def fetch() -> Fetched | None:
        async with httpx.AsyncClient(follow_redirects=True) as client:
            return await fetch_feed(client, url, FeedState(), budget)

    fetched = asyncio.run(fetch())
    if fetched is None:
        raise FeederError(url, "HTTP 304 to an unconditional request")
    return fetched.body


Publish = Callable[[Sequence[RawArticle | Rejected]], Awaitable[None]]


class FeedPoller:
    """Polls feed URLs, each in its own loop; publishes new entries and one dead letter per
    outage of a feed (not one per poll). `publish` sends an article, or a rejection's dead
    letter, and waits for the broker; when it raises, Kafka itself is failing: the poll
    ends and the feed is fetched again next time (the checkpoint has what was sent)."""

    def __init__(self, checkpoint: FeedCheckpoint, publish: Publish, budget: Budget, limits: Limits) -> None:
        self.checkpoint, self.publish, self.budget, self.limits = checkpoint, publish, budget, limits
        self.failing: set[str] = set()
        self.polls: dict[str, int] = {}  # completed polls per URL (health and tests)

    async def _entries(self, client: httpx.AsyncClient, url: str) -> None:
        state = self.checkpoint.get(url)
        fetched = await fetch_feed(client, url, state, self.budget)
        entries = list(parse_feed_entries(url, fetched.body)) if fetched else []
        self.failing.discard(url)
        if fetched is None:
            return  # 304 Not Modified
        seen = set(state.seen)
        for key, item in entries:
            if key in seen:
                continue
            await self._publish_entry(item)
            seen.add(key)
            # Old validators until the whole document is done: a restart refetches it.
            self.checkpoint.record(url, state.etag, state.modified, seen)
        # Entries that left the feed will not come back; forgetting them bounds the checkpoint.
        self.checkpoint.record(url, fetched.etag, fetched.modified, {key for key, _ in entries})
        log.info(
            "stage=feeder feed=%s %d entries, %d new", printable(url), len(entries), len(seen - state.seen)
        )

    async def _publish_entry(self, item: RawArticle | Rejected) -> None:
        if isinstance(item, RawArticle):
            try:
                check_story(item, self.limits)
            except FeederError as exc:
                item = Rejected(exc, encode(item))
        await self.publish([item])

    async def poll(self, client: httpx.AsyncClient, url: str) -> None:
        """One poll of one feed; whatever fails is that feed's dead letter, never an exception."""
        try:
            await self._entries(client, url)
        except Exception as exc:  # a bug in a parser, a FeederError, a checkpoint write
            error = as_feeder_error(url, exc)
            log.warning("stage=feeder feed error: %s", error)
            if url not in self.failing:
                self.failing.add(url)
                await self.publish([Rejected(error, b"")])
        finally:
            self.polls[url] = self.polls.get(url, 0) + 1

    async def run(self, client: httpx.AsyncClient, url: str, interval: float) -> None:
        """Poll `url` every `interval` seconds, forever, independently of the other feeds."""
        while True:
            try:
                await self.poll(client, url)
            except Exception as exc:  # publishing failed: Kafka is down, not this feed
                log.warning(
                    "stage=feeder feed=%s not published, retrying: %s", printable(url), printable(str(exc))
                )
            await asyncio.sleep(interval)

    async def run_all(self, urls: list[str], interval: float) -> None:
        async with httpx.AsyncClient(follow_redirects=True) as client:
            await asyncio.gather(*(self.run(client, url, interval) for url in urls))
