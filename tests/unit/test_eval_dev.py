"""eval/dev.py: where the dev split is found, and reading score.py's SUMMARY line."""

from __future__ import annotations

from pathlib import Path

import pytest

from eval import dev


def test_summary_line_is_read_into_figures() -> None:
    text = "table...\nSUMMARY set=conll docs=3 F1=0.5 F1_ORG=NA\n"
    assert dev.parse_summary(text) == {"set": "conll", "docs": "3", "F1": "0.5", "F1_ORG": "NA"}


def test_missing_summary_is_an_error() -> None:
    with pytest.raises(RuntimeError):
        dev.parse_summary("no summary here\n")


def test_eval_dir_prefers_flag_then_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("WIRESTREAM_EVAL_DIR", str(tmp_path / "env"))
    assert dev.eval_dir(str(tmp_path / "flag")) == tmp_path / "flag"
    assert dev.eval_dir(None) == tmp_path / "env"
    monkeypatch.delenv("WIRESTREAM_EVAL_DIR")
    assert dev.eval_dir(None) in (dev.REPO.parent / "shared" / "eval", dev.FALLBACK_EVAL_DIR)


def test_bare_row_sits_under_its_set() -> None:
    rows = [
        dev.Row("conll", {"set": "conll", "F1": "0.6"}, 1.0, Path("a")),
        dev.Row("conll (bare model)", {"set": "conll", "F1": "0.7"}, 1.0, Path("b")),
        dev.Row("gva", {"set": "gva", "recall": "0.1"}, 1.0, Path("c")),
    ]
    lines = dev.render(rows).splitlines()
    assert lines[0] == "| run | F1 | seconds |"
    assert lines[2].startswith("| conll | 0.6 |") and lines[3].startswith("| conll (bare model) | 0.7 |")
    assert "| run | recall | seconds |" in lines
