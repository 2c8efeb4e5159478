"""Parsed fields to a validated raw article: the one assembly step every format shares."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from pydantic import ValidationError

from schemas.articles import Article, PublishedFrom, RawArticle
from schemas.deadletter import DeadLetter
from services.common.deadletter import dead_letter
from services.common.text import fingerprint
from services.feeder.errors import FeederError
from services.feeder.markup import parse_markup
from services.feeder.plaintext import find_dateline


@dataclass(frozen=True)
class Rejected:
    """Input that did not become an article: it goes to the dead-letter topic."""

    error: FeederError
    payload: bytes

    def dead_letter(self, max_payload: int) -> DeadLetter:
        return dead_letter("feeder", self.error, self.payload, max_payload=max_payload, key=self.error.source)


def refused(item: RawArticle, error: Exception) -> Rejected:
    """An article the broker would not take, as its dead letter (the article as payload)."""
    reason = f"not published: {type(error).__name__}: {error}"
    return Rejected(FeederError(item.article.source, reason), item.model_dump_json().encode())


def article_id(source_key: str, body_fingerprint: str) -> str:
    """Same story from the same source always gets the same id."""
    return hashlib.sha1(f"{source_key}|{body_fingerprint}".encode()).hexdigest()[:20]


def parse_date(value: Any, source: str) -> datetime | None:
    """ISO 8601 (JSON, ninjs, NewsML-G2), RFC 2822 (RSS) or a datetime; naive means UTC."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        parsed = value
    elif not isinstance(value, str):
        raise FeederError(source, f"published {value!r} is not a date")
    else:
        try:
            parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            try:
                parsed = parsedate_to_datetime(value)
            except (TypeError, ValueError, IndexError) as exc:
                raise FeederError(source, f"published {value!r} is not an ISO or RFC 2822 date") from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _published(
    fields: dict[str, Any], first: str, source: str, now: datetime
) -> tuple[datetime, PublishedFrom]:
    if (metadata := parse_date(fields.get("published"), source)) is not None:
        return metadata, "metadata"
    dateline = find_dateline(fields.get("dateline_text") or first)
    if dateline and dateline.month_day:
        month, day = dateline.month_day
        for year in (now.year, now.year - 1):  # a dateline in the future means last year
            try:
                candidate = datetime(year, month, day, tzinfo=UTC)
            except ValueError:
                continue
            if (candidate - now).days < 1:
                return candidate, "dateline"
    return now, "ingested"


def _plain(value: str) -> str:
    """Markup in a one-line field (a headline with `<script>`) is reduced to its text."""
    if "<" not in value and "&" not in value:
        return value
    soup = parse_markup(value)
    for tag in soup(["script", "style"]):
        tag.decompose()
    return soup.get_text(" ")


def _text(fields: dict[str, Any], name: str, source: str) -> str | None:
    value = fields.get(name)
    if value is None:
        return None
    if isinstance(value, str):
        return " ".join(_plain(value).split()) or None
    raise FeederError(source, f"{name}: expected a string, got {type(value).__name__}")


def _web_url(value: Any) -> str | None:
    """Only http(s) links with a host are kept: a `javascript:` or `data:` URL would run in
    whatever page shows the article."""
    if not isinstance(value, str) or not (value := value.strip()):
        return None
    try:
        parsed = urlparse(value)
    except ValueError:  # e.g. an invalid IPv6 host
        return None
    ok = parsed.scheme.lower() in ("http", "https") and parsed.netloc and not any(c.isspace() for c in value)
    return value if ok else None


def _byline(text: str | None) -> str | None:
    """ "By Jane Doe" -> "Jane Doe": agencies differ in whether the field carries the "By"."""
    if text and text[:3].lower() == "by ":
        return text[3:].strip() or None
    return text


def build_article(source: str, fields: dict[str, Any], paragraphs: list[str]) -> RawArticle:
    """Assemble and validate a raw article from parsed fields (the same for every format).

    Fields: agency, outlet, url, headline, byline, dateline (place), dateline_text (a dateline
    line to read a date from), captions, language, published.
    """
    paragraphs = [p for p in (p.strip() for p in paragraphs) if p]
    if not paragraphs:
        raise FeederError(source, "no body text")
    body_fingerprint = fingerprint(paragraphs)
    outlet, agency = (_text(fields, name, source) for name in ("outlet", "agency"))
    url = _web_url(fields.get("url"))
    dateline_place = _text(fields, "dateline", source)
    if dateline_place is None and (found := find_dateline(paragraphs[0])):
        dateline_place = found.place
        agency = agency or found.agency
    source_key = outlet or agency or (urlparse(url).netloc if url else Path(source).name)
    now = datetime.now(UTC)
    published, published_from = _published(fields, paragraphs[0], source, now)
    captions = fields.get("captions") or []
    try:
        article = Article(
            article_id=article_id(source_key, body_fingerprint),
            source=source,
            agency=agency,
            outlet=outlet,
            url=url,
            headline=_text(fields, "headline", source),
            byline=_byline(_text(fields, "byline", source)),
            dateline=dateline_place,
            captions=captions,
            paragraphs=paragraphs,
            language=_text(fields, "language", source) or "en",
            published=published,
            published_from=published_from,
            ingested=now,
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        raise FeederError(source, f"{'.'.join(map(str, first['loc']))}: {first['msg']}") from exc
    return RawArticle(fingerprint=body_fingerprint, article=article)
