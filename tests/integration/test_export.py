"""The living dataset through the real indexer: `export --changed-since` returns what changed.

Two events are indexed by the indexer worker from Kafka, exported, then a second report
updates one of them while the other is replayed unchanged. The second export (changed
since the first) holds the updated event only, in each format.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from elasticsearch import Elasticsearch
from kafka.partitioner.default import murmur2

from schemas.events import Event, Fatalities, Location
from services.cli import main
from services.common.settings import Settings, get_settings
from tests.integration.harness import running, wait_for
from tests.integration.test_elasticsearch_indexer import publish, search


def same_partition(first: str, partitions: int) -> str:
    """An event id that Kafka's default partitioner puts on `first`'s partition, so the
    indexer sees a message with it before anything published after it under `first`."""

    def partition(key: str) -> int:
        return int(murmur2(key.encode()) & 0x7FFFFFFF) % partitions

    return next(f"{first}-{n}" for n in range(1000) if partition(f"{first}-{n}") == partition(first))


def report(event_id: str, version: int, best: int, sources: list[str]) -> Event:
    return Event(
        event_id=event_id,
        date=date(2024, 4, 2),
        date_precision="day",
        event_type="Battles",
        sub_type="Armed clash",
        actor1="Islamic State",
        location=Location(name="Mayadeen", country="Syria", admin1="Deir ez-Zor", lat=35.02, lon=40.45),
        fatalities=Fatalities(low=best, best=best, high=best),
        article_ids=[f"{event_id}-art{n}" for n in range(version)],
        sources=sources,
        version=version,
    )


def export(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[str, str]:
    assert main(["export", "events", "--quiet", *argv]) == 0
    captured = capsys.readouterr()
    return captured.out, captured.err


def test_an_event_updated_by_a_second_report_is_in_the_next_export_alone(
    live_settings: Settings,
    overrides: dict[str, Any],
    es: Elasticsearch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings = live_settings
    events = settings.index("events")
    monkeypatch.setenv("WIRESTREAM_INDEX_PREFIX", settings.index_prefix)
    get_settings.cache_clear()
    updated_id = "export-updated"
    unchanged_id = same_partition(updated_id, settings.topic_partitions)
    first_updated = report(updated_id, 1, 5, ["AFP"])
    unchanged = report(unchanged_id, 1, 2, ["AP"])

    with running(["indexer"], overrides, tmp_path) as stages:
        publish(settings, [first_updated, unchanged])
        wait_for(lambda: len(search(es, events, {"match_all": {}})) == 2, 90, "2 events", stages)
        first_csv, first_err = export(capsys, "--format", "csv")
        first_rows = {r["event_id"]: r for r in csv.DictReader(io.StringIO(first_csv))}
        assert set(first_rows) == {updated_id, unchanged_id}
        assert "exported 2 events" in first_err and "next time: --changed-since" in first_err
        assert first_rows[updated_id]["version"] == "1"
        assert first_rows[updated_id]["first_seen"] == first_rows[updated_id]["updated"]

        since = datetime.now(UTC).isoformat()
        # The unchanged event replayed (as after a crash), then a second report of the other.
        publish(settings, [unchanged, report(updated_id, 2, 9, ["AFP", "Reuters"])])

        def version_two() -> bool:
            (hit,) = search(es, events, {"ids": {"values": [updated_id]}})
            return bool(hit["_source"]["version"] == 2)

        wait_for(version_two, 30, "the second report indexed", stages)

    second_csv, second_err = export(capsys, "--format", "csv", "--changed-since", since)
    (row,) = csv.DictReader(io.StringIO(second_csv))
    assert "exported 1 events changed since" in second_err
    assert row["event_id"] == updated_id and row["version"] == "2"
    assert row["fatalities_best"] == "9" and row["sources"] == "AFP; Reuters" and row["article_count"] == "2"
    assert row["first_seen"] == first_rows[updated_id]["first_seen"]  # stable across versions
    assert row["updated"] > first_rows[updated_id]["updated"]

    lines, _ = export(capsys, "--format", "jsonl", "--changed-since", since)
    (doc,) = [json.loads(line) for line in lines.splitlines()]
    assert doc["event_id"] == updated_id and doc["sources"] == ["AFP", "Reuters"]

    parquet = tmp_path / "changed.parquet"
    export(capsys, "--format", "parquet", "--changed-since", since, "--out", str(parquet))
    table = pq.read_table(parquet)
    assert table.column("event_id").to_pylist() == [updated_id]
    assert table.column("fatalities_best").to_pylist() == [9]
    assert table.column("sources").to_pylist() == [["AFP", "Reuters"]]
    assert str(table.schema.field("updated").type) == "timestamp[us, tz=UTC]"

    everything, _ = export(capsys, "--format", "jsonl")
    assert {json.loads(line)["event_id"] for line in everything.splitlines()} == {updated_id, unchanged_id}
    get_settings.cache_clear()


def test_parquet_needs_a_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "events", "--format", "parquet"]) == 2
    assert "--format 'parquet'" in capsys.readouterr().err
