"""Reliability suite: faults injected into real processes on a private Kafka + Elasticsearch.

`make test` runs the fast subset; `make reliability` runs every scenario
(WIRESTREAM_RELIABILITY=full), which is what the README's figures come from.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from schemas.articles import RawArticle, UniqueArticle
from services.common.settings import Settings
from services.offline import process
from tests.conftest import ROOT
from tests.reliability.corpus import write_corpus
from tests.reliability.private_stack import PrivateStack
from tests.reliability.scenario import FULL, Outcome, Suite, load_corpus, report, run_scenario

CORPUS_SIZE = 60
SYNDICATED_COPIES = 6


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "reliability" in str(item.fspath):
            item.add_marker(pytest.mark.integration)
            if not FULL and item.get_closest_marker("full_only"):
                item.add_marker(pytest.mark.skip(reason="full run only: make reliability"))


@pytest.fixture(scope="session")
def private_stack() -> Iterator[PrivateStack]:
    stack = PrivateStack(ROOT / ".stack" / "reliability")
    stack.up()
    yield stack
    stack.down()


@pytest.fixture(scope="session")
def corpus_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("corpus") / "corpus.jsonl"
    return write_corpus(path, CORPUS_SIZE, SYNDICATED_COPIES)


@pytest.fixture(scope="session")
def corpus(corpus_file: Path) -> list[RawArticle]:
    return load_corpus(corpus_file)


@pytest.fixture(scope="session")
def expected_ids(corpus_file: Path) -> set[str]:
    """Article ids the pipeline should index: offline mode runs the same stage logic."""
    messages = process([corpus_file], Settings())
    return {m.article.article_id for m in messages if isinstance(m, UniqueArticle)}


@pytest.fixture(scope="session")
def baseline(
    private_stack: PrivateStack,
    tmp_path_factory: pytest.TempPathFactory,
    corpus: list[RawArticle],
    expected_ids: set[str],
) -> Outcome:
    """The same corpus without faults: what every faulty run must end up equal to."""
    # Nothing measured yet to scale from: a generous bound, only reached when it fails.
    outcome = run_scenario(
        private_stack, tmp_path_factory.mktemp("baseline"), corpus, len(expected_ids), settle_seconds=900
    )
    assert outcome.article_ids == expected_ids
    assert len(expected_ids) == CORPUS_SIZE, "only the syndicated copies are duplicates"
    assert outcome.duplicates_found == SYNDICATED_COPIES
    report("baseline (no fault)", outcome)
    return outcome


@pytest.fixture(scope="session")
def suite(
    private_stack: PrivateStack,
    corpus_file: Path,
    corpus: list[RawArticle],
    expected_ids: set[str],
    baseline: Outcome,
) -> Suite:
    return Suite(private_stack, corpus_file, corpus, expected_ids, baseline)
