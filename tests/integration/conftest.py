"""Integration tests run against the real local Kafka and Elasticsearch (`make up`)."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from elasticsearch import Elasticsearch

from services.common.es import es_client
from services.common.kafka import create_topics
from services.common.settings import Settings
from tests.conftest import ROOT
from tests.integration.harness import fresh_overrides


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "integration" in str(item.fspath):
            item.add_marker(pytest.mark.integration)


@pytest.fixture(scope="session")
def stack() -> None:
    """Start Kafka and Elasticsearch if they are not up (idempotent)."""
    subprocess.run(["bash", str(ROOT / "deploy" / "stack.sh"), "up"], check=True)


@pytest.fixture
def overrides(stack: None, tmp_path: Path) -> dict[str, Any]:
    return fresh_overrides(tmp_path / "state")


@pytest.fixture
def live_settings(overrides: dict[str, Any]) -> Settings:
    settings = Settings(**overrides)
    create_topics(settings)
    return settings


@pytest.fixture
def es(live_settings: Settings) -> Iterator[Elasticsearch]:
    client = es_client(live_settings)
    yield client
    client.options(ignore_status=404).indices.delete(index=f"{live_settings.index_prefix}*")
    client.close()
