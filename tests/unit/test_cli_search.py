"""Search flags, export rows and the living-dataset bookkeeping, without servers."""

from __future__ import annotations

import argparse
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from schemas.events import Event, Location
from services.cli.errors import explain, without_credentials
from services.cli.rows import EVENT_COLUMNS, row
from services.cli.search import actor_names, near, when
from services.common.settings import Settings
from services.indexer.documents import changed_events, event_action

NOW = datetime(2026, 11, 26, 1, 0, tzinfo=UTC)


def event(version: int = 1, **fields: object) -> Event:
    return Event(
        event_id="e1",
        date=date(2024, 3, 10),
        date_precision="day",
        event_type="Battles",
        article_ids=[f"a{n}" for n in range(version)],
        version=version,
        **fields,
    )


def test_ages_dates_and_date_times() -> None:
    since = datetime.fromisoformat(when("7d"))
    assert abs(since - (datetime.now(UTC) - timedelta(days=7))) < timedelta(minutes=1)
    assert when("2024-05-31") == "2024-05-31"
    assert when("2024-05-31T12:00:00") == "2024-05-31T12:00:00+00:00"
    with pytest.raises(argparse.ArgumentTypeError, match="'last week'"):
        when("last week")


def test_near_refuses_what_is_not_a_point_and_a_radius() -> None:
    assert near("35,40.5,10").km == 10
    for bad in ("35,40", "95,40,10", "35,40,-1", "a,b,c"):
        with pytest.raises(argparse.ArgumentTypeError, match=repr(bad)):
            near(bad)


def test_an_alias_finds_its_canonical_name_whatever_the_case() -> None:
    assert "Islamic State" in actor_names("daesh")
    assert actor_names("Some Militia") == ["Some Militia"]


def test_errors_never_show_credentials() -> None:
    assert without_credentials("https://elastic:s3cret@es.example:9243/") == "https://es.example:9243/"
    from elasticsearch import AuthenticationException

    settings = Settings(es_url="https://elastic:s3cret@es.example:9243", es_username="elastic")
    error = AuthenticationException(message="x", meta=None, body={})  # type: ignore[arg-type]
    line = explain(error, settings)
    assert line is not None and "es.example:9243" in line and "s3cret" not in line


def test_first_seen_is_set_on_creation_only_and_updated_on_every_write() -> None:
    action = event_action("events", event(), NOW)
    assert action["upsert"]["first_seen"] == NOW.isoformat() == action["doc"]["updated"]
    assert "first_seen" not in action["doc"]  # an update keeps the stored first_seen
    legacy = event_action(
        "events", event(), NOW, stored={"version": 1, "indexed": "2026-01-01T00:00:00+00:00"}
    )
    assert legacy["doc"]["first_seen"] == "2026-01-01T00:00:00+00:00"


def test_only_a_version_the_index_lacks_is_written() -> None:
    first, second = event(1), event(2)
    stored_v1 = {"e1": {"version": 1, "first_seen": "x"}}
    assert changed_events([first], {"e1": None}) == [first]
    assert changed_events([first], stored_v1) == []  # a replay
    assert changed_events([second, first], stored_v1) == [second]  # newest of a batch
    assert changed_events([second], {"e1": {"version": 2, "first_seen": "x"}}) == []


def test_export_row_uses_ucdp_precision_codes_and_counts() -> None:
    doc = event_action(
        "events",
        event(
            2,
            location=Location(name="X", country="Y", lat=1.0, lon=2.0, precision="near"),
            sources=["A", "B"],
        ),
        NOW,
    )["upsert"]
    values = row(EVENT_COLUMNS, doc)
    assert values["where_prec"] == 2 and values["date_prec"] == 1
    assert values["source_count"] == 2 and values["article_count"] == 2 and values["version"] == 2
    assert (values["latitude"], values["longitude"], values["first_seen"]) == (1.0, 2.0, NOW.isoformat())


def test_readme_codebook_describes_every_export_column() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    codebook = readme.split("## Living dataset: export and codebook", 1)[1].split("\n## ", 1)[0]
    described = {
        name.strip("` ")
        for line in codebook.splitlines()
        if line.startswith("| `")
        for name in line.split("|")[1].split(",")
    }
    assert described == {c.name for c in EVENT_COLUMNS}
