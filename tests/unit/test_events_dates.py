"""Incident dates on sentences written for these tests: explicit years, abbreviated months, page stamps."""

from __future__ import annotations

from datetime import date

import pytest

from services.events.dates import IncidentDate, incident_date
from tests.unit.test_events_extract import events_of

PUBLISHED = date(2016, 5, 10)  # a Tuesday


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("The clerk was shot on Sept. 23, 1997, behind the counter.", IncidentDate(date(1997, 9, 23), "day")),
        ("On Jan. 5 a courier was killed.", IncidentDate(date(2016, 1, 5), "day")),
        ("The raid on 14 Feb 2015 killed four guards.", IncidentDate(date(2015, 2, 14), "day")),
        ("In Dec. 2014 two men were stabbed.", IncidentDate(date(2014, 12, 1), "month")),
        # a page's date stamp run into the lede is the filing day: the weekday after it is the incident's
        ("Monday 9 May 2016 Gunmen killed three farmers on Saturday", IncidentDate(date(2016, 5, 7), "day")),
        ("Police may 5 times have warned the owner.", None),
    ],
)
def test_calendar_dates(sentence: str, expected: IncidentDate | None) -> None:
    assert incident_date(sentence, PUBLISHED) == expected


def test_a_background_incident_with_its_year_is_not_todays_event() -> None:
    """The old shooting a trial story recalls keeps its own year (not this May 20th) and is not
    published as new."""
    events = events_of(
        "A jury on Friday convicted the driver of a shooting in Lagos on May 20, 2011, "
        "that killed two guards.",
    )
    assert events == []
