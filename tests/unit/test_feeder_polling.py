"""Feed fetching against a real HTTP server on 127.0.0.1: conditional requests and failures."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from services.feeder.checkpoint import FeedCheckpoint, FeedState
from services.feeder.errors import FeederError
from services.feeder.polling import Budget, Fetched, fetch_feed

FEED = b"<rss version='2.0'><channel><title>t</title></channel></rss>"


class Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path == "/slow":
            time.sleep(1)
        if self.path == "/broken":
            self.send_response(500)
            self.end_headers()
            return
        if self.headers.get("If-None-Match") == '"v1"':
            self.send_response(304)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("ETag", '"v1"')
        self.send_header("Last-Modified", "Fri, 25 Aug 2017 10:00:00 GMT")
        self.end_headers()
        self.wfile.write(FEED)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def _fetch(url: str, state: FeedState) -> Fetched | None:
    async def go() -> Fetched | None:
        async with httpx.AsyncClient() as client:
            return await fetch_feed(client, url, state, Budget(1_000_000, 5.0, 0.3))

    return asyncio.run(go())


def test_conditional_request_returns_nothing_when_unchanged(server: str) -> None:
    fetched = _fetch(f"{server}/feed", FeedState())
    assert fetched == Fetched(FEED, '"v1"', "Fri, 25 Aug 2017 10:00:00 GMT")
    assert _fetch(f"{server}/feed", FeedState(etag=fetched.etag, modified=fetched.modified)) is None


@pytest.mark.parametrize(("path", "reason"), [("/broken", "HTTP 500"), ("/slow", "timed out")])
def test_failures_name_the_url(server: str, path: str, reason: str) -> None:
    with pytest.raises(FeederError) as caught:
        _fetch(f"{server}{path}", FeedState())
    assert caught.value.source == f"{server}{path}" and reason in caught.value.reason
    assert "\n" not in str(caught.value)


def test_refused_connection_is_a_feeder_error() -> None:
    with pytest.raises(FeederError, match="request failed: ConnectError"):
        _fetch("http://127.0.0.1:9/feed", FeedState())


def test_feed_checkpoint_survives_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "feeds.json"
    FeedCheckpoint(path).record("http://x/feed", '"v2"', None, {"a", "b"})
    assert FeedCheckpoint(path).get("http://x/feed") == FeedState('"v2"', None, frozenset({"a", "b"}))
    assert FeedCheckpoint(path).get("http://other/feed") == FeedState()
