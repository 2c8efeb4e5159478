"""Incident dates on sentences written for these tests: explicit years, abbreviated months, page stamps."""

from __future__ import annotations

from datetime import date

import pytest

from services.common.text import split_sentences
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


def test_a_clock_times_day_stays_in_its_sentence() -> None:
    assert split_sentences("A man was shot at 9:40 p.m. Friday near the depot. He survived.") == [
        "A man was shot at 9:40 p.m. Friday near the depot.",
        "He survived.",
    ]
    assert split_sentences("It opened at 8 a.m. Sept. 4 this year.") == [
        "It opened at 8 a.m. Sept. 4 this year."
    ]
    # A clock time that ends a sentence still ends it.
    assert split_sentences("The store closed at 6 p.m. Officers left.") == [
        "The store closed at 6 p.m.",
        "Officers left.",
    ]


def test_the_day_told_after_an_undated_toll_dates_the_incident() -> None:
    """Published on a Sunday: "Wednesday" is May 23, not the publication week."""
    (event,) = events_of(
        "Two guards were shot outside a bank in Lagos.",
        "The shooting happened at about 9 p.m. Wednesday, police said.",
    )
    assert (event.date, event.date_precision) == (date(2018, 5, 23), "day")


def test_the_ledes_day_dates_a_toll_told_after_it_without_one() -> None:
    (event,) = events_of(
        "Two guards are recovering after they were attacked on Wednesday night in Lagos.",
        "Police said both guards were shot in the legs outside the bank.",
    )
    assert (event.date, event.date_precision, event.injuries.best) == (date(2018, 5, 23), "day", 2)
