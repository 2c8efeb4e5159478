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

_MONTH_DAY = re.compile(r"\b(?P<month>" + "|".join(calendar.month_name[1:]) + r")\.?\s+(?P<day>\d{1,2})\b")
_DAY_MONTH = re.compile(r"\b(?P<day>\d{1,2})\s+(?P<month>" + "|".join(calendar.month_name[1:]) + r")\b")
_IN_MONTH = re.compile(r"\bin\s+(?P<month>" + "|".join(calendar.month_name[1:]) + r")\b")
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


@dataclass(frozen=True)
class IncidentDate:
    day: date
    precision: DatePrecision
    through: date | None = None  # last day of a stated span of days

    def overlaps(self, other: IncidentDate) -> bool:
        return self.day <= (other.through or other.day) and other.day <= (self.through or self.day)


def _latest_weekday(weekday: int, published: date) -> date:
    """The last such weekday on or before publication; a story's "Friday" on a Friday is today."""
    return published - timedelta(days=(published.weekday() - weekday) % 7)


def _before_publication(month: int, day: int, published: date) -> date | None:
    year = published.year if (month, day) <= (published.month, published.day) else published.year - 1
    try:
        return date(year, month, day)
    except ValueError:
        return None


def incident_date(sentence: str, published: date) -> IncidentDate | None:
    """The first incident date a sentence states; explicit dates beat weekdays."""
    for pattern in (_MONTH_DAY, _DAY_MONTH):
        if match := pattern.search(sentence):
            month = _MONTHS[match.group("month").lower()]
            if found := _before_publication(month, int(match.group("day")), published):
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
    if match := _IN_MONTH.search(sentence):
        month = _MONTHS[match.group("month").lower()]
        if found := _before_publication(month, 1, published):
            return IncidentDate(found, "month")
    if re.search(r"\blast month\b", sentence, re.IGNORECASE):
        previous = published.replace(day=1) - timedelta(days=1)
        return IncidentDate(previous.replace(day=1), "month")
    return None
