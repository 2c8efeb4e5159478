"""Plain-text wire stories: headline, captions, dateline, crossheads, sign-off, byline."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# "BEIRUT —" (AP style) or "Beirut (AFP) -" (AFP style) at the start of the first paragraph.
_DATELINE = re.compile(
    r"^(?P<place>[A-Z][A-Za-z.'’ -]{1,40}?)(?:,\s*[A-Z][A-Za-z. ]+)?\s*"
    r"(?:\((?P<agency>[A-Za-z]{2,10})\)\s*)?[—–-]\s+"
)
_CROSSHEAD = re.compile(r"^\s*-\s+.{1,80}\s+-\s*$")
_SIGNOFF = re.compile(r"^\s*[—–-]+\s*(?P<agency>[A-Za-z]{2,10})\s*$")
_CAPTION = re.compile(r"\((?:[A-Z]{2,10}\s+)?Photo\b[^)]*\)\s*$", re.IGNORECASE)
_BYLINE = re.compile(r"^By\s+[A-Z][\w.'’ -]{1,60}$")
_SENTENCE_END = re.compile(r"[.!?\"”’)]\s*$")


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
    if parsed.paragraphs and (dateline := _DATELINE.match(parsed.paragraphs[0])):
        parsed.dateline = dateline.group("place").strip().title()
        if dateline.group("agency"):
            parsed.agency = dateline.group("agency").upper()
    return parsed
