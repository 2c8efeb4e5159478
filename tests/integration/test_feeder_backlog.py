"""`wirestream feed` stopped by SIGTERM in the middle of a backlog: what it read is on Kafka."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from kafka import KafkaConsumer, TopicPartition

from schemas.topics import RAW
from services.common.kafka import kafka_python_config
from services.common.settings import Settings
from tests.conftest import ROOT
from tests.integration.harness import environment, wait_for

FILES = 4000


def _on_topic(settings: Settings, topic: str) -> int:
    consumer = KafkaConsumer(**kafka_python_config(settings))
    try:
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or []]
        return sum(consumer.end_offsets(partitions).values())
    finally:
        consumer.close()


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
            lambda: _on_topic(live_settings, raw) > 0 or feed.poll() is not None, 60, "the first records"
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
    assert _on_topic(live_settings, raw) == published == read
