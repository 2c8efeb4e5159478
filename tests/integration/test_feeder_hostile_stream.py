"""Hostile files in the watched folder, against the real Kafka: the feeder worker keeps
running, each file is one dead letter with its reason, the files around them are published,
and a restarted worker does not meet them again. `wirestream feed` on the same folder ends
with a summary, not a traceback."""

from __future__ import annotations

import json
import os
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
from tests.integration.harness import StageProcess, environment, read_topic, wait_for

GOOD = "KANO — Traders reopened the grain market after the floods receded."
NEWSML = (
    '<newsItem xmlns="http://iptc.org/std/nar/2006-10-01/"><itemMeta/><contentMeta/>'
    "<contentSet><inlineXML>{}</inlineXML></contentSet></newsItem>"
)


def _hostile_folder(folder: Path) -> dict[str, str]:
    """Writes the probes of issue 17; returns file name -> expected reason."""
    folder.mkdir()
    (folder / "first.txt").write_text(GOOD + "\n")
    (folder / "number.json").write_text('{"body": "x", "n": ' + "7" * 5000 + "}")
    with open(os.fsencode(folder) + b"/name-\xff.txt", "wb") as handle:
        handle.write(GOOD.replace("grain", "cattle").encode())
    sentence = "The council met again and the meeting ran long into the night. "
    (folder / "long.txt").write_text(sentence * (12_000_000 // len(sentence)))
    (folder / "deep.xml").write_text(NEWSML.format("<div>" * 5000 + "x" + "</div>" * 5000))
    (folder / "future.json").write_text(json.dumps({"body": GOOD, "published": "9999-01-01T00:00:00Z"}))
    (folder / "last.json").write_text(json.dumps({"body": GOOD.replace("grain", "fish")}))
    return {
        "number.json": "JSON integer of 5000 digits",
        "long.txt": "over the limit",
        "deep.xml": "nested deeper than",
        "future.json": "in the future",
    }


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
    expected = _hostile_folder(inbox)
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
    expected = _hostile_folder(folder)
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
