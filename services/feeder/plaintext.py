"""Plain-text wire stories: headline, captions, dateline, crossheads, sign-off, byline."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# "BEIRUT —" (AP), "Beirut (AFP) -" (AFP), "RAQQA, Syria —" or "LONDON, Aug 25 (Reuters) -"
# at the start of the first paragraph.
_DATELINE = re.compile(
    r"^(?P<place>[A-Z][A-Za-z.'’ -]{1,40}?)(?:,\s*(?P<extra>[A-Z][A-Za-z. ]*?(?:\s\d{1,2})?))?\s*"
    r"(?:\((?P<agency>[A-Za-z]{2,10})\)\s*)?[—–-]\s+"
)
_MONTH_DAY = re.compile(r"^(?P<month>[A-Z][a-z]{2})[a-z]*\.?\s+(?P<day>\d{1,2})$")
_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
_CROSSHEAD = re.compile(r"^\s*-\s+.{1,80}\s+-\s*$")
_SIGNOFF = re.compile(r"^\s*[—–-]+\s*(?P<agency>[A-Za-z]{2,10})\s*$")
_CAPTION = re.compile(r"\((?:[A-Z]{2,10}\s+)?Photo\b[^)]*\)\s*$", re.IGNORECASE)
_BYLINE = re.compile(r"^By\s+[A-Z][\w.'’ -]{1,60}$")
_SENTENCE_END = re.compile(r"[.!?\"”’)]\s*$")


@dataclass(frozen=True)
class Dateline:
    place: str
    agency: str | None = None
    month_day: tuple[int, int] | None = None  # datelines carry no year


def find_dateline(text: str) -> Dateline | None:
    """The dateline opening `text`, if it has one."""
    found = _DATELINE.match(text)
    if not found:
        return None
    month_day = None
    if (extra := _MONTH_DAY.match(found.group("extra") or "")) and extra.group("month") in _MONTHS:
        month_day = (_MONTHS.index(extra.group("month")) + 1, int(extra.group("day")))
    agency = found.group("agency")
    return Dateline(found.group("place").strip().title(), agency.upper() if agency else None, month_day)


@dataclass
class ParsedText:
    paragraphs: list[str]
    headline: str | None = None
    captions: list[str] = field(default_factory=list)
    dateline: str | None = None
    agency: str | None = None
    byline: str | None = None


def _looks_like_headline(line: str, following: list[str]) -> bool:
    return bool(following) and len(line.split()) <= 20 and not _SENTENCE_END.search(line)


def parse_plaintext(text: str, known_headline: str | None = None) -> ParsedText:
    lines = [line.strip() for line in text.replace("\r\n", "\n").split("\n")]
    lines = [line for line in lines if line]
    parsed = ParsedText(paragraphs=[])
    if lines and (
        (known_headline and lines[0] == known_headline.strip())
        or (not known_headline and _looks_like_headline(lines[0], lines[1:]))
    ):
        parsed.headline = lines.pop(0)
    for line in lines:
        if _CAPTION.search(line):
            parsed.captions.append(line)
        elif _CROSSHEAD.match(line):
            continue  # section titles such as "- IS claims attack -" are not sentences
        elif signoff := _SIGNOFF.match(line):
            parsed.agency = parsed.agency or signoff.group("agency").upper()
        elif _BYLINE.match(line) and not parsed.paragraphs:
            parsed.byline = line[3:].strip()
        else:
            parsed.paragraphs.append(line)
    if parsed.paragraphs and (dateline := find_dateline(parsed.paragraphs[0])):
        parsed.dateline = dateline.place
        parsed.agency = dateline.agency or parsed.agency
    return parsed
