"""Cross-article assembly: one incident from several reports is one event."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from eval.events.shuffled import final_events
from schemas.events import Event, Evidence, Fatalities, Location
from services.events.assembly import (
    Where,
    assemble,
    dump_groups,
    load_groups,
    matches,
    merge,
    place_relation,
    region_of,
)

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
    first = assemble(afp, [])
    second = assemble(ap, first.groups)
    merged, known = second.event, second.groups
    assert merged.event_id == first.event.event_id == "id-a1"
    assert merged.article_ids == ["a1", "a2"] and merged.sources == ["AFP", "AP"]
    assert merged.reported_by == ["Syrian Observatory for Human Rights", "Ministry of Defence of Russia"]
    assert (merged.fatalities.low, merged.fatalities.best, merged.fatalities.high) == (27, 35, 35)
    assert merged.location == MAYADEEN and merged.date == date(2018, 5, 23)
    assert merged.version == 2 and len(known) == 1


def test_a_different_town_in_the_same_province_on_the_same_day_stays_distinct() -> None:
    known = assemble(report("a1", "AFP", 35), []).groups
    assembled = assemble(report("a3", "AP", 8, location=ABU_KAMAL), known)
    assert assembled.event.event_id == "id-a3" and assembled.event.version == 1
    assert len(assembled.groups) == 2 and assembled.retired == []


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
    groups = assemble(report("a2", "AP", 40), assemble(report("a1", "AFP", 35), []).groups).groups
    again = assemble(report("a2", "AP", 40), load_groups(dump_groups(groups)))
    assert again.event.version == 2 and again.retired == [] and len(again.groups) == 1


def test_two_incidents_of_one_article_are_never_merged() -> None:
    first = report("a1", "AFP", 35)
    second = report(
        "a1", "AFP", 4, evidence=[Evidence(article_id="a1", sentence="4 died.", start=90, end=97)]
    )
    assert not matches(second, first)


def test_region_key_is_shared_by_town_and_province_reports() -> None:
    assert region_of(report("a1", "AFP", 1)) == region_of(report("a2", "AP", 1, location=PROVINCE))
    assert region_of(report("a3", "AP", 1, location=None)) == "unknown"


def test_an_unnamed_side_agrees_with_any_and_tolls_far_apart_do_not() -> None:
    """One report names only the victims, the other only the attacker: no contradiction."""
    victims = report("a1", "AFP", 3, actor1=None, actor2="Civilians (Syria)")
    attacker = report("a2", "AP", 3, actor1="Islamic State", actor2=None)
    assert matches(victims, attacker) and matches(attacker, victims)
    assert not matches(report("a3", "AP", 40), report("a4", "AFP", 4))


def test_a_report_placed_only_in_its_country_keys_by_that_country_and_stays_apart() -> None:
    syria = Location(name="Syria", country="Syria", precision="country")
    one, two = report("a1", "AFP", 3, location=syria), report("a2", "AP", 3, location=syria)
    assert region_of(one) == "Syria|Syria" != region_of(report("a3", "AP", 1, location=None))
    assert not matches(one, two)


def test_a_report_that_matches_two_events_joins_them_and_retires_one() -> None:
    """Two towns 20 km apart are each within reach of a report between them."""
    west = Location(name="West", country="Syria", admin1="Deir ez-Zor", lat=35.0, lon=40.3, precision="town")
    east = Location(name="East", country="Syria", admin1="Deir ez-Zor", lat=35.0, lon=40.74, precision="town")
    middle = Location(
        name="Middle", country="Syria", admin1="Deir ez-Zor", lat=35.0, lon=40.52, precision="town"
    )
    groups = assemble(report("a1", "AFP", 5, location=west), []).groups
    groups = assemble(report("a2", "AP", 5, location=east), groups).groups
    assert len(groups) == 2
    bridged = assemble(report("a3", "Reuters", 5, location=middle), groups)
    assert bridged.event.article_ids and sorted(bridged.event.article_ids) == ["a1", "a2", "a3"]
    assert bridged.retired == ["id-a2"] and len(bridged.groups) == 1


def _incidents(seed: int) -> list[Event]:
    """Reports of several incidents: towns, a governorate-level report, days apart, a bridge."""
    rng = random.Random(seed)
    reports = []
    for n in range(12):
        lon = 36.0 + rng.choice([0.0, 0.1, 0.2, 1.5, 3.0])
        where = Location(
            name=f"T{lon:.1f}", country="Syria", admin1="Deir ez-Zor", lat=35.0, lon=lon, precision="town"
        )
        reports.append(
            report(
                f"r{n}",
                rng.choice(["AFP", "AP", "Reuters"]),
                rng.choice([3, 4, 30]),
                date=date(2018, 5, 20) + timedelta(days=rng.choice([0, 1, 3])),
                location=rng.choice([where, PROVINCE]),
                actor2=rng.choice([None, "Military Forces of Syria"]),
            )
        )
    return reports


def test_the_same_reports_in_any_order_make_the_same_events() -> None:
    for seed in range(5):
        reports = _incidents(seed)
        expected = final_events(reports)
        assert any(len({a for a, _, _ in event}) > 1 for event in expected)  # the property is about merging
        for shuffle in range(3):
            shuffled = reports[:]
            random.Random(seed * 10 + shuffle).shuffle(shuffled)
            assert final_events(shuffled) == expected


COUNTY = Location(
    name="Orange County", country="United States", admin1="Vermont", lat=44.0, lon=-72.4, precision="admin2"
)
OTHER_COUNTY = Location(
    name="Windsor County", country="United States", admin1="Vermont", lat=43.6, lon=-72.6, precision="admin2"
)
TOWN_IN_COUNTY = Location(
    name="Chelsea", country="United States", admin1="Vermont", lat=43.99, lon=-72.45, precision="town"
)
FAR_TOWN = Location(
    name="Burlington", country="United States", admin1="Vermont", lat=44.48, lon=-73.21, precision="town"
)
NEAR_TOWN = Location(
    name="Tunbridge", country="United States", admin1="Vermont", lat=43.89, lon=-72.49, precision="town"
)


def shooting(article: str, where: Location, killed: int | None = 1, **changes: Any) -> Event:
    """A shooting as a local paper reports it: an unnamed gunman, civilian victims."""
    fields: dict[str, Any] = {
        "event_type": "Violence against civilians",
        "sub_type": "Attack",
        "actor1": "Unidentified Armed Group (United States)",
        "actor2": "Civilians (United States)",
        "location": where,
        "reported_by": [],
    }
    return report(article, "Local", killed or 0, **{**fields, **changes})


def test_two_counties_are_apart_and_a_county_holds_only_its_nearby_towns() -> None:
    assert place_relation(COUNTY, OTHER_COUNTY) is Where.APART
    assert place_relation(COUNTY, TOWN_IN_COUNTY) is Where.WITHIN
    assert place_relation(TOWN_IN_COUNTY, COUNTY) is Where.WITHIN
    assert place_relation(COUNTY, FAR_TOWN) is Where.APART  # same state, 70 km away
    assert place_relation(TOWN_IN_COUNTY, NEAR_TOWN) is Where.NEAR  # two towns 12 km apart


def test_a_coarse_place_joins_a_town_only_on_a_named_side_not_on_civilians() -> None:
    """Every shooting in the county has an unidentified gunman and civilian victims."""
    assert not matches(shooting("a1", COUNTY), shooting("a2", TOWN_IN_COUNTY))
    gang = "Crips"
    assert matches(shooting("a1", COUNTY, actor1=gang), shooting("a2", TOWN_IN_COUNTY, actor1=gang))
    assert matches(shooting("a1", COUNTY), shooting("a2", COUNTY))


def test_a_report_without_its_day_joins_the_same_place_and_toll_from_earlier_that_week() -> None:
    """A follow-up story published Monday names no day: it is dated by its publication week."""
    undated: dict[str, Any] = {"date": date(2018, 5, 28), "date_precision": "week"}
    dated = shooting("a1", TOWN_IN_COUNTY)  # Wednesday
    assert matches(shooting("a2", TOWN_IN_COUNTY, **undated), dated)
    assert not matches(shooting("a2", NEAR_TOWN, **undated), dated)  # a nearby town is not enough
    assert not matches(shooting("a2", TOWN_IN_COUNTY, 2, **undated), dated)  # nor another toll
    too_late: dict[str, Any] = {"date": date(2018, 6, 4), "date_precision": "week"}
    assert not matches(shooting("a2", TOWN_IN_COUNTY, **too_late), dated)


def test_two_nearby_towns_are_one_incident_only_with_the_same_tolls() -> None:
    """A city's neighbourhood and the city, or two suburbs: many shootings a day happen there."""
    assert matches(
        shooting("a1", TOWN_IN_COUNTY, injuries=Fatalities(best=2)),
        shooting("a2", NEAR_TOWN, injuries=Fatalities(best=2)),
    )
    assert not matches(
        shooting("a1", TOWN_IN_COUNTY, injuries=Fatalities(best=1)),
        shooting("a2", NEAR_TOWN, injuries=Fatalities(best=4)),
    )
