"""Cross-article assembly: one incident from several reports is one event."""

from __future__ import annotations

from datetime import date
from typing import Any

from schemas.events import Event, Evidence, Fatalities, Location
from services.events.assembly import assemble, matches, merge, region_of

MAYADEEN = Location(
    name="Mayadeen", country="Syria", admin1="Deir ez-Zor", lat=35.02, lon=40.45, precision="near"
)
ABU_KAMAL = Location(
    name="Abu Kamal", country="Syria", admin1="Deir ez-Zor", lat=34.45, lon=40.92, precision="exact"
)
PROVINCE = Location(
    name="Deir ez-Zor", country="Syria", admin1="Deir ez-Zor", lat=35.33, lon=40.14, precision="admin1"
)


def report(article: str, source: str, killed: int, **changes: Any) -> Event:
    fields: dict[str, Any] = {
        "event_id": f"id-{article}",
        "date": date(2018, 5, 23),
        "date_precision": "day",
        "event_type": "Battles",
        "sub_type": "Armed clash",
        "actor1": "Islamic State",
        "actor2": "Military Forces of Syria",
        "location": MAYADEEN,
        "fatalities": Fatalities(low=killed, best=killed, high=killed),
        "article_ids": [article],
        "sources": [source],
        "reported_by": ["Syrian Observatory for Human Rights"],
        "evidence": [Evidence(article_id=article, sentence=f"{killed} were killed.", start=0, end=15)],
    }
    return Event(**{**fields, **changes})


def test_two_agencies_on_one_incident_make_one_event_with_both_reports() -> None:
    afp = report("a1", "AFP", 35)
    ap = report(
        "a2",
        "AP",
        27,
        date=date(2018, 5, 24),
        location=PROVINCE,
        reported_by=["Ministry of Defence of Russia"],
    )
    first, known = assemble(afp, [])
    merged, known = assemble(ap, known)
    assert merged.event_id == first.event_id == "id-a1"
    assert merged.article_ids == ["a1", "a2"] and merged.sources == ["AFP", "AP"]
    assert merged.reported_by == ["Syrian Observatory for Human Rights", "Ministry of Defence of Russia"]
    assert (merged.fatalities.low, merged.fatalities.best, merged.fatalities.high) == (27, 35, 35)
    assert merged.location == MAYADEEN and merged.date == date(2018, 5, 23)
    assert merged.version == 2 and len(known) == 1


def test_a_different_town_in_the_same_province_on_the_same_day_stays_distinct() -> None:
    _, known = assemble(report("a1", "AFP", 35), [])
    other, known = assemble(report("a3", "AP", 8, location=ABU_KAMAL), known)
    assert other.event_id == "id-a3" and other.version == 1
    assert len(known) == 2


def test_reports_two_days_apart_or_with_other_sides_do_not_match() -> None:
    afp = report("a1", "AFP", 35)
    assert not matches(report("a2", "AP", 35, date=date(2018, 5, 21)), afp)
    assert not matches(report("a2", "AP", 35, actor1="Hezbollah", actor2="Military Forces of Israel"), afp)
    assert not matches(report("a2", "AP", 35, event_type="Protests", sub_type="Peaceful protest"), afp)
    assert matches(report("a2", "AP", 35, actor2=None), afp)
    assert not matches(report("a2", "AP", 35, location=None), report("a3", "AP", 35, location=None))


def test_a_replayed_report_changes_nothing() -> None:
    merged = merge(report("a1", "AFP", 35), report("a2", "AP", 40))
    assert merge(merged, report("a2", "AP", 40)) == merged


def test_two_incidents_of_one_article_are_never_merged() -> None:
    first = report("a1", "AFP", 35)
    second = report(
        "a1", "AFP", 4, evidence=[Evidence(article_id="a1", sentence="4 died.", start=90, end=97)]
    )
    assert not matches(second, first)


def test_region_key_is_shared_by_town_and_province_reports() -> None:
    assert region_of(report("a1", "AFP", 1)) == region_of(report("a2", "AP", 1, location=PROVINCE))
    assert region_of(report("a3", "AP", 1, location=None)) == "unknown"
