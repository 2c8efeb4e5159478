"""`make eval-dev`: the offline mode over the third-party dev split, scored by its own scorer.

For every set (gva, fakes, conll, ecb) it runs `wirestream process <set>/articles.jsonl`, scores the
output with `score.py`, keeps the full table and the failures file beside the output, and prints one
table of the SUMMARY figures. For conll it also scores the bare spaCy model (the same model, no entity
ruler, no place layer) over the same bodies the stage saw, so the stage's row has its baseline beside it.

    .venv/bin/python -m eval.dev [--sets gva,conll] [--eval-dir DIR] [--out DIR]

The dev split lives outside the repository: WIRESTREAM_EVAL_DIR, else ../shared/eval next to the
checkout, else /work/shared/eval. Outputs go to WIRESTREAM_EVAL_OUT, else out/eval-dev (git-ignored).
The texts are third-party: nothing from them or from the failures files belongs in the repository.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
SETS = ("gva", "fakes", "conll", "ecb")
FALLBACK_EVAL_DIR = Path("/work/shared/eval")
ENRICHED_TOPIC_WORD = "enrich"


@dataclass(frozen=True)
class Row:
    name: str
    summary: dict[str, str]
    seconds: float
    table: Path


def eval_dir(given: str | None) -> Path:
    """Where score.py and dev/ are: the flag, the environment, ../shared/eval, then the fallback."""
    for candidate in (given, os.environ.get("WIRESTREAM_EVAL_DIR")):
        if candidate:
            return Path(candidate)
    sibling = REPO.parent / "shared" / "eval"
    return sibling if (sibling / "score.py").exists() else FALLBACK_EVAL_DIR


def out_dir(given: str | None) -> Path:
    return Path(given or os.environ.get("WIRESTREAM_EVAL_OUT") or REPO / "out" / "eval-dev")


def parse_summary(text: str) -> dict[str, str]:
    for line in text.splitlines():
        if line.startswith("SUMMARY "):
            pairs = (field.split("=", 1) for field in line.split()[1:] if "=" in field)
            return {key: value for key, value in pairs}
    raise RuntimeError("score.py printed no SUMMARY line")


def score(evals: Path, name: str, output: Path, table: Path, failures: Path | None) -> dict[str, str]:
    command = [sys.executable, str(evals / "score.py"), name, str(output)]
    if failures is not None:
        command += ["--failures", str(failures)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    table.write_text(done.stdout + done.stderr, encoding="utf-8")
    if done.returncode != 0:
        raise RuntimeError(f"score.py {name} failed ({done.returncode}); see {table}")
    return parse_summary(done.stdout)


def run_stage(articles: Path, output: Path) -> None:
    """The offline mode exactly as a user runs it: `wirestream process`."""
    command = [sys.executable, "-m", "services.cli", "process", str(articles), "--out", str(output)]
    subprocess.run(command, check=True, cwd=REPO, stdout=subprocess.DEVNULL)


def _records(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                yield json.loads(line)


def bare_model_output(stage_output: Path, bare_output: Path) -> None:
    """The stage's own output with every enriched article's entities replaced by the bare model's.

    Same bodies (after the feeder's cleaning and dedup's trimming), same spaCy model, nothing added:
    what a user would get from `spacy.load(model)` alone.
    """
    import spacy

    from services.common.settings import get_settings

    settings = get_settings()
    records = list(_records(stage_output))
    enriched = [r for r in records if ENRICHED_TOPIC_WORD in r["topic"]]
    nlp = spacy.load(settings.spacy_model)
    bodies = ("\n\n".join(r["value"]["article"]["paragraphs"]) for r in enriched)  # Article.body
    for record, doc in zip(enriched, nlp.pipe(bodies, batch_size=settings.entities_batch_size), strict=True):
        record["value"]["entities"] = [
            {"text": ent.text, "label": ent.label_, "start": ent.start_char, "end": ent.end_char}
            for ent in doc.ents
        ]
    with bare_output.open("w", encoding="utf-8") as out:
        for record in records:
            if "event" not in record["topic"]:
                out.write(json.dumps(record, ensure_ascii=False) + "\n")


def evaluate(name: str, evals: Path, outs: Path, bare: bool) -> list[Row]:
    articles = evals / "dev" / name / "articles.jsonl"
    if not articles.exists():
        raise SystemExit(f"no {articles}: set WIRESTREAM_EVAL_DIR to the folder holding score.py and dev/")
    output = outs / f"{name}.out.jsonl"
    began = time.monotonic()
    run_stage(articles, output)
    seconds = time.monotonic() - began
    table = outs / f"{name}.table.txt"
    rows = [Row(name, score(evals, name, output, table, outs / f"{name}.failures.jsonl"), seconds, table)]
    if bare:
        bare_out = outs / f"{name}.bare.out.jsonl"
        began = time.monotonic()
        bare_model_output(output, bare_out)
        seconds = time.monotonic() - began
        bare_table = outs / f"{name}.bare.table.txt"
        bare_failures = outs / f"{name}.bare.failures.jsonl"
        summary = score(evals, name, bare_out, bare_table, bare_failures)
        rows.append(Row(f"{name} (bare model)", summary, seconds, bare_table))
    return rows


def render(rows: list[Row]) -> str:
    """One markdown table per set (sets report different figures); the bare row sits under its set."""
    lines: list[str] = []
    by_set: dict[str, list[Row]] = {}
    for row in rows:
        by_set.setdefault(row.name.split()[0], []).append(row)
    for group in by_set.values():
        keys = [key for key in group[0].summary if key != "set"]
        lines.append("| run | " + " | ".join(keys) + " | seconds |")
        lines.append("|---" * (len(keys) + 2) + "|")
        for row in group:
            values = [row.summary.get(key, "") for key in keys]
            lines.append(f"| {row.name} | " + " | ".join(values) + f" | {row.seconds:.0f} |")
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sets", default=",".join(SETS), help="comma-separated, default: all four")
    parser.add_argument("--eval-dir", help="folder with score.py and dev/ (default: see above)")
    parser.add_argument("--out", help="where outputs, tables and failures go (default: out/eval-dev)")
    parser.add_argument("--no-bare", action="store_true", help="skip the bare-model row for conll")
    args = parser.parse_args(argv)
    names = [name.strip() for name in args.sets.replace(" ", ",").split(",") if name.strip()]
    unknown = sorted(set(names) - set(SETS))
    if unknown:
        parser.error(f"unknown set(s) {unknown}; choose from {list(SETS)}")
    evals, outs = eval_dir(args.eval_dir), out_dir(args.out)
    outs.mkdir(parents=True, exist_ok=True)
    rows: list[Row] = []
    for name in names:
        rows += evaluate(name, evals, outs, bare=name == "conll" and not args.no_bare)
        print(f"{name}: scored ({rows[-1].table})", file=sys.stderr)
    print(f"dev split: {evals}/dev   outputs, full tables and failures: {outs}")
    print(render(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
