"""Feeds that would exhaust the feeder, served on 127.0.0.1: each ends as one dead letter
within the budget while another feed keeps being polled (small caps set in the test)."""

from __future__ import annotations

import asyncio
import gzip
import threading
import time
import zlib
from collections.abc import Iterator, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from schemas.articles import RawArticle
from services.feeder.checkpoint import FeedCheckpoint
from services.feeder.errors import FeederError
from services.feeder.limits import Limits
from services.feeder.polling import Budget, CappedBody, FeedPoller
from services.feeder.reader import Rejected
from tests.load import scaled

CAP = 1_000_000
# One cap at a time, so a loaded machine cannot make a different cap fire first: the byte caps
# with time to spare, the total-time cap with a per-read timeout the trickle never reaches.
BYTES_BUDGET = Budget(max_bytes=CAP, total_seconds=scaled(60.0), read_seconds=scaled(30.0))
TIME_BUDGET = Budget(max_bytes=CAP, total_seconds=scaled(2.0), read_seconds=scaled(30.0))
LIMITS = Limits(max_file_bytes=CAP, max_story_chars=100_000, max_depth=50, max_int_digits=20)
GOOD_FEED = (
    b"<rss version='2.0'><channel><title>Desk</title><item><guid>one</guid><title>Rain</title>"
    b"<description>Rain fell on the town all night.</description></item></channel></rss>"
)
BOMB = gzip.compress(b"\0" * (20 * CAP), compresslevel=9)  # 20 MB inflated from ~20 KB


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def _stream(self, chunk: bytes, pause: float, total: int) -> None:
        self.send_response(200)
        self.send_header("Content-Length", str(total))
        self.end_headers()
        sent = 0
        try:
            while sent < total:
                self.wfile.write(chunk)
                self.wfile.flush()
                sent += len(chunk)
                time.sleep(pause)
        except OSError:
            pass  # the feeder hung up: that is the point

    def do_GET(self) -> None:
        if self.path == "/huge":  # 2 GB on paper, generated as it is sent
            self._stream(b"<" * 65536, 0, 2_000_000_000)
        elif self.path == "/trickle":  # one byte at a time, never idle long enough to time out
            self._stream(b"<", 0.05, 10_000)
        elif self.path == "/bomb":
            self.send_response(200)
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(BOMB)))
            self.end_headers()
            self.wfile.write(BOMB)
        else:
            self.send_response(200)
            self.send_header("Content-Length", str(len(GOOD_FEED)))
            self.end_headers()
            self.wfile.write(GOOD_FEED)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def poll_until_each_hostile_feed_polled_twice(
    hostile: Sequence[str], good: str, budget: Budget, tmp_path: Path
) -> tuple[list[RawArticle | Rejected], dict[str, int]]:
    """What the poller published, and how often the good feed had been polled at each rejection."""
    published: list[RawArticle | Rejected] = []
    good_polls_when_rejected: dict[str, int] = {}

    async def publish(items: Sequence[RawArticle | Rejected]) -> None:
        for item in items:
            published.append(item)
            if isinstance(item, Rejected):
                good_polls_when_rejected[item.error.source] = poller.polls.get(good, 0)

    poller = FeedPoller(FeedCheckpoint(tmp_path / "feeds.json"), publish, budget, LIMITS)

    async def run() -> None:
        task = asyncio.create_task(poller.run_all([*hostile, good], interval=0.05))
        # Until every hostile feed was polled twice: its outage is one dead letter, not one per poll.
        while min(poller.polls.get(url, 0) for url in hostile) < 2:
            await asyncio.sleep(0.05)
        task.cancel()

    asyncio.run(asyncio.wait_for(run(), timeout=scaled(120)))
    return published, good_polls_when_rejected


def assert_one_dead_letter_each(published: list[RawArticle | Rejected], reasons: dict[str, str]) -> None:
    rejected = [item for item in published if isinstance(item, Rejected)]
    assert sorted(r.error.source for r in rejected) == sorted(reasons)
    for item in rejected:
        assert reasons[item.error.source] in item.error.reason
    articles = [item for item in published if isinstance(item, RawArticle)]
    assert [a.article.headline for a in articles] == ["Rain"], "the good entry once, not once per poll"


def test_huge_and_compressed_bomb_feeds_end_at_the_byte_caps(server: str, tmp_path: Path) -> None:
    reasons = {f"{server}/huge": "as sent", f"{server}/bomb": "after decompression"}
    published, _ = poll_until_each_hostile_feed_polled_twice(
        list(reasons), f"{server}/good", BYTES_BUDGET, tmp_path
    )
    assert_one_dead_letter_each(published, reasons)


def test_a_trickling_feed_ends_at_the_total_time_cap_while_a_good_feed_keeps_being_polled(
    server: str, tmp_path: Path
) -> None:
    trickle = f"{server}/trickle"
    published, good_polls_when_rejected = poll_until_each_hostile_feed_polled_twice(
        [trickle], f"{server}/good", TIME_BUDGET, tmp_path
    )
    assert_one_dead_letter_each(published, {trickle: "in total"})
    # The slow feed's dead letter came after the good feed had been polled again meanwhile.
    assert good_polls_when_rejected[trickle] >= 2


def test_capped_body_inflates_within_the_cap() -> None:
    body = CappedBody("u", "gzip", 1000)
    payload = gzip.compress(b"a" * 400) + gzip.compress(b"b" * 400)  # two gzip members
    for index in range(0, len(payload), 7):
        body.feed(payload[index : index + 7])
    assert body.body() == b"a" * 400 + b"b" * 400
    deflated = CappedBody("u", "deflate", 1000)
    deflated.feed(zlib.compress(b"c" * 1000))
    assert deflated.body() == b"c" * 1000
    with pytest.raises(FeederError, match="after decompression"):
        CappedBody("u", "deflate", 1000).feed(zlib.compress(b"c" * 1001))
    with pytest.raises(FeederError, match="as sent"):
        CappedBody("u", None, 10).feed(b"x" * 11)
    with pytest.raises(FeederError, match="unsupported Content-Encoding"):
        CappedBody("u", "br", 10)
    with pytest.raises(FeederError, match="corrupt compressed body"):
        CappedBody("u", "gzip", 100).feed(b"not gzip at all")
