"""RSS 2.0, RSS 1.0 and Atom feeds, from a file or a fetched URL, read by feedparser.

Mapping per entry: title -> headline; content (else summary) as HTML, cleaned ->
paragraphs and figure captions; author -> byline; published | updated -> published; link
-> url; the feed's title -> outlet; entry, content or feed language -> language; dateline
place and agency from the first paragraph. media:description is not kept: feedparser
loses it whenever content:encoded is present.
Each entry also gets a key (its id, else link, else a hash) that continuous mode
checkpoints, so an entry is published once however often the feed is fetched.
"""

from __future__ import annotations

import calendar
import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import feedparser

from schemas.articles import RawArticle
from services.feeder.article import Rejected, build_article
from services.feeder.errors import FeederError, as_feeder_error
from services.feeder.formats.html import html_to_text


def is_feed(raw: bytes) -> bool:
    head = raw[:2048].lower()
    return b"<rss" in head or b"<feed" in head or b"<rdf:rdf" in head


def _date(entry: Any) -> datetime | None:
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    return datetime.fromtimestamp(calendar.timegm(parsed), UTC) if parsed else None


def _entry_key(entry: Any) -> str:
    key = entry.get("id") or entry.get("link")
    if key:
        return str(key)
    text = f"{entry.get('title', '')}|{entry.get('summary', '')}"
    return hashlib.sha1(text.encode()).hexdigest()


def _entry(source: str, entry: Any, feed: Any) -> RawArticle:
    contents = entry.get("content") or []
    html_parts = [c.get("value", "") for c in contents if "html" in c.get("type", "")]
    plain_parts = [c.get("value", "") for c in contents if "html" not in c.get("type", "")]
    body = "\n".join(html_parts) or entry.get("summary") or "\n".join(plain_parts)
    converted = html_to_text(body)
    language = entry.get("language") or (contents[0].get("language") if contents else None)
    fields = {
        "headline": entry.get("title"),
        "byline": entry.get("author"),
        "published": _date(entry),
        "url": entry.get("link"),
        "outlet": feed.get("title"),
        "language": language or feed.get("language"),
        "captions": converted.captions,
    }
    return build_article(source, fields, converted.paragraphs)


def parse_feed_entries(source: str, raw: bytes) -> Iterator[tuple[str, RawArticle | Rejected]]:
    """(entry key, article or rejection) for every entry of the feed document."""
    try:
        parsed = feedparser.parse(raw, sanitize_html=True, resolve_relative_uris=False)
    except Exception as exc:  # feedparser promises not to raise; a bug must not stop the feeder
        raise FeederError(source, f"unreadable feed: {type(exc).__name__}: {exc}") from exc
    if not parsed.entries:
        if parsed.get("bozo"):
            raise FeederError(source, f"invalid feed: {parsed.get('bozo_exception')}")
        if not parsed.get("version"):
            raise FeederError(source, "not an RSS or Atom feed")
    for index, entry in enumerate(parsed.entries):
        key = _entry_key(entry)
        where = f"{source}#{entry.get('link') or key or index}"
        try:
            yield key, _entry(where, entry, parsed.feed)
        except Exception as exc:  # this entry's dead letter; the feed's other entries go on
            payload = f"{entry.get('title', '')}\n{entry.get('summary', '')}".encode()
            yield key, Rejected(as_feeder_error(where, exc), payload)


def parse_feed(source: str, raw: bytes) -> Iterator[RawArticle | Rejected]:
    for _, item in parse_feed_entries(source, raw):
        yield item
