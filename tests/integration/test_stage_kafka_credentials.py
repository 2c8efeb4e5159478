"""A stage started with a wrong SCRAM password, against the real secured Kafka: it stops with
one line naming the settings to check, instead of retrying forever as "not reachable yet",
and the password never appears in its output."""

from __future__ import annotations

import secrets
from pathlib import Path

from tests.integration.harness import StageProcess, wait_for
from tests.integration.test_secured_stack import PREFIX, Secured, secured

__all__ = ["secured"]  # the secured stack fixture, started for this module


def test_a_stage_with_a_wrong_kafka_password_stops_with_one_line(secured: Secured, tmp_path: Path) -> None:
    wrong = "not-" + secrets.token_urlsafe(12)
    overrides = {
        **secured.kafka_overrides(password=wrong),
        "topic_prefix": PREFIX,
        "topic_partitions": 2,
        "state_dir": tmp_path / "state",
    }
    stage = StageProcess("dedup", overrides, tmp_path)
    try:
        wait_for(lambda: stage.process.poll() is not None or None, 120, "the stage to stop", [])
    finally:
        stage.stop()
    log = stage.log.read_text(errors="replace")
    assert stage.process.returncode == 2, stage.tail()
    (line,) = [row for row in log.splitlines() if "refused the client" in row]
    assert "WIRESTREAM_KAFKA_PASSWORD" in line and f"Kafka at {secured.kafka}" in line
    assert wrong not in log
    assert "not reachable yet" not in log
