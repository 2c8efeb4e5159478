"""Property test: no input makes any parser raise anything but FeederError (bounded time)."""

from __future__ import annotations

import contextlib
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schemas.articles import RawArticle
from services.feeder.errors import FeederError
from services.feeder.formats.html import html_to_text
from services.feeder.formats.jsonl import parse_json_object
from services.feeder.plaintext import parse_plaintext
from services.feeder.reader import PARSERS, Rejected, parse_bytes

BOUNDED = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
NEWSML = b'<newsItem xmlns="http://iptc.org/std/nar/2006-10-01/">'

# Values of the shapes found in JSON, so the mappings see wrong types, not only wrong text.
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=10), children, max_size=3)
    ),
    max_leaves=10,
)
article_keys = st.sampled_from(
    ["body", "text", "paragraphs", "html", "headline", "title", "agency", "outlet", "url", "published",
     "language", "byline", "dateline", "captions", "uri", "type", "body_text", "body_html", "bodies",
     "headlines", "by", "located", "firstcreated", "versioncreated", "associations", "infosources"]
)  # fmt: skip
article_objects = st.dictionaries(article_keys, json_values, max_size=8)
markup = st.lists(
    st.sampled_from(
        ["<p>", "</p>", "<figure>", "<figcaption>", "<br>", "<h1>", "<script>", "<li>", "&amp;", "x"]
    )
    | st.text(max_size=12),
    max_size=20,
).map("".join)


def _parse_all(suffix: str, raw: bytes) -> list[RawArticle | Rejected]:
    """parse_bytes turns FeederErrors into rejections; anything else propagates and fails."""
    return list(parse_bytes(f"fuzz{suffix}", raw, suffix, {}))


@BOUNDED
@given(suffix=st.sampled_from(sorted(PARSERS)), raw=st.binary(max_size=400))
def test_any_bytes_in_any_format(suffix: str, raw: bytes) -> None:
    _parse_all(suffix, raw)


@BOUNDED
@given(obj=article_objects)
def test_any_json_object_in_generic_and_ninjs_mappings(obj: dict[str, object]) -> None:
    for suffix in (".json", ".jsonl"):
        _parse_all(suffix, json.dumps(obj).encode())
    with contextlib.suppress(FeederError):
        parse_json_object("fuzz.json", obj)


@BOUNDED
@given(body=markup, headline=st.text(max_size=20))
def test_markup_in_feeds_newsml_and_html(body: str, headline: str) -> None:
    html_to_text(body)
    parse_plaintext(body, known_headline=headline)
    escaped = body.replace("&", "&amp;").replace("<", "&lt;")
    item = f"<item><title>{headline}</title><description>{escaped}</description></item>"
    _parse_all(".rss", f"<rss version='2.0'><channel>{item}</channel></rss>".encode())
    newsml = NEWSML + f"<contentSet><inlineXML>{body}</inlineXML></contentSet></newsItem>".encode()
    _parse_all(".xml", newsml)
