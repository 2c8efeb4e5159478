from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from schemas.articles import EnrichedArticle
from schemas.events import Event
from services.common.geo import haversine_km
from services.events.dates import IncidentDate, incident_date
from services.events.extract import extract_events, find_incidents
from services.events.numbers import counts


@pytest.fixture(scope="module")
def seed_events(seed_enriched: dict[str, EnrichedArticle]) -> dict[str, list[Event]]:
    return {name: extract_events(e) for name, e in seed_enriched.items()}


def test_seed_incidents_match_gold_dates_places_and_tolls(
    seed_events: dict[str, list[Event]], gold: dict[str, Any]
) -> None:
    for name, article in gold["articles"].items():
        found = seed_events[name]
        assert len(found) == len(article["events"]), [e.date for e in found]
        for expected in article["events"]:
            event = next((e for e in found if e.date.isoformat() == expected["date"]), None)
            assert event is not None, f"{expected['id']}: no event on {expected['date']}"
            where = expected["location"]
            assert event.location is not None and event.location.lat is not None
            assert event.location.lon is not None
            distance = haversine_km(event.location.lat, event.location.lon, where["lat"], where["lon"])
            assert distance <= where["tolerance_km"], f"{expected['id']}: {distance:.0f} km off"
            assert event.location.country == where["country"]
            assert event.fatalities.best == expected["fatalities"]["best"], expected["id"]
            assert event.actor1 == expected["actor1"], expected["id"]
            assert event.actor2 in expected["actor2"].split("; "), expected["id"]
            assert event.event_type == expected["type"], expected["id"]
            assert event.sub_type in expected["sub_type"].split(" / "), expected["id"]
            quoted = {name.removesuffix(" (claim)") for name in expected.get("sources_quoted", [])}
            assert {r.removesuffix(" (claim)") for r in event.reported_by} <= quoted | {
                "Ministry of Defence of Russia"
            }, expected["id"]


def test_seed_places_carry_their_precision(seed_events: dict[str, list[Event]]) -> None:
    """ "near the town of Mayadeen" is the town, flagged near; "desert areas of the
    neighbouring province of Homs" is the governorate."""
    precision = {
        e.location.name: e.location.precision for events in seed_events.values() for e in events if e.location
    }
    assert precision["Mayadeen"] == "near"
    assert precision["Homs"] == "admin1"


def test_seed_tolls_keep_side_and_source(seed_events: dict[str, list[Event]]) -> None:
    mayadeen = next(e for e in seed_events["001_a09dbfd06fd3978c.txt"] if e.date == date(2018, 5, 23))
    figures = {(f.kind, f.value, f.source) for f in mayadeen.figures}
    assert ("killed", 35, "Syrian Observatory for Human Rights") in figures
    assert ("killed", 4, "Ministry of Defence of Russia") in figures
    assert mayadeen.injuries.best == 3
    assert set(mayadeen.reported_by) == {
        "Syrian Observatory for Human Rights",
        "Ministry of Defence of Russia",
        "Islamic State (claim)",
    }
    maadan = seed_events["000_6dc556faee6a3711.txt"][0]
    sides = {(f.value, f.side) for f in maadan.figures}
    assert {(34, "Military Forces of Syria"), (12, "Islamic State")} <= sides


def test_running_totals_are_not_events(seed_events: dict[str, list[Event]]) -> None:
    tolls = {e.fatalities.best for events in seed_events.values() for e in events}
    assert 76 not in tolls and 92 not in tolls


def test_background_incident_from_march_keeps_its_own_date_and_is_not_published(
    seed_events: dict[str, list[Event]], seed_enriched: dict[str, EnrichedArticle]
) -> None:
    name = "001_a09dbfd06fd3978c.txt"
    crash = next(i for i in find_incidents(seed_enriched[name]) if any("39" in s.text for s in i.sentences))
    assert (crash.when.day, crash.when.precision) == (date(2018, 3, 1), "month")
    assert all(e.date >= date(2018, 5, 1) for e in seed_events[name])


def test_every_event_traces_to_its_article_and_sentences(
    seed_events: dict[str, list[Event]], seed_enriched: dict[str, EnrichedArticle]
) -> None:
    for name, events in seed_events.items():
        article = seed_enriched[name].article
        for event in events:
            assert event.article_ids == [article.article_id]
            spans = [(e.start, e.end, e.sentence) for e in event.evidence]
            spans += [(f.start, f.end, f.sentence) for f in event.figures]
            for start, end, sentence in spans:
                assert start is not None and article.body[start:end] == sentence


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("killing over two dozen soldiers", [24]),
        ("at least 34 Syrian soldiers and 12 militants were killed", [34, 12]),
        ("about 30 kilometres west, since 2015, on May 23", []),
        ("one of the last towns", []),
        ("twenty-six people and a dozen others", [26, 12]),
        ("Oneida county", []),
    ],
)
def test_counts(sentence: str, expected: list[int]) -> None:
    assert [c.value for c in counts(sentence)] == expected


@pytest.mark.parametrize(
    ("sentence", "published", "expected", "precision"),
    [
        ("the early Friday a counterattack", date(2017, 8, 25), date(2017, 8, 25), "day"),
        ("on Wednesday, when IS targeted", date(2018, 5, 27), date(2018, 5, 23), "day"),
        ("killed in Syria on May 23.", date(2018, 5, 27), date(2018, 5, 23), "day"),
        ("in December, when", date(2018, 5, 27), date(2017, 12, 1), "month"),
        ("attacked villages last month", date(2018, 5, 27), date(2018, 4, 1), "month"),
    ],
)
def test_incident_dates(sentence: str, published: date, expected: date, precision: str) -> None:
    found = incident_date(sentence, published)
    assert found is not None and (found.day, found.precision) == (expected, precision)


@pytest.mark.parametrize(
    ("sentence", "first", "last"),
    [
        ("killed in the fighting on Friday and Saturday", date(2018, 5, 25), date(2018, 5, 26)),
        ("from Saturday night to Sunday morning", date(2018, 5, 26), date(2018, 5, 27)),
        ("on Saturday, and on Sunday", date(2018, 5, 26), None),
    ],
)
def test_a_span_of_days_overlaps_each_of_its_days(sentence: str, first: date, last: date | None) -> None:
    found = incident_date(sentence, date(2018, 5, 27))
    assert found is not None and (found.day, found.through) == (first, last)
    assert found.overlaps(IncidentDate(first, "day")) and found.overlaps(IncidentDate(last or first, "day"))
    assert not found.overlaps(IncidentDate(date(2018, 5, 24), "day"))


def test_reporting_day_is_not_the_incident_day() -> None:
    assert incident_date("the ministry said Sunday four were killed", date(2018, 5, 27)) is None
