"""Fixtures shared by unit and integration tests."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from schemas.articles import EnrichedArticle, UniqueArticle
from services.common.settings import Settings
from services.dedup.logic import deduplicate, remember
from services.dedup.memory import DedupParams, Memory
from services.entities.ner import enrich, load_pipeline
from services.feeder.reader import Rejected, read_paths
from tests.load import LOAD_PROCESSES, LOAD_SECONDS, BusyLoops, load_factor

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
GOLD: dict[str, Any] = json.loads((Path(__file__).parent / "data" / "seeds_gold.json").read_text())


@pytest.fixture(scope="session", autouse=True)
def loaded_machine() -> Iterator[BusyLoops | None]:
    """WIRESTREAM_TEST_LOAD=N: N busy loops take the cores for the whole session (tests/load.py)."""
    if not LOAD_PROCESSES:
        yield None
        return
    loops = BusyLoops(LOAD_PROCESSES, LOAD_SECONDS)
    try:
        load_factor()  # measured now, with the loops running
        yield loops
    finally:
        loops.stop()


def pytest_report_header() -> str:
    mode = f"loaded: {LOAD_PROCESSES} busy loops" if LOAD_PROCESSES else "not loaded"
    return f"wirestream: {mode} (WIRESTREAM_TEST_LOAD); timeouts scale with the measured load"


@pytest.fixture(scope="session")
def gold() -> dict[str, Any]:
    return GOLD


@pytest.fixture(scope="session")
def settings() -> Settings:
    return Settings()


@pytest.fixture(scope="session")
def seed_uniques() -> dict[str, UniqueArticle]:
    """The seed stories after the feeder and dedup logic, by file name."""
    seen = Memory({}, DedupParams.from_settings(Settings()))
    uniques = {}
    for item in read_paths([SEEDS]):
        assert not isinstance(item, Rejected), item
        result = deduplicate(item, seen)
        assert isinstance(result, UniqueArticle)
        remember(result, seen)
        uniques[Path(item.article.source).name] = result
    return uniques


@pytest.fixture(scope="session")
def seed_enriched(seed_uniques: dict[str, UniqueArticle]) -> dict[str, EnrichedArticle]:
    nlp = load_pipeline(Settings().spacy_model)
    names = list(seed_uniques)
    enriched = enrich(nlp, [seed_uniques[n] for n in names], batch_size=8)
    return dict(zip(names, enriched, strict=True))
