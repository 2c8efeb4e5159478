"""One-shot mode against the real Kafka: SIGTERM in the middle of a backlog leaves what was
read on Kafka; feed URLs are read like files."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from schemas.topics import DEADLETTER, RAW
from services.common.settings import Settings
from services.feeder.backlog import publish_backlog
from tests.conftest import ROOT
from tests.integration.harness import environment, messages_on, wait_for

FILES = 4000
DATA = ROOT / "tests" / "data" / "feeder"


def test_sigterm_flushes_everything_read(
    live_settings: Settings, overrides: dict[str, Any], tmp_path: Path
) -> None:
    backlog = tmp_path / "backlog"
    backlog.mkdir()
    for n in range(FILES):
        (backlog / f"{n:05d}.txt").write_text(f"LAGOS — Story number {n} of the backlog, told once.\n")
    raw = live_settings.topic(RAW)
    feed = subprocess.Popen(
        [sys.executable, "-m", "services.cli", "feed", "--quiet", str(backlog)],
        cwd=ROOT,
        env=environment(overrides),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_for(
            lambda: messages_on(live_settings, raw) > 0 or feed.poll() is not None, 60, "the first records"
        )
        feed.send_signal(signal.SIGTERM)
        output, _ = feed.communicate(timeout=60)
    finally:
        feed.kill()
    assert feed.returncode == 0, output
    assert "interrupted by SIGTERM" in output, f"the backlog finished before the signal:\n{output}"
    counts = re.search(r"read (\d+), published (\d+), rejected (\d+)", output)
    assert counts, output
    read, published, rejected = map(int, counts.groups())
    assert 0 < read < FILES and rejected == 0
    assert messages_on(live_settings, raw) == published == read


def test_backlog_from_feed_urls_and_files(live_settings: Settings, tmp_path: Path) -> None:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path != "/feed":
                self.send_response(503)
                self.end_headers()
                return
            self.send_response(200)
            self.end_headers()
            self.wfile.write((DATA / "feeds" / "outlet_rss.xml").read_bytes())

        def log_message(self, format: str, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    try:
        summary = publish_backlog(
            [f"{base}/feed", f"{base}/down", DATA / "ninjs"], live_settings, progress=False
        )
    finally:
        httpd.shutdown()
    # 2 feed entries and 3 ninjs files published; the unavailable feed is one dead letter.
    assert (summary.read, summary.published) == (6, 5)
    assert summary.rejected == {"HTTP 503 Service Unavailable": 1}
    assert messages_on(live_settings, live_settings.topic(RAW)) == 5
    assert messages_on(live_settings, live_settings.topic(DEADLETTER)) == 1
