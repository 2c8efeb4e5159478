"""The feeder worker against the real Kafka: watched folder and a polled feed, each item on
wire.raw exactly once, across a restart; a failing feed gives a dead letter, not a crash."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from schemas.articles import RawArticle
from schemas.deadletter import DeadLetter
from schemas.topics import DEADLETTER, RAW
from services.common.codec import decode
from services.common.settings import Settings
from tests.integration.harness import StageProcess, read_topic, wait_for


@dataclass
class Feed:
    """An RSS feed whose items the test adds while the feeder polls it."""

    items: list[tuple[str, str]] = field(default_factory=list)  # (guid, body)
    not_modified: int = 0  # 304 answers: proof the feeder sends its validators back

    def document(self) -> bytes:
        entries = "".join(
            f"<item><guid>{guid}</guid><title>{guid}</title><description>{body}</description></item>"
            for guid, body in self.items
        )
        return f"<rss version='2.0'><channel><title>Test Wire</title>{entries}</channel></rss>".encode()


@pytest.fixture
def feed() -> Iterator[tuple[Feed, str]]:
    state = Feed()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path == "/broken":
                self.send_response(500)
                self.end_headers()
                return
            etag = f'"{len(state.items)}"'
            if self.headers.get("If-None-Match") == etag:
                state.not_modified += 1
                self.send_response(304)
                self.end_headers()
                return
            body = state.document()
            self.send_response(200)
            self.send_header("ETag", etag)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield state, f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def _drop(folder: Path, name: str, text: str) -> None:
    """Written under a hidden name, then renamed: how an FTP drop should land a file."""
    hidden = folder / f".{name}"
    hidden.write_text(text, encoding="utf-8")
    hidden.rename(folder / name)


def _raw(settings: Settings) -> list[RawArticle]:
    return [decode(r.value, RawArticle) for r in read_topic(settings, settings.topic(RAW))]


def _sources(settings: Settings) -> list[str]:
    return sorted(r.article.headline or Path(r.article.source).name for r in _raw(settings))


def test_folder_and_feed_exactly_once_across_restart(
    live_settings: Settings, overrides: dict[str, Any], tmp_path: Path, feed: tuple[Feed, str]
) -> None:
    state, base = feed
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    overrides = {
        **overrides,
        "feeder_watch": [str(inbox)],
        "feeder_feeds": [f"{base}/feed", f"{base}/broken"],
        "feeder_poll_seconds": 0.5,
        "feeder_feed_interval_seconds": 0.5,
        "feeder_settle_seconds": 0.2,
    }
    settings = live_settings
    _drop(inbox, "a.txt", "BEIRUT — First story from the folder.\n")
    _drop(inbox, "b.jsonl", json.dumps({"headline": "From JSONL", "body": "A JSON line story."}) + "\n")
    state.items += [("feed-1", "LAGOS — First feed story."), ("feed-2", "Second feed story.")]
    first_round = ["From JSONL", "a.txt", "feed-1", "feed-2"]

    feeder = StageProcess("feeder", overrides, tmp_path)
    try:
        wait_for(lambda: _sources(settings) == first_round or None, 90, "the first four items", [feeder])
        feeder.stop()  # SIGTERM, as deploy/stages.sh stops it
        assert feeder.process.returncode is not None

        # While it is down: one more file and one more feed entry.
        _drop(inbox, "c.txt", "KABUL — A story dropped while the feeder was down.\n")
        state.items.append(("feed-3", "A feed story published while the feeder was down."))
        feeder = StageProcess("feeder", overrides, tmp_path)
        everything = sorted([*first_round, "c.txt", "feed-3"])
        wait_for(lambda: _sources(settings) == everything or None, 90, "all six items", [feeder])
        wait_for(lambda: state.not_modified >= 2 or None, 30, "conditional requests answered 304", [feeder])
        assert _sources(settings) == everything, "something was published twice after the restart"

        records = [decode(r.value, DeadLetter) for r in read_topic(settings, settings.topic(DEADLETTER))]
        broken = [d for d in records if f"{base}/broken" in d.error]
        assert broken and "HTTP 500" in broken[0].error
        assert len(broken) <= 2, "one dead letter per outage (per worker run), not one per poll"
        assert feeder.process.poll() is None, "the feeder stopped because of a failing feed"
    finally:
        feeder.stop()
