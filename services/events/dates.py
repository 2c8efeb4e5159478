"""Incident dates from weekday and calendar phrases, resolved against the publication date."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

from schemas.events import DatePrecision

_WEEKDAYS = {name.lower(): index for index, name in enumerate(calendar.day_name)}
_MONTHS = {name.lower(): index for index, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})

_MONTHS["sept"] = 9
# Full names and abbreviations ("Sept. 23", "Jan 5"); "May" only as a full name, which it is.
_MONTH = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")"
_YEAR = r"(?:,?\s+(?P<year>(?:19|20)\d\d))?"
_MONTH_DAY = re.compile(rf"\b{_MONTH}\.?\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\b{_YEAR}", re.IGNORECASE)
_DAY_MONTH = re.compile(
    rf"\b(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}\b\.?{_YEAR}", re.IGNORECASE
)
_IN_MONTH = re.compile(rf"\bin\s+{_MONTH}\b\.?{_YEAR}", re.IGNORECASE)
_CAPITALISED = re.compile(r"^[A-Z]")
# A page's date stamp run into the text ("Sunday 24 Aug 2014 Syrian troops killed ..."): a full date
# with its year, not introduced by a preposition, followed by a new capitalised sentence. It is when
# the page was filed, like a dateline, not when the incident happened.
_INTRODUCED = re.compile(
    r"\b(?:on|of|since|in|by|until|from|before|after|between|and|to|the|last|early|late)\s*$", re.IGNORECASE
)
_NEW_SENTENCE = re.compile(r"^[\s,.:|-]*[A-Z0-9\"“]")


def _is_stamp(match: re.Match[str], sentence: str) -> bool:
    return bool(
        match.group("year")
        and not _INTRODUCED.search(sentence[: match.start()])
        and _NEW_SENTENCE.match(sentence[match.end() :])
    )


_WEEKDAY = re.compile(r"\b(?P<weekday>" + "|".join(calendar.day_name) + r")\b")
# "said Sunday", "told AFP on Sunday": the day of the report, not of the incident.
# "claimed the ambush on Saturday": the day of the claim.
_REPORTING_DAY = re.compile(
    r"\b(?:(?:said|says|told \w+|reported|announced)(?:\s+in a statement)?|claimed(?:\s+[\w-]+){0,3})"
    r"\s+(?:on\s+)?$",
    re.IGNORECASE,
)

# Relative days a wire story uses; "overnight" and "last night" belong to the eve of publication.
_RELATIVE_DAYS = (
    (re.compile(r"\b(?:yesterday|last night|overnight)\b", re.IGNORECASE), 1),
    (re.compile(r"\b(?:today|this morning|earlier today)\b", re.IGNORECASE), 0),
)


# "on Friday and Saturday", "Saturday night to Sunday morning": the day a span ends.
_SPAN_END = re.compile(
    r"^(?:\s+(?:night|morning|afternoon|evening))?\s+(?:and|to|into|through|until)\s+(?:early\s+|late\s+)?"
    r"(?P<weekday>" + "|".join(calendar.day_name) + r")\b"
)


# How far back a story's undated incident reaches: the week before publication, as "Monday"
# written in a Sunday paper does.
UNDATED_REACH = timedelta(days=6)


@dataclass(frozen=True)
class IncidentDate:
    day: date
    precision: DatePrecision
    through: date | None = None  # last day of a stated span of days

    def overlaps(self, other: IncidentDate) -> bool:
        return self.day <= (other.through or other.day) and other.day <= (self.through or self.day)

    def same_time(self, other: IncidentDate) -> bool:
        """Could be one incident's time: overlapping days, or a story's undated incident (its
        publication week) and a day of the week before publication ("A boy was shot." ...
        "It happened Monday night.")."""
        if self.overlaps(other):
            return True
        week, day = (self, other) if self.precision == "week" else (other, self)
        return (
            week.precision == "week"
            and day.precision == "day"
            and timedelta(0) <= week.day - day.day <= UNDATED_REACH
        )


def _latest_weekday(weekday: int, published: date) -> date:
    """The last such weekday on or before publication; a story's "Friday" on a Friday is today."""
    return published - timedelta(days=(published.weekday() - weekday) % 7)


def _before_publication(month: int, day: int, published: date) -> date | None:
    year = published.year if (month, day) <= (published.month, published.day) else published.year - 1
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _stated(month: int, day: int, year: str | None, published: date) -> date | None:
    """A calendar date as written: with its year ("Sept. 23, 1997" is 1997, however old),
    else the last such day on or before publication."""
    if year is None:
        return _before_publication(month, day, published)
    try:
        return date(int(year), month, day)
    except ValueError:
        return None


_WEEKDAY_BEFORE = re.compile(r"\b(?:" + "|".join(calendar.day_name) + r")\W*$")


def _without_stamps(sentence: str) -> str:
    """The sentence with page date stamps (and their weekday) blanked out."""
    for pattern in (_MONTH_DAY, _DAY_MONTH):
        for match in pattern.finditer(sentence):
            if _is_stamp(match, sentence):
                weekday = _WEEKDAY_BEFORE.search(sentence[: match.start()])
                start = weekday.start() if weekday else match.start()
                sentence = sentence[:start] + " " * (match.end() - start) + sentence[match.end() :]
    return sentence


def incident_date(sentence: str, published: date) -> IncidentDate | None:
    """The first incident date a sentence states; explicit dates beat weekdays."""
    sentence = _without_stamps(sentence)
    for pattern in (_MONTH_DAY, _DAY_MONTH):
        for match in pattern.finditer(sentence):
            if not _CAPITALISED.match(match.group("month")):
                continue  # "may 5" is not a month; wire copy capitalises months
            month = _MONTHS[match.group("month").lower()]
            if found := _stated(month, int(match.group("day")), match.group("year"), published):
                return IncidentDate(found, "day")
    for match in _WEEKDAY.finditer(sentence):
        if _REPORTING_DAY.search(sentence[: match.start()]):
            continue
        weekday = _WEEKDAYS[match.group("weekday").lower()]
        day = _latest_weekday(weekday, published)
        if span := _SPAN_END.match(sentence[match.end() :]):
            later = (_WEEKDAYS[span.group("weekday").lower()] - weekday) % 7
            return IncidentDate(day, "day", min(day + timedelta(days=later), published))
        return IncidentDate(day, "day")
    for phrase, days_back in _RELATIVE_DAYS:
        if phrase.search(sentence):
            return IncidentDate(published - timedelta(days=days_back), "day")
    for match in _IN_MONTH.finditer(sentence):
        if not _CAPITALISED.match(match.group("month")):
            continue
        month = _MONTHS[match.group("month").lower()]
        if found := _stated(month, 1, match.group("year"), published):
            return IncidentDate(found, "month")
    if re.search(r"\blast month\b", sentence, re.IGNORECASE):
        previous = published.replace(day=1) - timedelta(days=1)
        return IncidentDate(previous.replace(day=1), "month")
    return None
