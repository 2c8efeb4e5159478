"""JSON (`.json`: one object or a list of them) and JSON Lines (`.jsonl`: one object a line).

Generic mapping (README "Feeder formats"): body | text (string, paragraphs split on line
breaks) or paragraphs (list of strings) or html (cleaned) -> paragraphs; headline | title;
agency, outlet, url, published (ISO 8601 or RFC 2822), language, byline, dateline, captions
kept as they are. Objects that look like IPTC ninjs are read with the ninjs mapping.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from schemas.articles import RawArticle
from services.feeder.article import Rejected, build_article
from services.feeder.errors import FeederError, as_feeder_error
from services.feeder.formats.html import html_to_text
from services.feeder.formats.ninjs import is_ninjs, parse_ninjs
from services.feeder.formats.text import decode_text
from services.feeder.limits import bounded_int, check_depth, current


def parse_json_object(source: str, obj: Any) -> RawArticle:
    if not isinstance(obj, dict):
        raise FeederError(source, f"expected a JSON object, got {type(obj).__name__}")
    if is_ninjs(obj):
        return parse_ninjs(source, obj)
    paragraphs = obj.get("paragraphs")
    captions = obj.get("captions") or []
    if paragraphs is None:
        body = obj.get("body") or obj.get("text")
        if isinstance(body, str):
            paragraphs = body.split("\n")
        elif isinstance(html := obj.get("html"), str):
            converted = html_to_text(html)
            paragraphs, captions = converted.paragraphs, [*captions, *converted.captions]
        else:
            raise FeederError(source, "missing 'body', 'text', 'paragraphs' or 'html'")
    if not isinstance(paragraphs, list) or not all(isinstance(p, str) for p in paragraphs):
        raise FeederError(source, "'paragraphs' must be a list of strings")
    if not isinstance(captions, list) or not all(isinstance(c, str) for c in captions):
        raise FeederError(source, "'captions' must be a list of strings")
    fields = {**obj, "headline": obj.get("headline") or obj.get("title"), "captions": captions}
    return build_article(source, fields, paragraphs)


def _loads(source: str, text: str) -> Any:
    limits = current()
    try:
        loaded = json.loads(text, parse_int=bounded_int(limits, source))
    except json.JSONDecodeError as exc:
        raise FeederError(source, f"invalid JSON: {exc.msg}") from exc
    except RecursionError as exc:
        raise FeederError(source, "invalid JSON: nested too deeply") from exc
    check_depth(loaded, limits, source)
    return loaded


def _objects(where: str, chunk: str, allow_list: bool) -> Iterator[RawArticle | Rejected]:
    try:
        loaded = _loads(where, chunk)
    except Exception as exc:  # this line's dead letter; the file's other lines go on
        yield Rejected(as_feeder_error(where, exc), chunk.encode("utf-8", "replace"))
        return
    if not (allow_list and isinstance(loaded, list)):
        loaded = [loaded]
    for index, obj in enumerate(loaded):
        label = f"{where}[{index}]" if len(loaded) > 1 else where
        try:
            yield parse_json_object(label, obj)
        except Exception as exc:  # this object's dead letter; the others go on
            yield Rejected(as_feeder_error(label, exc), json.dumps(obj).encode())


def parse_json(source: str, raw: bytes) -> Iterator[RawArticle | Rejected]:
    """Every object in the file; a bad one is rejected alone, the others still go in."""
    text = decode_text(source, raw)
    if not source.endswith(".jsonl"):
        yield from _objects(source, text, allow_list=True)
        return
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            yield from _objects(f"{source}:{number}", line, allow_list=False)
