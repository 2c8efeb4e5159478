"""Plain-text stories (`.txt`) and the decoding every text format shares.

Legacy encodings are decoded, not rejected: newsroom systems on Windows still drop cp1252
files, and a dead letter would lose a story that is perfectly readable. Order: UTF-8
(strict), then cp1252 (strict: the Western newsroom default, and guessing on a short text
garbles it), then charset-normalizer's best guess for anything else (e.g. cp1251).
"""

from __future__ import annotations

from typing import Any

from charset_normalizer import from_bytes

from schemas.articles import RawArticle
from services.feeder.article import build_article
from services.feeder.errors import FeederError
from services.feeder.plaintext import parse_plaintext

# C0 control bytes other than whitespace: text has almost none, binary data is full of them.
_CONTROL = [bytes([c]) for c in range(32) if chr(c) not in "\t\n\r\f\v\x1b"]


def decode_text(source: str, raw: bytes) -> str:
    if not raw.strip():
        raise FeederError(source, "empty file")
    if b"\x00" in raw:
        raise FeederError(source, "binary content (NUL bytes)")
    if sum(raw.count(c) for c in _CONTROL) > len(raw) // 100:
        raise FeederError(source, "binary content (control bytes)")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        start = exc.start
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError:
        best = from_bytes(raw).best()
        if best is None:
            raise FeederError(source, f"not UTF-8 (byte {start}) and no legacy encoding fits") from None
        return str(best)


def parse_text(source: str, raw: bytes, meta: dict[str, Any]) -> RawArticle:
    """`meta` is the folder's sidecar entry for this file (agency, outlet, url, ...)."""
    known = meta.get("headline")
    parsed = parse_plaintext(
        decode_text(source, raw), known_headline=known if isinstance(known, str) else None
    )
    fields = {
        **meta,
        "headline": meta.get("headline") or parsed.headline,
        "agency": meta.get("agency") or parsed.agency,
        "dateline": parsed.dateline,
        "byline": meta.get("byline") or parsed.byline,
        "captions": parsed.captions,
    }
    return build_article(source, fields, parsed.paragraphs)
