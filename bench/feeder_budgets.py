"""Hostile feeds against the feeder's default budget: peak RSS and time to each dead letter.

Serves, on 127.0.0.1, a 2 GB answer (generated as sent), a gzip bomb (2 GB of zeros in
about 2 MB) and a feed sending one byte a second, next to a good feed; polls them all with
the settings' budget (`FEEDER_FEED_MAX_BYTES`, `FEEDER_FEED_TOTAL_SECONDS`) until each
hostile feed has ended as a dead letter, and prints the process's peak RSS against the
feeder's k8s memory limit. `python -m bench.feeder_budgets` (about a minute: the slow feed
runs into the total-time cap).
"""

from __future__ import annotations

import asyncio
import logging
import resource
import tempfile
import threading
import time
import zlib
from collections.abc import Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from schemas.articles import RawArticle
from services.common.settings import Settings
from services.feeder.checkpoint import FeedCheckpoint
from services.feeder.limits import Limits
from services.feeder.polling import Budget, FeedPoller
from services.feeder.reader import Rejected

GOOD = b"<rss version='2.0'><channel><title>Desk</title><item><guid>1</guid><title>Rain</title><description>Rain fell all night on the town.</description></item></channel></rss>"  # noqa: E501
K8S_LIMIT_MIB = 512


def _gzip_bomb(size: int) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = b"\0" * 1_000_000
    parts = [compressor.compress(block) for _ in range(size // len(block))]
    return b"".join(parts) + compressor.flush()


BOMB = _gzip_bomb(2_000_000_000)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self.send_response(200)
        try:
            if self.path == "/huge":
                self.send_header("Content-Length", str(2_000_000_000))
                self.end_headers()
                chunk = b"<" * 1_000_000
                for _ in range(2000):
                    self.wfile.write(chunk)
            elif self.path == "/bomb":
                self.send_header("Content-Encoding", "gzip")
                self.send_header("Content-Length", str(len(BOMB)))
                self.end_headers()
                self.wfile.write(BOMB)
            elif self.path == "/slow":
                self.send_header("Content-Length", "100000")
                self.end_headers()
                for _ in range(100_000):
                    self.wfile.write(b"<")
                    self.wfile.flush()
                    time.sleep(1)
            else:
                self.send_header("Content-Length", str(len(GOOD)))
                self.end_headers()
                self.wfile.write(GOOD)
        except OSError:
            pass

    def log_message(self, format: str, *args: object) -> None:
        pass


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # the feeder hanging up mid-answer is the point


def main() -> None:
    logging.getLogger("wirestream").setLevel(logging.ERROR)  # one warning per poll of each feed
    settings = Settings()
    httpd = Server(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    hostile = [f"{base}/huge", f"{base}/bomb", f"{base}/slow"]
    started = time.monotonic()
    ended: dict[str, tuple[float, str]] = {}

    async def publish(items: Sequence[RawArticle | Rejected]) -> None:
        for item in items:
            if isinstance(item, Rejected):
                ended[item.error.source] = (time.monotonic() - started, item.error.reason)

    with tempfile.TemporaryDirectory() as state:
        poller = FeedPoller(
            FeedCheckpoint(Path(state) / "feeds.json"),
            publish,
            Budget.from_settings(settings),
            Limits.from_settings(settings),
        )

        async def run() -> None:
            task = asyncio.create_task(poller.run_all([*hostile, f"{base}/good"], interval=1.0))
            while len(ended) < len(hostile):
                await asyncio.sleep(0.2)
            task.cancel()

        asyncio.run(run())
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"budget: {settings.feeder_feed_max_bytes} bytes, {settings.feeder_feed_total_seconds:g} s total")
    for url in hostile:
        seconds, reason = ended[url]
        print(f"{url.rsplit('/', 1)[1]:5} dead letter after {seconds:5.1f} s: {reason}")
    print(f"good feed polled {poller.polls[f'{base}/good']} times meanwhile")
    print(f"peak RSS {peak_mib:.0f} MiB (feeder k8s limit {K8S_LIMIT_MIB} MiB)")


if __name__ == "__main__":
    main()
