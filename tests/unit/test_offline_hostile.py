"""`wirestream process` over the hostile files of issue 17: one dead letter each, the stories
around them go through every stage, and the run ends normally."""

from __future__ import annotations

from pathlib import Path

from schemas.articles import RawArticle
from schemas.deadletter import DeadLetter
from services.common.settings import Settings
from services.offline import process
from tests.hostile_files import hostile_folder


def test_offline_run_over_hostile_files_dead_letters_each_and_finishes(tmp_path: Path) -> None:
    expected = hostile_folder(tmp_path / "in")
    messages = list(process([tmp_path / "in"], Settings(state_dir=tmp_path / "state")))
    letters = [m for m in messages if isinstance(m, DeadLetter)]
    for name, reason in expected.items():
        (letter,) = [d for d in letters if d.key and d.key.endswith(name)]
        assert reason in letter.error
    assert len([m for m in messages if isinstance(m, RawArticle)]) == 3
