"""Real-server test plumbing: fresh topic and index names per test, stage processes, polling."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from kafka import KafkaAdminClient, KafkaConsumer, TopicPartition
from kafka.errors import KafkaTimeoutError

from services.common.kafka import kafka_python_config
from services.common.settings import Settings
from services.common.stage import READY_PATH
from tests.conftest import ROOT
from tests.load import scaled

T = TypeVar("T")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def fresh_overrides(state_dir: Path, **extra: Any) -> dict[str, Any]:
    """Settings that no other test shares: topics, consumer groups, indices, state."""
    name = f"t{uuid.uuid4().hex[:10]}"
    return {
        "topic_prefix": name,
        "index_prefix": f"{name}-",
        "topic_partitions": 4,
        "state_dir": state_dir,
        "batch_seconds": 0.2,
        **extra,
    }


def environment(overrides: dict[str, Any]) -> dict[str, str]:
    """WIRESTREAM_* variables for a stage process; lists are JSON, as pydantic-settings reads them."""
    env = dict(os.environ)
    for key, value in overrides.items():
        text = json.dumps(value, default=str) if isinstance(value, list) else str(value)
        env[f"WIRESTREAM_{key.upper()}"] = text
    return env


class StageProcess:
    """One stage worker as a real OS process, as `deploy/stages.sh` would start it."""

    def __init__(self, stage: str, overrides: dict[str, Any], log_dir: Path) -> None:
        self.stage = stage
        self.port = free_port()
        self.log = log_dir / f"{stage}-{self.port}.log"
        env = environment({**overrides, "web_port": self.port})
        self.process = subprocess.Popen(
            [sys.executable, "-m", f"services.{stage}", "worker", "--loglevel", "info"],
            cwd=ROOT,
            env=env,
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30) -> None:
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def tail(self, lines: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def readiness(process: StageProcess) -> dict[str, Any] | None:
    """The worker's /ready/ body (status, ready, detail; 200 or 503), None while it does not answer."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{process.port}{READY_PATH}", timeout=2) as page:
            body: dict[str, Any] = json.loads(page.read())
    except urllib.error.HTTPError as error:
        body = json.loads(error.read())
        assert error.code == 503 and not body["ready"], body
    except OSError:
        return None
    return body


def is_ready(process: StageProcess) -> bool:
    body = readiness(process)
    return bool(body and body["ready"])


@contextmanager
def running(stages: list[str], overrides: dict[str, Any], log_dir: Path) -> Iterator[list[StageProcess]]:
    processes = [StageProcess(stage, overrides, log_dir) for stage in stages]
    try:
        yield processes
    finally:
        for process in processes:
            process.stop()


def wait_for(
    check: Callable[[], T | None],
    timeout: float,
    what: str,
    processes: Sequence[StageProcess] = (),
) -> T:
    """Poll `check` until it returns something truthy; fail at once if a stage process died.

    `timeout` is what a quiet machine needs; it is stretched by the measured load (tests/load.py).
    """
    timeout = scaled(timeout)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        dead = [p for p in processes if p.process.poll() is not None]
        if dead:
            raise AssertionError(f"{dead[0].stage} exited while waiting for {what}\n{dead[0].tail()}")
        time.sleep(0.5)
    logs = "\n".join(f"--- {p.stage} ---\n{p.tail()}" for p in processes)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}\n{logs}")


def read_topic(settings: Settings, topic: str, timeout: float = 60.0) -> list[Any]:
    """Every record on a topic, from the beginning up to the end offsets it had when called.

    Done when every partition's position reached its end offset: a positive signal, not a
    quiet spell, so a busy machine cannot make it return early with records missing.
    `timeout` only bounds a broker that does not answer.
    """
    consumer = KafkaConsumer(**kafka_python_config(settings), enable_auto_commit=False, group_id=None)
    deadline = time.monotonic() + scaled(timeout)
    try:
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or []]
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        ends = _end_offsets(consumer, partitions, deadline)
        records: list[Any] = []
        while any(consumer.position(tp) < end for tp, end in ends.items()):
            if time.monotonic() > deadline:
                raise AssertionError(f"{topic}: not read to its end offsets {ends} in {timeout}s")
            for batch in consumer.poll(timeout_ms=500).values():
                records += [r for r in batch if r.offset < ends[TopicPartition(r.topic, r.partition)]]
        return records
    finally:
        consumer.close()


def _end_offsets(
    consumer: KafkaConsumer, partitions: list[TopicPartition], deadline: float
) -> dict[Any, int]:
    """End offsets, asked again while the broker is too busy to answer in one request
    timeout (seen on a loaded machine), until `deadline`."""
    while True:
        try:
            ends: dict[Any, int] = consumer.end_offsets(partitions)
            return ends
        except KafkaTimeoutError:
            if time.monotonic() > deadline:
                raise


def messages_on(settings: Settings, topic: str) -> int:
    """How many records a topic holds: the sum of its partitions' end offsets."""
    consumer = KafkaConsumer(**kafka_python_config(settings))
    try:
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or []]
        return sum(consumer.end_offsets(partitions).values())
    finally:
        consumer.close()


def acknowledged(settings: Settings, stage: str, topics: Sequence[str]) -> bool:
    """The stage's consumer group has committed every message on `topics`: each one was
    processed and acknowledged (a positive signal, where a test would otherwise sleep)."""
    group = f"{settings.topic_prefix}-{stage}"
    config = kafka_python_config(settings)
    admin = KafkaAdminClient(**config, client_id="wirestream-test")
    consumer = KafkaConsumer(**config, enable_auto_commit=False, group_id=None)
    try:
        partitions = [TopicPartition(t, p) for t in topics for p in consumer.partitions_for_topic(t) or []]
        ends = consumer.end_offsets(partitions)
        committed = {tp: m.offset for tp, m in admin.list_group_offsets(group).get(group, {}).items()}
        return all(committed.get(tp, 0) >= end for tp, end in ends.items())
    finally:
        consumer.close()
        admin.close()
