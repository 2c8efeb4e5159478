"""Hostile files in the watched folder, against the real Kafka: the feeder worker keeps
running, each file is one dead letter with its reason, the files around them are published,
and a restarted worker does not meet them again. `wirestream feed` on the same folder ends
with a summary, not a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

from schemas.articles import RawArticle
from schemas.deadletter import DeadLetter
from schemas.topics import DEADLETTER, RAW
from services.common.codec import decode
from services.common.settings import Settings
from tests.conftest import ROOT
from tests.hostile_files import GOOD, hostile_folder
from tests.integration.harness import StageProcess, environment, read_topic, wait_for


def _dead_letters(settings: Settings) -> list[DeadLetter]:
    return [decode(r.value, DeadLetter) for r in read_topic(settings, settings.topic(DEADLETTER), 2)]


def _bodies(settings: Settings) -> list[str]:
    return sorted(
        decode(r.value, RawArticle).article.body for r in read_topic(settings, settings.topic(RAW), 2)
    )


def test_worker_survives_hostile_files_and_restarts_cleanly(
    live_settings: Settings, overrides: dict[str, Any], tmp_path: Path
) -> None:
    inbox = tmp_path / "inbox"
    expected = hostile_folder(inbox)
    overrides = {
        **overrides,
        "feeder_watch": [str(inbox)],
        "feeder_poll_seconds": 0.5,
        "feeder_settle_seconds": 0,
    }
    good = sorted([GOOD, GOOD.replace("grain", "cattle"), GOOD.replace("grain", "fish")])
    feeder = StageProcess("feeder", overrides, tmp_path)
    try:
        wait_for(lambda: _bodies(live_settings) == good or None, 120, "the three good stories", [feeder])
        wait_for(
            lambda: len(_dead_letters(live_settings)) >= len(expected) or None, 60, "dead letters", [feeder]
        )
        feeder.stop()
        feeder = StageProcess("feeder", overrides, tmp_path)  # restarted: must not meet them again
        (inbox / "later.txt").write_text(GOOD.replace("grain", "timber") + "\n")
        wait_for(lambda: len(_bodies(live_settings)) == 4 or None, 120, "the story dropped later", [feeder])
        assert feeder.process.poll() is None, feeder.tail()
    finally:
        feeder.stop()
    letters = _dead_letters(live_settings)
    for name, reason in expected.items():
        matching = [d for d in letters if d.key and d.key.endswith(name)]
        assert len(matching) == 1, (name, [d.error for d in letters])
        assert reason in matching[0].error
    assert "Crashed" not in feeder.tail(400)


def test_backlog_batch_of_hostile_files_ends_with_a_summary(
    overrides: dict[str, Any], tmp_path: Path
) -> None:
    folder = tmp_path / "backlog"
    expected = hostile_folder(folder)
    done = subprocess.run(
        [sys.executable, "-m", "services.cli", "feed", "--quiet", str(folder)],
        cwd=ROOT,
        env=environment(overrides),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    assert f"read 7, published 3, rejected {len(expected)}" in done.stdout
