"""IPTC ninjs (1.x and 2.x), the JSON news format agencies such as AP deliver.

Mapping: headline | headlines[0].value -> headline; body_text | body_html | bodies[0].value
-> paragraphs (HTML cleaned, its figure captions kept); byline | by -> byline; located ->
dateline; copyrightholder | infosources[0].name | provider -> agency; firstcreated |
versioncreated -> published; language; uri (when http) -> url; associations' description_text
or caption descriptions -> captions. Items whose `type` is not text are rejected.
"""

from __future__ import annotations

from typing import Any

from schemas.articles import RawArticle
from services.feeder.article import build_article
from services.feeder.errors import FeederError
from services.feeder.formats.html import html_to_text

NINJS_KEYS = {"body_text", "body_html", "bodies", "headlines", "versioncreated", "firstcreated"}


def is_ninjs(obj: dict[str, Any]) -> bool:
    """ninjs requires `uri`; the generic JSON mapping never uses it or the keys below."""
    return "uri" in obj and not NINJS_KEYS.isdisjoint(obj)


def _first(items: Any, key: str) -> Any:
    """`items[0][key]` when `items` is a non-empty list of objects (ninjs 2 repeats fields)."""
    if isinstance(items, list) and items and isinstance(items[0], dict):
        return items[0].get(key)
    return None


def _string(*candidates: Any) -> str | None:
    """The first candidate that is a non-empty string (ninjs versions differ in shape)."""
    return next((c for c in candidates if isinstance(c, str) and c.strip()), None)


def _captions(obj: dict[str, Any]) -> list[str]:
    associations = obj.get("associations")
    if isinstance(associations, dict):
        values = list(associations.values())
    else:
        values = associations if isinstance(associations, list) else []
    captions = []
    for association in values:
        if not isinstance(association, dict):
            continue
        caption = association.get("description_text")
        descriptions = association.get("descriptions")
        if caption is None and isinstance(descriptions, list):
            caption = next(
                (
                    d.get("value")
                    for d in descriptions
                    if isinstance(d, dict) and "caption" in str(d.get("role"))
                ),
                None,
            )
        if isinstance(caption, str) and caption.strip():
            captions.append(" ".join(caption.split()))
    return captions


def _body(source: str, obj: dict[str, Any]) -> tuple[list[str], list[str]]:
    text = obj.get("body_text")
    html = obj.get("body_html")
    if text is None and html is None:
        bodies = obj.get("bodies")
        value = _first(bodies, "value")
        html_body = "html" in str(_first(bodies, "contenttype") or _first(bodies, "contentType") or "")
        html, text = (value, None) if html_body else (None, value)
    if isinstance(html, str):
        converted = html_to_text(html)
        return converted.paragraphs, converted.captions
    if isinstance(text, str):
        return text.split("\n"), []
    raise FeederError(source, "ninjs item has no body_text, body_html or bodies")


def parse_ninjs(source: str, obj: dict[str, Any]) -> RawArticle:
    kind = obj.get("type", "text")
    if kind != "text":
        raise FeederError(source, f"ninjs item of type {kind!r} is not a text story")
    paragraphs, inline_captions = _body(source, obj)
    uri = obj.get("uri")
    fields = {
        "headline": _string(obj.get("headline"), _first(obj.get("headlines"), "value")),
        "byline": _string(obj.get("byline"), obj.get("by")),
        "dateline": _string(obj.get("located")),
        "agency": _string(
            obj.get("copyrightholder"), _first(obj.get("infosources"), "name"), obj.get("provider")
        ),
        "published": _string(obj.get("firstcreated"), obj.get("versioncreated")),
        "language": _string(obj.get("language")),
        "url": uri if isinstance(uri, str) and uri.startswith(("http://", "https://")) else None,
        "captions": _captions(obj) + inline_captions,
    }
    return build_article(source, fields, paragraphs)
